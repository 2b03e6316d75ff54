"""Hooks of sample_i18n: one page and one menu entry, translated by the plugin's catalog."""

from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from core.contributions import RoleSpec
from core.hooks import hookimpl


class GreetingView(BaseView):
    """A page that greets in the user's language."""

    route_base = "/greeting"
    default_view = "hello"
    class_permission_name = "sample_i18n_greeting"

    @expose("/")
    @has_access
    def hello(self):
        return self.render_template(
            "sample_i18n/hello.html", greeting=gettext("Spare parts arrive tomorrow")
        )


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(GreetingView, "Greeting", label=_("Service greeting"), category="Admin")


@hookimpl
def aftersales_roles():
    return [RoleSpec("Greeter", [("*", "sample_i18n_greeting"), ("menu_access", "Greeting")])]
