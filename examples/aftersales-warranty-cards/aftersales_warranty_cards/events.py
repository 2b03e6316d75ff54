"""Domain events warranty_cards publishes; other plugins react with ``aftersales_on_event``
or ``aftersales_after_commit`` without importing anything else of this plugin."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar

from core.events import Event


@dataclass(frozen=True)
class WarrantyCardsExpired(Event):
    """Cards whose coverage ended before ``on`` were marked expired (one event per batch)."""

    name: ClassVar[str] = "warranty_cards.cards.expired"
    card_ids: tuple[int, ...]
    on: datetime.date
