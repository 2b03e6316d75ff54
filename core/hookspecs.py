"""The hooks a plugin may implement, grouped by the phase in which core calls them.

Every hook is called through :class:`core.plugins.PluginHooks`, never through ``pm.hook``
directly. Hooks run in dependency order: a plugin's dependencies' implementations run first.
A plugin implements only the hooks it needs::

    from core.hooks import hookimpl

    @hookimpl
    def aftersales_models():
        from plugins.contracts import models
        return [models.Customer, models.Contract]

Data types used by these hooks (``RoleSpec``, ``JobSpec``, ``DashboardWidget``,
``DocumentSection``) live in :mod:`core.contributions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hooks import hookspec

if TYPE_CHECKING:
    import datetime

    import click
    import pluggy
    from flask import Flask
    from flask_appbuilder import AppBuilder
    from sqlalchemy.orm import Session

    from core.contributions import (
        DashboardWidget,
        DocumentSection,
        JobSpec,
        PermissionSet,
        RelatedPanel,
        RoleSpec,
        RowRule,
    )
    from core.events import Event


# --- Start-up: before the app exists ---------------------------------------------------------


@hookspec
def aftersales_add_hookspecs(pm: pluggy.PluginManager) -> None:
    """Add hookspecs of this plugin's own, for other plugins to implement.

    Call ``pm.add_hookspecs(my_hookspecs_module)``. Billing offers payment providers this way,
    feedback its channels. Implementations of such hooks in plugins that may run without the
    offering plugin must be marked ``@hookimpl(optionalhook=True)``.
    """


@hookspec
def aftersales_config_defaults() -> dict[str, Any]:
    """Return default settings for this plugin (``{"CONTRACTS_NOTICE_DAYS": 30}``).

    Defaults never override a value set in ``config.py``, the config file or the environment.
    """


@hookspec
def aftersales_models() -> list[type]:
    """Return this plugin's SQLAlchemy model classes.

    Every table must start with ``<plugin name>_``. Core uses this list to build the metadata
    of the plugin's migrations, for the meta-tests, and for the audit log.
    """


# --- App assembly: inside ``create_app``, after Flask-AppBuilder is initialised ---------------


@hookspec
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """Add this plugin's screens and menu entries with ``appbuilder.add_view(...)``.

    Menu labels must be ``lazy_gettext`` strings; every view sets a stable, namespaced
    ``class_permission_name`` (``"maintenance_work_order"``).
    """


@hookspec
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """Add this plugin's REST APIs with ``appbuilder.add_api(...)``.

    APIs are served under ``/api/v1/<resource_name>/`` and appear in ``/api/v1/_openapi``.
    """


@hookspec
def aftersales_roles() -> list[RoleSpec]:
    """Return the roles this plugin defines and the permissions each role holds.

    Core creates missing roles and permissions and grants them at start-up and after
    ``aftersales db upgrade``; running it again changes nothing. Two plugins may both add
    permissions to one role name (``"Technician"``).
    """


@hookspec
def aftersales_permission_sets() -> list[PermissionSet]:
    """Return the permission sets this plugin offers (``"<plugin>.<set>"``).

    A set bundles permissions that go together (reading contracts, keeping stock). Roles of
    this plugin and of the plugins that depend on it name sets in ``RoleSpec.includes``
    instead of listing another plugin's objects; a set's ``granted_with`` adds it to every
    role that holds a set of a dependency. A role naming an unknown set of an enabled
    plugin, or a set of a plugin it does not depend on, stops start-up with the reason.
    """


@hookspec
def aftersales_row_rules() -> list[RowRule]:
    """Return which rows of this plugin's models each user sees (:mod:`core.visibility`).

    A rule is declared once per model and core applies it to every screen, API, relation
    picker, filter choice and relation field that reaches the model's rows; a plugin's own
    reports call :func:`core.visibility.check_visible`. Children follow their parent with
    ``RowRule(Child, parent="relation")``. Models without a rule are visible to everybody
    who may read them.
    """


@hookspec
def aftersales_related_panels() -> list[RelatedPanel]:
    """Return buttons with counts this plugin adds to record pages (its own or another
    plugin's, named by table): "Work orders (3)" on a customer, linking to the list
    (:class:`core.contributions.RelatedPanel`, :mod:`core.related_panels`). Example::

        @hookimpl
        def aftersales_related_panels():
            from my_plugin.models import Loan

            return [RelatedPanel("contracts_customer", Loan, "customer", _("Loans"))]
    """


@hookspec
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Return the widgets this plugin shows on the home dashboard (counts, lists, charts).

    A widget is shown only to users holding its permission.
    """


@hookspec
def aftersales_app_ready(app: Flask) -> None:
    """Called once the app is fully assembled (views, APIs, roles): a last chance to add
    blueprints, template filters or context processors. Runs inside an app context."""


# --- Command line ----------------------------------------------------------------------------


@hookspec
def aftersales_cli_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``aftersales`` command (``cli.add_command(...)``).

    Commands run inside an app context; use ``core.extensions.db.session``.
    """


# --- Data ------------------------------------------------------------------------------------


@hookspec
def aftersales_load_demo(session: Session, scale: int) -> None:
    """Create this plugin's demo records in ``session`` (core commits).

    Called in dependency order when the database is empty, so a plugin may rely on its
    dependencies' demo data. ``scale`` is 1 for the demo and larger for benchmarks.
    """


# --- Jobs ------------------------------------------------------------------------------------


@hookspec
def aftersales_jobs() -> list[JobSpec]:
    """Return this plugin's background jobs with their schedules.

    A job must be idempotent (running it twice changes nothing more), resumable after a crash,
    and report progress through the context it receives.
    """


# --- Domain events ---------------------------------------------------------------------------


@hookspec
def aftersales_on_event(session: Session, event: Event) -> None:
    """React to a domain event inside the transaction that published it.

    Whatever this handler writes commits or rolls back with the publisher's work; raising
    aborts the publisher's action. Check ``isinstance(event, ...)`` for the events you need.
    """


@hookspec
def aftersales_after_commit(event: Event) -> None:
    """Run a side effect (mail, webhook, cache) after the publishing transaction committed.

    Never called when it rolled back. Errors are logged, not raised: the data is committed.
    """


# --- Documents -------------------------------------------------------------------------------


@hookspec
def aftersales_document_sections(
    document: str,
    subject: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> list[DocumentSection]:
    """Contribute sections to another plugin's document.

    ``document`` names the document (``"contracts.service_report"``), ``subject`` is its
    record (the contract). Return ``[]`` for documents you do not contribute to. Sections are
    ordered by their ``order`` and rendered both on screen and in the PDF.
    """
