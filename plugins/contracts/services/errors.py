"""The error every contracts rule raises: :class:`ContractError` names the offending field
and carries the HTTP status an API answers with.
"""

from __future__ import annotations


class ContractError(ValueError):
    """A record that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict, 404).
    """

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status
