"""Screens of customers, their addresses and contacts."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import Contact, Customer, CustomerAddress
from plugins.contracts.services.labels import LABELS
from plugins.contracts.views.common import ContractsView, choice_labels, selects


class CustomerAddressView(ContractsView):
    """Addresses of a customer (shown inside the customer): one default per kind."""

    datamodel = SQLAInterface(CustomerAddress)
    route_base = "/contracts/customer-addresses"
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_address)
    list_title = _("Addresses")
    list_columns = ["customer.name", "kind", "name", "address", "postal_code", "is_default"]
    add_columns = edit_columns = show_columns = [
        "customer",
        "kind",
        "name",
        "address",
        "postal_code",
        "is_default",
    ]
    search_columns = ["customer", "kind", "address"]
    base_order = ("kind", "asc")
    label_columns = {**LABELS, "kind": _("Kind"), "name": _("Name")}
    add_form_extra_fields = edit_form_extra_fields = selects(kind="address_kind")
    formatters_columns = {
        **choice_labels(kind="address_kind"),
        "is_default": lambda v: "✓" if v else "",
    }

    def pre_delete(self, item: CustomerAddress) -> None:
        """An address units are installed at stays; a removed default hands over."""
        services.check_address_removal(db.session, item)


class CustomerView(ContractsView):
    """Customers: companies (with their USCC) and persons."""

    datamodel = SQLAInterface(Customer)
    route_base = "/contracts/customers"
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_customer)
    list_title = _("Customers")
    list_columns = ["name", "kind", "tax_id", "phone", "email"]
    add_columns = edit_columns = ["kind", "name", "tax_id", "address", "phone", "email"]
    show_columns = add_columns
    search_columns = ["name", "kind", "tax_id", "phone"]
    base_order = ("name", "asc")
    add_form_extra_fields = edit_form_extra_fields = selects("kind")
    formatters_columns = choice_labels("kind")
    related_views = [CustomerAddressView]


class ContactView(ContractsView):
    """Contacts of customers."""

    datamodel = SQLAInterface(Contact)
    route_base = "/contracts/contacts"
    class_permission_name = "contracts_contact"
    prepare = staticmethod(services.prepare_contact)
    list_title = _("Contacts")
    list_columns = ["name", "customer.name", "phone", "email", "wechat_id"]
    add_columns = edit_columns = show_columns = [
        "customer",
        "name",
        "phone",
        "email",
        "wechat_id",
    ]
    search_columns = ["name", "customer", "phone"]
