"""Hooks of sample_beta: one plain page."""

from flask_appbuilder import AppBuilder, BaseView, expose, has_access

from core.contributions import DocumentSection, RoleSpec
from core.hooks import hookimpl


class BetaView(BaseView):
    """A page that says hello."""

    route_base = "/beta"
    default_view = "hello"
    class_permission_name = "sample_beta_page"

    @expose("/")
    @has_access
    def hello(self):
        return "beta says hello"


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(BetaView, "Beta", category="Alpha")


@hookimpl
def aftersales_roles():
    """A beta role that reads alpha's notes through the set alpha offers, not its objects."""
    return [
        RoleSpec(
            "Beta Reader",
            [("can_hello", "sample_beta_page"), ("menu_access", "Beta")],
            includes=["sample_alpha.notes_read"],
        )
    ]


@hookimpl
def aftersales_config_defaults():
    return {"SAMPLE_ALPHA_GREETING": "hello from beta"}


@hookimpl
def aftersales_add_hookspecs(pm):
    from sample_beta import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def aftersales_document_sections(document, subject, period_start, period_end):
    if document != "sample.report":
        return []
    return [DocumentSection(title=f"Beta on {subject}", order=20, paragraphs=["from beta"])]


@hookimpl
def aftersales_app_ready(app):
    app.config["SAMPLE_BETA_READY"] = sorted(app.blueprints)[:1]
