"""REST endpoints of parts_compatibility, one module per topic; the classes plugin.py
registers."""

from plugins.parts_compatibility.api.compatibility import PartProductApi

APIS = [PartProductApi]

__all__ = ["APIS", "PartProductApi"]
