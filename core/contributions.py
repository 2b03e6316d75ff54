"""Value types that plugins return from hooks (see :mod:`core.hookspecs`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.jobs.context import JobContext
    from core.visibility import Viewer


@dataclass(frozen=True)
class RoleSpec:
    """A role and the permissions it holds.

    ``permissions`` are ``(permission, view_menu)`` pairs, as Flask-AppBuilder names them:
    ``("can_list", "contracts_contract")``, ``("menu_access", "Contracts")``. A permission of
    ``"*"`` grants every permission the view defines (read from the registered views).

    ``includes`` names permission sets (:class:`PermissionSet`, ``"contracts.read"``) of this
    plugin or of the plugins in its ``depends``/``optional``: the role holds their permissions
    too. A set of a plugin that is not enabled is left out; so a plugin grants its roles what
    they need of a dependency without the dependency naming them.
    """

    name: str
    permissions: Sequence[tuple[str, str]] = ()
    includes: Sequence[str] = ()


@dataclass(frozen=True)
class PermissionSet:
    """A named bundle of permissions a plugin offers to roles: its own and its dependants'.

    ``name`` is ``"<plugin>.<set>"`` (``"inventory.stock_read"``). ``includes`` names other
    sets whose permissions come with this one. ``granted_with`` names sets of the plugins
    this one depends on: every role holding one of them also holds this set. That is how a
    glue plugin reaches the roles of the plugins it joins (``parts_compatibility.links_read``
    is granted with ``inventory.stock_read``) without naming a single role.
    """

    name: str
    permissions: Sequence[tuple[str, str]] = ()
    includes: Sequence[str] = ()
    granted_with: Sequence[str] = ()


@dataclass(frozen=True)
class JobSpec:
    """A background job.

    ``run(context)`` does the work; ``context.session`` is a database session and
    ``context.progress(done, total, message)`` reports progress. ``schedule`` is a crontab
    string (``"0 2 * * *"``, in the company time zone) or ``None`` for on-demand jobs.
    """

    name: str
    run: Callable[[JobContext], Any]
    description: str = ""
    schedule: str | None = None


@dataclass(frozen=True)
class DashboardWidget:
    """A tile of the home dashboard.

    ``kind`` is ``"count"`` (``data`` returns ``{"value": n, "link": url}``), ``"list"``
    (``{"rows": [{"label": .., "value": .., "link": ..}]}``) or ``"chart"`` (a Chart.js
    config: ``{"type": "bar", "data": {...}}``). ``permission`` is a ``(permission, view_menu)``
    pair the user must hold, or ``None`` for every logged-in user.
    """

    name: str
    title: Any
    kind: str
    data: Callable[[Session], dict[str, Any]]
    permission: tuple[str, str] | None = None
    order: int = 100
    width: int = 4


@dataclass(frozen=True)
class DocumentSection:
    """One section of a composed document (a contract's service report, say).

    ``paragraphs`` are plain text; ``table`` is ``(headers, rows)``. Both are rendered on the
    screen and in the PDF, so a contributor never writes HTML or PDF code.
    """

    title: str
    order: int = 100
    paragraphs: Sequence[str] = ()
    table: tuple[Sequence[str], Sequence[Sequence[Any]]] | None = None
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class RowRule:
    """Which rows of ``model`` a user sees (see :mod:`core.visibility`).

    Give exactly one of:

    * ``visible(viewer)``: the SQL condition on ``model`` selecting the rows the
      :class:`core.visibility.Viewer` sees, or ``None`` when they see every row;
    * ``parent``: the name of a many-to-one relation of ``model`` whose target's rule the
      rows follow (``RowRule(ClockEvent, parent="work_order")``).
    """

    model: type
    visible: Callable[[Viewer], Any] | None = None
    parent: str | None = None

    def __post_init__(self) -> None:
        if (self.visible is None) == (self.parent is None):
            raise ValueError(f"RowRule({self.model.__name__}): give visible or parent, not both")


@dataclass(frozen=True)
class RelatedPanel:
    """A button with a count on another model's record page (Odoo's smart button): on the
    page of a row of table ``on``, "``label`` (n)" counts the rows of ``model`` whose
    many-to-one ``relation`` points to that row, and links to their list.

    ``on`` names the table, so a plugin adds a panel to another plugin's record page
    without importing it: ``RelatedPanel("contracts_customer", WorkOrder, "customer",
    _("Work orders"), icon="fa-wrench")``. Only users who may read ``model``'s screen see it;
    the count keeps to the rows they see.
    """

    on: str
    model: type
    relation: str
    label: Any
    icon: str = "fa-list"
    order: int = 100
