"""The admin's Modules screen: every installed plugin, enabled or not, with switches."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from core.extensions import db
from core.modules.service import ModuleError, change_module
from core.runtime import runtime


class ModulesView(BaseView):
    """List installed plugins; enable or disable one (POST, CSRF-protected)."""

    route_base = "/modules"
    default_view = "list"
    class_permission_name = "core_modules"
    method_permission_name = {"list": "read", "enable": "write", "disable": "write"}

    @expose("/")
    @has_access
    def list(self) -> Any:
        """Render the table of installed plugins."""
        rt = runtime()
        manifests = rt.registry.manifests()
        enabled = set(rt.enabled_names)
        rows = []
        for name in sorted(manifests):
            manifest = manifests[name]
            users = [
                other for other in rt.enabled_names if name in manifests[other].dependency_names
            ]
            rows.append(
                {
                    "manifest": manifest,
                    "enabled": name in enabled,
                    "choice": rt.choices.get(name),
                    "used_by": users,
                }
            )
        return self.render_template(
            "aftersales/modules.html", rows=rows, problems=rt.registry.problems
        )

    @expose("/<name>/enable", methods=["POST"])
    @has_access
    def enable(self, name: str) -> Any:
        """Enable plugin ``name`` (and what it depends on) for every worker."""
        return self._change(name, True)

    @expose("/<name>/disable", methods=["POST"])
    @has_access
    def disable(self, name: str) -> Any:
        """Disable plugin ``name``; refused while enabled plugins depend on it."""
        return self._change(name, False)

    def _change(self, name: str, enable: bool) -> Any:
        try:
            now_enabled = change_module(
                current_app._get_current_object(), db.session, name, enable, g.user.username
            )
        except ModuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("ModulesView.list")), 409
        if enable:
            flash(
                gettext(
                    "Module %(name)s enabled. Enabled now: %(names)s",
                    name=name,
                    names=", ".join(now_enabled) or "-",
                ),
                "success",
            )
        else:
            flash(gettext("Module %(name)s disabled; its data is kept.", name=name), "success")
        return redirect(url_for("ModulesView.list"))
