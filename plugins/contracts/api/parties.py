"""REST endpoints of customers, their addresses and contacts."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import Contact, Customer, CustomerAddress


class CustomerApi(CheckedModelApi):
    """``/api/v1/customer/``."""

    resource_name = "customer"
    datamodel = SQLAInterface(Customer)
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_customer)
    add_columns = edit_columns = ["kind", "name", "tax_id", "address", "phone", "email"]
    list_columns = show_columns = ["id", *add_columns]
    search_columns = ["kind", "name", "tax_id"]


class CustomerAddressApi(CheckedModelApi):
    """``/api/v1/customer_address/``: registered, billing, site and mailing addresses, one
    default per kind."""

    resource_name = "customer_address"
    datamodel = SQLAInterface(CustomerAddress)
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_address)
    add_columns = ["customer", "kind", "name", "address", "postal_code", "is_default"]
    edit_columns = add_columns[1:]
    list_columns = show_columns = ["id", "customer.id", "customer.name", *add_columns[1:]]
    search_columns = ["customer", "kind", "is_default"]

    def pre_delete(self, item: CustomerAddress) -> None:
        """An address units are installed at stays (409)."""
        services.check_address_removal(db.session, item)


class ContactApi(CheckedModelApi):
    """``/api/v1/contact/``."""

    resource_name = "contact"
    datamodel = SQLAInterface(Contact)
    class_permission_name = "contracts_contact"
    prepare = staticmethod(services.prepare_contact)
    add_columns = edit_columns = ["customer", "name", "phone", "email", "wechat_id"]
    list_columns = show_columns = [
        "id",
        "customer.name",
        "name",
        "phone",
        "email",
        "wechat_id",
    ]
    search_columns = ["customer", "name"]
