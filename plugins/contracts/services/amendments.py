"""Amendments of contracts in force: drafting and editing them, then confirm (signed by both
parties), apply (the contract changes and a new version is stored) or withdraw.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.events import publish
from plugins.contracts import events
from plugins.contracts.models import (
    ACTIVE,
    AMENDMENT_APPLIED,
    AMENDMENT_CONFIRMED,
    AMENDMENT_DRAFT,
    AMENDMENT_WITHDRAWN,
    EXPIRING,
    IN_FORCE,
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractVersion,
)
from plugins.contracts.services.changes import amended_copy, normalize_changes
from plugins.contracts.services.common import (
    CLAUSE_TERMS,
    RENEWAL_TERMS,
    company_today,
    strip_fields,
)
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.lifecycle import state_event
from plugins.contracts.services.versions import record_version

AMENDMENT_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "confirm": (AMENDMENT_DRAFT,),
    "apply": (AMENDMENT_CONFIRMED,),
    "withdraw": (AMENDMENT_DRAFT, AMENDMENT_CONFIRMED),
}


def _require_amendable(contract: Contract) -> None:
    if contract.state not in IN_FORCE:
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; only an active or expiring contract "
                "is amended (a draft is edited directly)",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )


def require_draft(amendment: ContractAmendment) -> None:
    """:class:`ContractError` 409 unless ``amendment`` is a draft (only a draft changes)."""
    if amendment.state != AMENDMENT_DRAFT:
        raise ContractError(
            gettext(
                "state: amendment %(label)s is %(state)s; only a draft changes",
                label=amendment.label,
                state=amendment.state,
            ),
            "state",
            409,
        )


def _require_amendment_state(amendment: ContractAmendment, action: str, label: str) -> None:
    allowed = AMENDMENT_ALLOWED_FROM[action]
    if amendment.state not in allowed:
        raise ContractError(
            gettext(
                "state: cannot %(action)s amendment %(label)s, it is %(state)s (allowed "
                "from: %(allowed)s)",
                action=label,
                label=amendment.label,
                state=amendment.state,
                allowed=", ".join(allowed),
            ),
            "state",
            409,
        )


def _check_confirmation_fields(amendment: ContractAmendment) -> None:
    strip_fields(amendment, "customer_signer", "company_signer")
    if amendment.signed_on is not None and amendment.signed_on > company_today():
        raise ContractError(
            gettext("signed on: %(date)s is in the future", date=amendment.signed_on.isoformat()),
            "signed_on",
        )


def create_amendment(
    session: Session,
    contract: Contract,
    changes: Any,
    reason: str,
    *,
    customer_signer: str = "",
    company_signer: str = "",
    signed_on: datetime.date | None = None,
) -> ContractAmendment:
    """Draft an amendment of an active or expiring contract: the new values of the terms
    that change and why. Checked at once against the activation rules (refused 4xx naming
    the field); returns it flushed."""
    _require_amendable(contract)
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(gettext("reason: say why the terms change"), "reason")
    normalized = normalize_changes(session, contract, changes)
    amended_copy(session, contract, normalized)
    last = session.scalar(
        select(func.max(ContractAmendment.number)).where(
            ContractAmendment.contract_id == contract.id
        )
    )
    amendment = ContractAmendment(
        contract_id=contract.id,
        number=(last or 0) + 1,
        state=AMENDMENT_DRAFT,
        reason=reason,
        changes=normalized,
        customer_signer=customer_signer,
        company_signer=company_signer,
        signed_on=signed_on,
    )
    amendment.contract = contract
    _check_confirmation_fields(amendment)
    session.add(amendment)
    session.flush()
    return amendment


def update_amendment(
    session: Session, amendment: ContractAmendment, **values: Any
) -> ContractAmendment:
    """Change a draft amendment: ``changes``, ``reason``, ``customer_signer``,
    ``company_signer``, ``signed_on``. Everything is checked before anything changes."""
    allowed = {"changes", "reason", "customer_signer", "company_signer", "signed_on"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ContractError(
            gettext("%(field)s: cannot be changed on an amendment", field=unknown[0]), unknown[0]
        )
    require_draft(amendment)
    contract = amendment.contract
    _require_amendable(contract)
    reason = (values.get("reason", amendment.reason) or "").strip()
    if not reason:
        raise ContractError(gettext("reason: say why the terms change"), "reason")
    changes = amendment.changes
    if "changes" in values:
        changes = normalize_changes(session, contract, values["changes"])
        amended_copy(session, contract, changes)
    signed_on = values.get("signed_on", amendment.signed_on)
    if signed_on is not None and signed_on > company_today(session):
        raise ContractError(
            gettext("signed on: %(date)s is in the future", date=signed_on.isoformat()),
            "signed_on",
        )
    amendment.reason = reason
    amendment.changes = changes
    amendment.signed_on = signed_on
    for name in ("customer_signer", "company_signer"):
        if name in values:
            setattr(amendment, name, (values[name] or "").strip())
    session.flush()
    return amendment


def confirm_amendment(session: Session, amendment: ContractAmendment) -> ContractAmendment:
    """draft -> confirmed: both parties confirmed it in writing (each side's signer, the
    date and the signed copy are required); the changes must still pass the rules."""
    _require_amendment_state(amendment, "confirm", gettext("confirm"))
    contract = amendment.contract
    _require_amendable(contract)
    _check_confirmation_fields(amendment)
    if not amendment.customer_signer:
        raise ContractError(
            gettext("customer signer: who signed for the customer is required"),
            "customer_signer",
        )
    if not amendment.company_signer:
        raise ContractError(
            gettext("company signer: who signed for our company is required"), "company_signer"
        )
    if amendment.signed_on is None:
        raise ContractError(gettext("signed on: the date of signature is required"), "signed_on")
    if not amendment.attachment_path:
        raise ContractError(
            gettext("attachment: the copy signed by both parties is required"), "attachment"
        )
    amended_copy(session, contract, normalize_changes(session, contract, amendment.changes))
    amendment.state = AMENDMENT_CONFIRMED
    session.flush()
    return amendment


def apply_amendment(
    session: Session, amendment: ContractAmendment, today: datetime.date | None = None
) -> ContractVersion:
    """confirmed -> applied: change the contract's terms and covered units, store the new
    contract version and publish ``contracts.contract.amended``. The changed contract must
    pass the activation rules (a unit covered by another contract in force is refused 409
    naming it); a refusal changes nothing. An expiring contract whose new cancel-by date is
    still ahead becomes active again."""
    today = today or company_today(session)
    _require_amendment_state(amendment, "apply", gettext("apply"))
    contract = amendment.contract
    _require_amendable(contract)
    changes = normalize_changes(session, contract, amendment.changes, keep_unchanged=True)
    candidate = amended_copy(session, contract, changes)
    if not contract.versions:  # activated before versions were kept
        record_version(session, contract, contract.start_date)
    previous = max(v.number for v in contract.versions) if contract.versions else 0
    for column in (
        "start_date",
        "end_date",
        "service_level_id",
        "fee",
        *RENEWAL_TERMS,
        "cancel_by",
        *CLAUSE_TERMS,
    ):
        if getattr(contract, column) != getattr(candidate, column):
            setattr(contract, column, getattr(candidate, column))
    wanted = set(candidate.equipment_ids)
    for link in list(contract.equipment_links):
        if link.equipment_id not in wanted:
            contract.equipment_links.remove(link)
    have = {link.equipment_id for link in contract.equipment_links}
    for unit_id in sorted(wanted - have):
        contract.equipment_links.append(ContractEquipment(equipment_id=unit_id))
    state_before = contract.state
    if contract.state == EXPIRING and contract.cancel_by > today:
        contract.state = ACTIVE
    session.flush()
    version = record_version(session, contract, today, amendment)
    session.refresh(contract, ["versions"])
    amendment.state = AMENDMENT_APPLIED
    amendment.applied_on = today
    amendment.version_number = version.number
    session.flush()
    if contract.state != state_before:
        publish(session, state_event(events.ContractStateChanged, contract, state_before))
    publish(
        session,
        events.ContractAmended(
            contract_id=contract.id,
            number=contract.number,
            amendment_id=amendment.id,
            amendment_number=amendment.number,
            previous_version=previous,
            version=version.number,
        ),
    )
    return version


def withdraw_amendment(session: Session, amendment: ContractAmendment) -> ContractAmendment:
    """draft/confirmed -> withdrawn: the amendment will never apply."""
    _require_amendment_state(amendment, "withdraw", gettext("withdraw"))
    amendment.state = AMENDMENT_WITHDRAWN
    session.flush()
    return amendment


AMENDMENT_ACTIONS: dict[str, Callable[..., Any]] = {
    "confirm": confirm_amendment,
    "apply": apply_amendment,
    "withdraw": withdraw_amendment,
}


def available_amendment_actions(state: str) -> set[str]:
    """The actions an amendment in ``state`` allows (the screen shows only these)."""
    return {name for name, allowed in AMENDMENT_ALLOWED_FROM.items() if state in allowed}


def get_amendment(session: Session, amendment_id: int) -> ContractAmendment:
    """An amendment by id; :class:`ContractError` 404 when there is none."""
    amendment = session.get(ContractAmendment, amendment_id)
    if amendment is None:
        raise ContractError(
            gettext("amendment: %(id)s does not exist", id=amendment_id), "amendment", 404
        )
    return amendment
