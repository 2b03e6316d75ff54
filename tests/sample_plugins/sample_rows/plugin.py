"""Hooks of sample_rows: screens and APIs on core's base classes, a row rule per model."""

from flask import redirect
from flask_appbuilder import AppBuilder
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.contributions import RelatedPanel, RoleSpec, RowRule
from core.hooks import hookimpl
from core.security.permissions import BusinessModelApi, BusinessModelView
from sample_rows.models import Folder, Page, Tag

FOLDER, PAGE, TAG = "sample_rows_folder", "sample_rows_page", "sample_rows_tag"


def visible_folders(viewer):
    """Auditors (``can_audit`` on folders) see every folder, others their own."""
    if viewer.may("can_audit", FOLDER):
        return None
    return Folder.owner_id == (viewer.user_id or -1)


class FolderView(BusinessModelView):
    datamodel = SQLAInterface(Folder)
    route_base = "/rows/folders"
    class_permission_name = FOLDER
    list_columns = ["name"]
    add_columns = edit_columns = ["name", "owner"]

    @action("rename", "Rename", None, "fa-pencil", multiple=True)
    def rename(self, items):
        for folder in items if isinstance(items, list) else [items]:
            folder.name = folder.name + " (renamed)"
        db_session = self.datamodel.session
        db_session.commit()
        return redirect("/rows/folders/list/")


class PageView(BusinessModelView):
    datamodel = SQLAInterface(Page)
    route_base = "/rows/pages"
    class_permission_name = PAGE
    list_columns = ["title", "folder.name"]
    add_columns = edit_columns = ["title", "folder", "tags"]
    search_columns = ["title", "folder"]


class FolderApi(BusinessModelApi):
    resource_name = "rows_folder"
    datamodel = SQLAInterface(Folder)
    class_permission_name = FOLDER
    add_columns = edit_columns = ["name", "owner"]
    list_columns = show_columns = ["id", "name"]


class PageApi(BusinessModelApi):
    resource_name = "rows_page"
    datamodel = SQLAInterface(Page)
    class_permission_name = PAGE
    add_columns = edit_columns = ["title", "folder", "tags"]
    list_columns = show_columns = ["id", "title", "folder.id", "tags.id"]


class TagApi(BusinessModelApi):
    resource_name = "rows_tag"
    datamodel = SQLAInterface(Tag)
    class_permission_name = TAG
    add_columns = edit_columns = list_columns = show_columns = ["name"]


@hookimpl
def aftersales_models():
    return [Folder, Page, Tag]


@hookimpl
def aftersales_related_panels():
    return [RelatedPanel("sample_rows_folder", Page, "folder", "Pages", icon="fa-file")]


@hookimpl
def aftersales_row_rules():
    return [RowRule(Folder, visible=visible_folders), RowRule(Page, parent="folder")]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(FolderView, "Folders", category="Rows")
    appbuilder.add_view(PageView, "Pages", category="Rows")


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder):
    for api in (FolderApi, PageApi, TagApi):
        appbuilder.add_api(api)


@hookimpl
def aftersales_roles():
    writer = [("*", FOLDER), ("*", PAGE), ("menu_access", "Rows")]
    writer += [("menu_access", "Folders"), ("menu_access", "Pages")]
    return [
        RoleSpec("Rows Writer", [*writer, ("*", TAG)]),
        RoleSpec("Rows Auditor", [*writer, ("*", TAG), ("can_audit", FOLDER)]),
        RoleSpec("Rows Untagged", writer),
    ]
