"""Rules of warranty_cards, one module per topic, the public names re-exported here
(``from aftersales_warranty_cards.services import register_card``).

``cards``: registration, expiry and coverage of warranty cards.
"""

from aftersales_warranty_cards.services.cards import (
    EXPIRY_BATCH,
    MAX_WARRANTY_MONTHS,
    WarrantyCardError,
    company_today,
    count_expiring,
    covering_card,
    expiry_date,
    flag_expired_cards,
    prepare_card,
    register_card,
)

__all__ = [
    "EXPIRY_BATCH",
    "MAX_WARRANTY_MONTHS",
    "WarrantyCardError",
    "company_today",
    "count_expiring",
    "covering_card",
    "expiry_date",
    "flag_expired_cards",
    "prepare_card",
    "register_card",
]
