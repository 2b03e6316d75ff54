"""The changes an amendment proposes: the amendable terms, their checking and normalisation
(dates, whole numbers, fee, service level, covered units) and the amended contract checked
like an activation without changing anything.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.column_limits import ColumnValueError, check_record
from core.money import MoneyError, parse_amount
from plugins.contracts.models import (
    Contract,
    ContractEquipment,
    Equipment,
    ServiceLevel,
)
from plugins.contracts.services.activation import check_in_force_terms
from plugins.contracts.services.common import CLAUSE_TERMS, RENEWAL_TERMS
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.terms import check_terms
from plugins.contracts.services.versions import contract_terms

# The terms an amendment may change, in the order the screens show them.
AMENDABLE_TERMS = [
    "start_date",
    "end_date",
    "service_level",
    "fee",
    *RENEWAL_TERMS,
    *CLAUSE_TERMS,
    "equipment",
]
_DATE_TERMS = ("start_date", "end_date")
_WHOLE_TERMS = ("renewal_months", "notice_days")


def parse_date(value: Any, field: str) -> datetime.date:
    """``value`` (``YYYY-MM-DD``) as a date; 422 naming ``field`` otherwise."""
    return datetime.date.fromisoformat(_term_date(value, field))


def _term_date(value: Any, term: str) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ContractError(
            gettext("%(field)s: %(value)r is not a date (YYYY-MM-DD)", field=term, value=value),
            term,
        ) from None


def _term_whole(value: Any, term: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractError(
            gettext("%(field)s: %(value)r is not a whole number", field=term, value=value), term
        )
    return value


def _term_equipment(session: Session, contract: Contract, value: Any) -> list[int]:
    if not isinstance(value, list | tuple) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        raise ContractError(
            gettext("equipment: give the full list of covered unit ids (whole numbers)"),
            "equipment",
        )
    ids = sorted(set(value))
    found = {
        uid: (customer_id, serial)
        for uid, customer_id, serial in session.execute(
            select(Equipment.id, Equipment.customer_id, Equipment.serial_number).where(
                Equipment.id.in_(ids)
            )
        )
    }
    for uid in ids:
        if uid not in found:
            raise ContractError(
                gettext("equipment: unit %(id)s does not exist", id=uid), "equipment"
            )
        if found[uid][0] != contract.customer_id:
            raise ContractError(
                gettext(
                    "equipment: %(serial)s belongs to another customer than contract %(number)s",
                    serial=found[uid][1],
                    number=contract.number,
                ),
                "equipment",
            )
    return ids


def normalize_changes(
    session: Session, contract: Contract, changes: Any, *, keep_unchanged: bool = False
) -> dict[str, Any]:
    """``changes`` ({term: new value}) checked and made JSON-ready: dates ISO, the fee a
    string with the currency's decimals, ``service_level`` an id, ``equipment`` the sorted
    list of covered unit ids. Terms whose new value equals the current one are dropped
    (unless ``keep_unchanged``); at least one must remain."""
    if not isinstance(changes, dict):
        raise ContractError(
            gettext("changes: give the new values of the terms that change, by term"), "changes"
        )
    unknown = sorted(set(changes) - set(AMENDABLE_TERMS))
    if unknown:
        raise ContractError(
            gettext(
                "changes: %(names)s cannot be amended (amendable terms: %(allowed)s)",
                names=", ".join(unknown),
                allowed=", ".join(AMENDABLE_TERMS),
            ),
            "changes",
        )
    current = contract_terms(session, contract)
    current["equipment"] = [u["id"] for u in current["equipment"]]
    out: dict[str, Any] = {}
    for term in AMENDABLE_TERMS:
        if term not in changes:
            continue
        value = changes[term]
        if term in _DATE_TERMS:
            value = _term_date(value, term)
        elif term in _WHOLE_TERMS:
            value = _term_whole(value, term)
        elif term == "fee":
            try:
                value = str(parse_amount(value, "fee", currency=contract.currency))
            except MoneyError as exc:
                raise ContractError(str(exc), "fee") from exc
        elif term == "service_level":
            value = _term_whole(value, term)
            if session.get(ServiceLevel, value) is None:
                raise ContractError(
                    gettext("service level: %(id)s does not exist", id=value), "service_level"
                )
        elif term == "equipment":
            value = _term_equipment(session, contract, value)
        elif term == "dispute_resolution":
            value = str(value or "").strip() or None
        else:
            value = str(value if value is not None else "").strip()
        if keep_unchanged or value != current[term]:
            out[term] = value
    if not out:
        raise ContractError(
            gettext(
                "changes: name at least one term with a new value different from the current one"
            ),
            "changes",
        )
    return out


def amended_copy(session: Session, contract: Contract, changes: dict[str, Any]) -> Contract:
    """A detached copy of ``contract`` with ``changes`` applied, checked like an activation
    (nothing in the session changes); its ``equipment_ids`` holds the units it would cover."""
    candidate = Contract(
        customer_id=contract.customer_id,
        title=contract.title,
        number=contract.number,
        state=contract.state,
        currency=contract.currency,
        **{
            column: getattr(contract, column)
            for column in (
                "start_date",
                "end_date",
                "service_level_id",
                "fee",
                *RENEWAL_TERMS,
                *CLAUSE_TERMS,
            )
        },
    )
    candidate.id = contract.id
    units = list(
        session.scalars(
            select(ContractEquipment.equipment_id).where(
                ContractEquipment.contract_id == contract.id
            )
        )
    )
    for term, value in changes.items():
        if term in _DATE_TERMS:
            setattr(candidate, term, datetime.date.fromisoformat(value))
        elif term == "fee":
            candidate.fee = Decimal(value)
        elif term == "service_level":
            candidate.service_level_id = value
        elif term == "equipment":
            units = list(value)
        else:
            setattr(candidate, term, value)
    try:  # a term too long for its column is refused now, not when the amendment applies
        check_record(candidate)
    except ColumnValueError as exc:
        raise ContractError(exc.message, exc.field) from exc
    with session.no_autoflush:
        check_terms(session, candidate)
        check_in_force_terms(session, candidate, units)
    candidate.equipment_ids = units  # type: ignore[attr-defined]
    return candidate
