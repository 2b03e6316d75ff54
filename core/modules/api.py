"""``/api/v1/modules/``: the Modules screen for scripts (list, enable, disable)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_appbuilder.api import expose, protect
from flask_babel import gettext

from core.api_input import describes_body
from core.extensions import db
from core.modules.service import ModuleError, UnknownModuleError, change_module
from core.runtime import runtime
from core.security.permissions import BusinessApi


def translated(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``label`` and ``summary`` in the request's language (``?_l_=``), as
    the Modules screen shows them."""
    words = {key: gettext(manifest[key]) for key in ("label", "summary") if manifest.get(key)}
    return {**manifest, **words}


class ModulesApi(BusinessApi):
    """List installed plugins with their state; enable or disable one."""

    resource_name = "modules"
    class_permission_name = "core_modules"
    method_permission_name = {"list_modules": "read", "enable": "write", "disable": "write"}
    allow_browser_login = True
    openapi_spec_tag = "Modules"

    @expose("/", methods=["GET"])
    @protect()
    def list_modules(self) -> Any:
        """Installed plugins with version, summary, dependencies and whether enabled.
        ---
        get:
          responses:
            200:
              description: every installed plugin
        """
        rt = runtime()
        enabled = set(rt.enabled_names)
        manifests = rt.registry.manifests()
        result = [
            {**translated(manifests[name].as_dict()), "enabled": name in enabled}
            for name in sorted(manifests)
        ]
        return self.response(200, result=result, problems=rt.registry.problems)

    @expose("/<name>/enable", methods=["POST"])
    @describes_body(None)
    @protect()
    def enable(self, name: str) -> Any:
        """Enable plugin ``name`` (and what it depends on) in every worker.
        ---
        post:
          parameters:
          - in: path
            name: name
            schema: {type: string}
          responses:
            200:
              description: the plugins enabled now
            404:
              description: no such plugin
            409:
              description: refused, with the reason
        """
        return self._change(name, True)

    @expose("/<name>/disable", methods=["POST"])
    @describes_body(None)
    @protect()
    def disable(self, name: str) -> Any:
        """Disable plugin ``name``; refused while enabled plugins depend on it.
        ---
        post:
          parameters:
          - in: path
            name: name
            schema: {type: string}
          responses:
            200:
              description: the plugins enabled now
            404:
              description: no such plugin
            409:
              description: refused, with the reason
        """
        return self._change(name, False)

    def _change(self, name: str, enable: bool) -> Any:
        try:
            now = change_module(
                current_app._get_current_object(), db.session, name, enable, g.user.username
            )
        except UnknownModuleError as exc:
            db.session.rollback()
            return self.response(404, message=str(exc), field="name")
        except ModuleError as exc:
            db.session.rollback()
            return self.response(409, message=str(exc), field="name")
        return self.response(200, enabled=now)
