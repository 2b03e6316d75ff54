"""Hooks of sample_beta: one plain page."""

from flask_appbuilder import AppBuilder, BaseView, expose, has_access

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
def aftersales_config_defaults():
    return {"SAMPLE_ALPHA_GREETING": "hello from beta"}
