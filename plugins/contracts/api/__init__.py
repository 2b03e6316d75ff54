"""Contracts REST endpoints, one module per topic; ``APIS`` lists what plugin.py registers."""

from plugins.contracts.api.lifecycle import APIS

__all__ = ["APIS"]
