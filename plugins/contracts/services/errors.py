"""The error every contracts rule raises: :class:`ContractError` names the offending field
and carries the HTTP status an API answers with.
"""

from __future__ import annotations

from core.errors import RuleError


class ContractError(RuleError):
    """A contracts record or action that breaks a rule (see :class:`core.errors.RuleError`)."""
