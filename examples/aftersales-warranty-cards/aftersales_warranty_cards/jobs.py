"""Background jobs of warranty_cards."""

from __future__ import annotations

from typing import Any

from aftersales_warranty_cards.services import company_today, flag_expired_cards


def flag_expired(context: Any) -> int:
    """Daily: mark the cards whose warranty ended before today as expired.

    Idempotent (a second run the same day flags nothing) and resumable (it commits batch by
    batch); progress goes to ``context.progress``.
    """
    return flag_expired_cards(context.session, company_today(), context.progress)
