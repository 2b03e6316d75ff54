"""Hooks of sample_checked: a screen and an API whose ``prepare`` fills two required columns."""

import datetime

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from sqlalchemy import func, select

from core.contributions import RoleSpec
from core.crud import CheckedModelApi, CheckedModelView
from core.errors import RuleError
from core.hooks import hookimpl
from core.screen_api import api_for
from sample_checked.models import Ticket

TICKET = "sample_checked_ticket"
COLUMNS = ["title", "reference", "due_on"]


def prepare_ticket(session, ticket):
    """Refuse a blank title; give a ticket without a reference the next ``T-n`` and one
    without a due date 2026-01-31."""
    if not (ticket.title or "").strip():
        raise RuleError("title: is required", "title")
    if not ticket.reference:
        count = session.scalar(select(func.count()).select_from(Ticket))
        ticket.reference = f"T-{count + 1}"
    if ticket.due_on is None:
        ticket.due_on = datetime.date(2026, 1, 31)


class TicketView(CheckedModelView):
    datamodel = SQLAInterface(Ticket)
    route_base = "/checked/tickets"
    class_permission_name = TICKET
    prepare = staticmethod(prepare_ticket)
    filled_by_prepare = ("reference", "due_on")
    list_columns = add_columns = edit_columns = COLUMNS
    label_columns = {"title": _("Subject"), "reference": _("Ticket Number")}


class TicketApi(CheckedModelApi):
    resource_name = "checked_ticket"
    datamodel = SQLAInterface(Ticket)
    class_permission_name = TICKET
    prepare = staticmethod(prepare_ticket)
    filled_by_prepare = ("reference", "due_on")
    add_columns = edit_columns = COLUMNS
    list_columns = show_columns = ["id", *COLUMNS]
    label_columns = {"reference": _("Our Reference")}


class StrictTicketApi(CheckedModelApi):
    """The same API without ``filled_by_prepare``: the reference is required."""

    resource_name = "strict_ticket"
    datamodel = SQLAInterface(Ticket)
    class_permission_name = TICKET
    prepare = staticmethod(prepare_ticket)
    add_columns = edit_columns = COLUMNS


@hookimpl
def aftersales_models():
    return [Ticket]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(TicketView, "Tickets", category="Checked")


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder):
    appbuilder.add_api(TicketApi)
    appbuilder.add_api(StrictTicketApi)
    appbuilder.add_api(api_for(TicketView, "ticket_screen"))


@hookimpl
def aftersales_roles():
    return [RoleSpec("Ticket Writer", [("*", TICKET), ("menu_access", "Tickets")])]
