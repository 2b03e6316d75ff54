"""Rules of contracts: parties, equipment, contracts' lifecycle and the coverage engine.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`ContractError`, whose message names the field and the
rule, and whose ``status`` is the HTTP status an API answers (422 invalid, 409 conflict).
Other plugins may call everything here.

The rules live in short modules, each re-exported here (``services.coverage(...)`` and
``from plugins.contracts.services import X`` work for every public name). From the bottom up
(a module imports only the ones above it):

- ``errors``: :class:`ContractError`; ``common``: the company's today and small field checks.
- ``parties``: customers, contacts, addresses; ``equipment``: products and units;
  ``service_levels``: service-level terms.
- ``terms``: a contract's own terms, numbering and manager; ``scope``: covered units and
  product ranges; ``entitlements``: entitlement lines and part lists.
- ``activation``: the rules to come into force; ``versions``: snapshots and comparison.
- ``lifecycle``: the state machine; ``expiry``: the daily job and the managers' notices.
- ``usage``: quotas per contract year; ``coverage``: :func:`coverage`.
- ``changes``, ``attachments``, ``amendments``: amendments of contracts in force.
- ``calendar``: upcoming cancel-by and end dates.
"""

from plugins.contracts.services.activation import (
    check_activation,
    check_in_force_terms,
)
from plugins.contracts.services.amendments import (
    AMENDMENT_ACTIONS,
    AMENDMENT_ALLOWED_FROM,
    apply_amendment,
    available_amendment_actions,
    confirm_amendment,
    create_amendment,
    get_amendment,
    update_amendment,
    withdraw_amendment,
)
from plugins.contracts.services.attachments import (
    ATTACHMENT_TYPES,
    DEFAULT_ATTACHMENT_MAX_BYTES,
    attach_signed_copy,
    attachment_file,
    attachment_folder,
)
from plugins.contracts.services.calendar import (
    CANCEL_BY,
    END,
    MAX_CALENDAR_DAYS,
    CalendarEntry,
    by_month,
    upcoming_dates,
)
from plugins.contracts.services.changes import (
    AMENDABLE_TERMS,
    normalize_changes,
    parse_date,
)
from plugins.contracts.services.common import (
    company_today,
)
from plugins.contracts.services.coverage import (
    Coverage,
    coverage,
)
from plugins.contracts.services.entitlements import (
    add_entitlement,
    add_entitlement_part,
    check_entitlement_part_removal,
    prepare_entitlement,
    prepare_entitlement_part,
)
from plugins.contracts.services.equipment import (
    create_equipment,
    create_product,
    prepare_equipment,
    prepare_product,
)
from plugins.contracts.services.errors import (
    ContractError,
)
from plugins.contracts.services.expiry import (
    ending_within,
    expiring_within,
    notify_expiring,
    run_daily_lifecycle,
)
from plugins.contracts.services.lifecycle import (
    ACTIONS,
    ALLOWED_FROM,
    activate,
    approve,
    available_actions,
    count_by_state,
    expire,
    mark_expiring,
    renew,
    return_to_draft,
    submit_for_review,
    terminate,
)
from plugins.contracts.services.parties import (
    check_address_removal,
    check_tax_id,
    create_address,
    create_contact,
    create_customer,
    default_address,
    find_customers,
    get_customer,
    prepare_address,
    prepare_contact,
    prepare_customer,
    remove_address,
)

# After the rules above: report builds on them (it reads ``services.<name>``).
from plugins.contracts.services.report import default_period, service_report  # noqa: E402
from plugins.contracts.services.scope import (
    check_range_removal,
    cover_equipment,
    cover_range,
    prepare_contract_equipment,
    prepare_contract_range,
    range_covers,
    range_units,
)
from plugins.contracts.services.service_levels import (
    calendar_choices,
    create_service_level,
    prepare_service_level,
    prepare_target,
)
from plugins.contracts.services.terms import (
    CONTRACT_FIELDS,
    EDITABLE_STATES,
    SEQUENCE,
    add_months,
    assign_manager,
    cancel_by_date,
    check_terms,
    create_contract,
    ensure_sequence,
    get_contract,
    prepare_contract,
)
from plugins.contracts.services.usage import (
    contract_year,
    record_usage,
)
from plugins.contracts.services.versions import (
    COMPARED_TERMS,
    compare_versions,
    contract_terms,
    get_version,
    record_version,
)

__all__ = [
    "ACTIONS",
    "ALLOWED_FROM",
    "AMENDABLE_TERMS",
    "AMENDMENT_ACTIONS",
    "AMENDMENT_ALLOWED_FROM",
    "ATTACHMENT_TYPES",
    "CANCEL_BY",
    "COMPARED_TERMS",
    "CONTRACT_FIELDS",
    "CalendarEntry",
    "ContractError",
    "Coverage",
    "DEFAULT_ATTACHMENT_MAX_BYTES",
    "EDITABLE_STATES",
    "END",
    "MAX_CALENDAR_DAYS",
    "SEQUENCE",
    "activate",
    "add_entitlement",
    "add_entitlement_part",
    "add_months",
    "apply_amendment",
    "approve",
    "assign_manager",
    "attach_signed_copy",
    "attachment_file",
    "attachment_folder",
    "available_actions",
    "available_amendment_actions",
    "by_month",
    "calendar_choices",
    "cancel_by_date",
    "check_activation",
    "check_address_removal",
    "check_entitlement_part_removal",
    "check_in_force_terms",
    "check_range_removal",
    "check_tax_id",
    "check_terms",
    "company_today",
    "compare_versions",
    "confirm_amendment",
    "contract_terms",
    "contract_year",
    "count_by_state",
    "cover_equipment",
    "cover_range",
    "coverage",
    "create_address",
    "create_amendment",
    "create_contact",
    "create_contract",
    "create_customer",
    "find_customers",
    "get_customer",
    "create_equipment",
    "create_product",
    "create_service_level",
    "default_address",
    "default_period",
    "ensure_sequence",
    "expire",
    "ending_within",
    "expiring_within",
    "get_amendment",
    "get_contract",
    "get_version",
    "mark_expiring",
    "normalize_changes",
    "notify_expiring",
    "parse_date",
    "prepare_address",
    "prepare_contact",
    "prepare_contract",
    "prepare_contract_equipment",
    "prepare_contract_range",
    "prepare_customer",
    "prepare_entitlement",
    "prepare_entitlement_part",
    "prepare_equipment",
    "prepare_product",
    "prepare_service_level",
    "prepare_target",
    "range_covers",
    "range_units",
    "record_usage",
    "record_version",
    "remove_address",
    "renew",
    "return_to_draft",
    "run_daily_lifecycle",
    "service_report",
    "submit_for_review",
    "terminate",
    "upcoming_dates",
    "update_amendment",
    "withdraw_amendment",
]
