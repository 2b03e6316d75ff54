"""The one refusal type of maintenance; APIs answer it through :mod:`core.errors`."""

from __future__ import annotations

from core.errors import RuleError


class MaintenanceError(RuleError):
    """A maintenance record or action that breaks a rule (see :class:`core.errors.RuleError`)."""
