"""Hooks of sample_alpha."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from sqlalchemy import func, select

from core.contributions import DashboardWidget, DocumentSection, JobSpec, PermissionSet, RoleSpec
from core.hooks import hookimpl
from core.security.permissions import BusinessModelApi, BusinessModelView
from sample_alpha.models import AlphaNote


class AlphaNoteView(BusinessModelView):
    """Notes screen."""

    datamodel = SQLAInterface(AlphaNote)
    class_permission_name = "sample_alpha_note"
    list_columns = ["title"]


class AlphaNoteApi(BusinessModelApi):
    """Notes API."""

    resource_name = "alpha_note"
    datamodel = SQLAInterface(AlphaNote)
    class_permission_name = "sample_alpha_note"


@hookimpl
def aftersales_models():
    return [AlphaNote]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(AlphaNoteView, "Alpha Notes", label=_("Alpha Notes"), category="Alpha")


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder):
    appbuilder.add_api(AlphaNoteApi)


@hookimpl
def aftersales_roles():
    return [
        RoleSpec(
            "Alpha User",
            [("*", "sample_alpha_note"), ("menu_access", "Alpha Notes"), ("menu_access", "Alpha")],
        )
    ]


@hookimpl
def aftersales_permission_sets():
    return [
        PermissionSet(
            "sample_alpha.notes_read",
            [("can_read", "sample_alpha_note"), ("menu_access", "Alpha Notes")],
        )
    ]


@hookimpl
def aftersales_dashboard_widgets():
    def count(session):
        return {
            "value": session.scalar(select(func.count()).select_from(AlphaNote)),
            "link": "/alphanoteview/list/",
        }

    return [
        DashboardWidget(
            "alpha_notes",
            _("Alpha notes"),
            "count",
            count,
            permission=("can_read", "sample_alpha_note"),
        )
    ]


@hookimpl
def aftersales_jobs():
    def tidy(context):
        context.progress(1, 1, "nothing to tidy")

    return [JobSpec("sample_alpha.tidy", tidy, "Tidy the notes", schedule="0 3 * * *")]


@hookimpl
def aftersales_load_demo(session, scale):
    session.add_all([AlphaNote(title=f"Demo note {i}") for i in range(3 * scale)])


@hookimpl
def aftersales_config_defaults():
    return {"SAMPLE_ALPHA_GREETING": "hello"}


@hookimpl(optionalhook=True)
def sample_beta_greetings():
    """Implements sample_beta's hook; alpha also runs without beta."""
    return ["hello from alpha"]


@hookimpl
def aftersales_document_sections(document, subject, period_start, period_end):
    if document != "sample.report":
        return []
    return [
        DocumentSection(
            title="Alpha summary",
            order=10,
            table=(["From", "To"], [[str(period_start), str(period_end)]]),
        )
    ]
