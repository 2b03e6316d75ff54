"""Hooks that inventory offers other plugins (added through ``aftersales_add_hookspecs``).

A plugin that may run without inventory marks its implementation
``@hookimpl(optionalhook=True)``::

    from core.hooks import hookimpl

    @hookimpl(optionalhook=True)
    def inventory_expected_demand(session, start, end):
        from plugins.inventory.hookspecs import ExpectedDemand

        return [ExpectedDemand(part_id=7, location_id=3, quantity=Decimal("4"))]

(Returning plain ``(part_id, location_id, quantity)`` tuples works too, so a contributor need
not import inventory at all.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.hooks import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ExpectedDemand:
    """``quantity`` of a part expected to be used at a location within the asked horizon."""

    part_id: int
    location_id: int
    quantity: Decimal


@hookspec
def inventory_expected_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> Iterable[ExpectedDemand | tuple[int, int, Any]]:
    """Return the quantities of parts you expect to be used at each location from ``start``
    to ``end`` (both included, company dates): planned preventive maintenance, installed base
    x failure rate... Reorder rules computed from demand add them to their reorder point,
    with ``end - start + 1`` equal to the rule's lead time in days.

    Each item is an :class:`ExpectedDemand` or a ``(part_id, location_id, quantity)`` tuple;
    quantities are non-negative numbers with at most 3 decimals (a string or Decimal; floats
    are read through their shortest text). Items of unknown parts or locations, and bad
    quantities, are skipped with a warning in the log rather than failing the planning run.
    Return an empty list when you have nothing to say. Several plugins' items add up.
    """
