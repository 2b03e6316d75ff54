"""Transitional alias: plugins/maintenance still imports ``plugins.contracts.report``.

Delete this file once maintenance imports ``from plugins.contracts.services import default_period``.
"""

from plugins.contracts.services.report import default_period

__all__ = ["default_period"]
