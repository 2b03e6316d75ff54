"""Contracts screens, one module per topic; re-exports the views plugin.py registers."""

from plugins.contracts.views.lifecycle import *  # noqa: F403
