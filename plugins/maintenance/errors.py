"""The one refusal type of maintenance, mapped to 4xx in one place (api.py)."""

from __future__ import annotations


class MaintenanceError(ValueError):
    """A record or action that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict with the
    current state, 404 unknown record).
    """

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status
