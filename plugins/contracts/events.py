"""Domain events contracts publishes; other plugins react with ``aftersales_on_event`` or
``aftersales_after_commit`` without importing anything else of this plugin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.events import Event


@dataclass(frozen=True)
class ContractStateChanged(Event):
    """A contract moved from ``from_state`` to ``to_state`` (base of the events below)."""

    name: ClassVar[str] = "contracts.contract.state_changed"
    contract_id: int
    number: str
    from_state: str
    to_state: str


@dataclass(frozen=True)
class ContractSubmitted(ContractStateChanged):
    """A draft was submitted for review."""

    name: ClassVar[str] = "contracts.contract.submitted"


@dataclass(frozen=True)
class ContractActivated(ContractStateChanged):
    """A reviewed contract was approved and is now in force."""

    name: ClassVar[str] = "contracts.contract.activated"


@dataclass(frozen=True)
class ContractExpiring(ContractStateChanged):
    """An active contract entered its notice period (its cancel-by date passed)."""

    name: ClassVar[str] = "contracts.contract.expiring"


@dataclass(frozen=True)
class ContractExpired(ContractStateChanged):
    """A contract ended without renewal."""

    name: ClassVar[str] = "contracts.contract.expired"


@dataclass(frozen=True)
class ContractTerminated(ContractStateChanged):
    """A contract was ended early; ``reason`` says why."""

    name: ClassVar[str] = "contracts.contract.terminated"
    reason: str = ""


@dataclass(frozen=True)
class ContractRenewed(ContractStateChanged):
    """A contract was renewed; ``successor_id`` is the new contract that follows it."""

    name: ClassVar[str] = "contracts.contract.renewed"
    successor_id: int = 0


@dataclass(frozen=True)
class ContractAmended(Event):
    """Amendment ``amendment_number`` of contract ``number`` was applied: the contract went
    from version ``previous_version`` to ``version``."""

    name: ClassVar[str] = "contracts.contract.amended"
    contract_id: int
    number: str
    amendment_id: int
    amendment_number: int
    previous_version: int
    version: int
