"""Contracts: importing customers, equipment and contracts from CSV/XLSX files."""

import io

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditLog
from core.tabular import ALL_OR_NOTHING, DRY_RUN, VALID_ROWS, read_table
from core.tabular.download import xlsx_bytes
from plugins.contracts import services as s
from plugins.contracts.models import Contact, Contract, Customer, Equipment
from plugins.contracts.services.importing import KINDS
from plugins.contracts.tests.helpers import uscc
from plugins.contracts.views.importing import import_file

pytestmark = pytest.mark.plugins("contracts")

CUSTOMERS = (
    "kind,name,tax_id,address,email,contact_name,contact_phone\n"
    f"company,上海明远医疗设备有限公司,{uscc(1)},上海,a@example.com,王磊,13800000001\n"
    "person,张三,,北京,,,\n"
    "company,没有税号的公司,,深圳,,,\n"
    f"company,杭州湖滨酒店,{uscc(1)},杭州,,,\n"
    "個人,李四,,台北,not-an-email,,\n"
)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def run(session, kind, text, mode, filename="f.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_file(KINDS[kind], data, filename, mode, None)


def errors(report):
    return [(p.row, p.column, p.message) for p in report.errors]


def test_customer_dry_run_reports_each_bad_row_and_writes_nothing(session):
    report = run(session, "customers", CUSTOMERS, DRY_RUN)
    assert (report.total, report.imported) == (5, 2)
    assert errors(report) == [
        (4, "tax_id", "tax ID: is required for a company"),
        (5, "tax_id", f"tax ID: {uscc(1)} belongs to another customer"),
        (6, "email", "e-mail: 'not-an-email' is not an e-mail address"),
    ]
    assert count(session, Customer) == 0


def test_a_file_with_errors_imports_nothing(session):
    report = run(session, "customers", CUSTOMERS, ALL_OR_NOTHING)
    assert (report.imported, report.committed) == (0, False)
    assert count(session, Customer) == 0


def test_importing_the_valid_rows_writes_them_with_their_contacts(session):
    report = run(session, "customers", CUSTOMERS, VALID_ROWS)
    assert (report.imported, report.rejected_rows, report.committed) == (2, 3, True)
    names = session.scalars(select(Customer.name).order_by(Customer.name)).all()
    assert sorted(names) == sorted(["上海明远医疗设备有限公司", "张三"])
    # the audit log holds the written rows only: the rejected rows' entries rolled back
    audited = session.scalars(
        select(AuditLog.record_label).where(AuditLog.table_name == "contracts_customer")
    ).all()
    assert sorted(audited) == sorted(names)
    contact = session.scalars(select(Contact)).one()
    assert (contact.name, contact.phone, contact.customer.name) == (
        "王磊",
        "13800000001",
        "上海明远医疗设备有限公司",
    )


def test_a_bad_contact_rejects_its_row_on_the_contact_column(session):
    text = f"name,tax_id,contact_name,contact_email\n甲公司,{uscc(2)},王磊,bad\n"
    report = run(session, "customers", text, DRY_RUN)
    assert [(p.row, p.column) for p in report.errors] == [(2, "contact_email")]


def test_translated_headers_and_choice_labels_are_accepted(session):
    text = f"类型,名称,统一社会信用代码/税号\n企业,甲公司,{uscc(3)}\n個人,乙,\n"
    report = run(session, "customers", text, ALL_OR_NOTHING)
    assert report.ok and report.imported == 2, errors(report)
    kinds = session.scalars(select(Customer.kind).order_by(Customer.id)).all()
    assert kinds == ["company", "person"]


def world(session):
    customer = s.create_customer(session, kind="company", name="上海明远", tax_id=uscc(1))
    other = s.create_customer(session, kind="company", name="杭州湖滨", tax_id=uscc(2))
    s.create_product(session, product_type="Printer", model="M507", manufacturer="HP")
    s.create_service_level(session, "Gold", "7x24", "on_site", {"P1": (2, 8)})
    session.commit()
    return customer, other


EQUIPMENT = (
    "manufacturer,model,serial_number,customer,installed_on,warranty_end,status\n"
    f"HP,M507,SN-1,{uscc(1)},2025/3/1,2026-03-01,\n"
    "HP,M507,SN-2,杭州湖滨,2025-03-01,,停用\n"
    "HP,X999,SN-3,上海明远,,,\n"
    "HP,M507,SN-1,上海明远,,,\n"
    "HP,M507,SN-4,无此客户,,,\n"
    "HP,M507,SN-5,上海明远,2025-13-01,,\n"
    "HP,M507,SN-6,上海明远,2025-03-01,2024-01-01,\n"
)


def test_equipment_rows_are_checked_like_the_screen_does(session):
    world(session)
    report = run(session, "equipment", EQUIPMENT, VALID_ROWS)
    assert report.imported == 2
    assert [(p.row, p.column) for p in report.errors] == [
        (4, "model"),
        (5, "serial_number"),
        (6, "customer"),
        (7, "installed_on"),
        (8, "warranty_end"),
    ]
    messages = [p.message for p in report.errors]
    assert messages[0] == "product: no product HP X999; create it under Products first"
    assert messages[1] == "serial number: SN-1 is already registered for this product"
    assert messages[2] == "customer: no customer has the tax ID or name 无此客户"
    units = {u.serial_number: u for u in session.scalars(select(Equipment))}
    assert str(units["SN-1"].installed_on) == "2025-03-01"
    assert (units["SN-2"].status, units["SN-2"].customer.name) == ("out_of_service", "杭州湖滨")


def contracts_file(serials="SN-1;SN-2"):
    return (
        "customer,title,start_date,end_date,service_level,fee,billing_cycle,renewal,"
        "notice_days,equipment\n"
        f'上海明远,全保合同,2026-04-01,2027-03-31,Gold,"48,000.50",按季,auto,30,{serials}\n'
        "上海明远,坏日期,2026-04-01,2026-03-01,,100,,,,\n"
        "上海明远,坏金额,2026-04-01,2027-03-31,,12.345,,,,\n"
        "上海明远,坏级别,2026-04-01,2027-03-31,Platinum,100,,,,\n"
        "上海明远,坏设备,2026-04-01,2027-03-31,,100,,,,SN-9\n"
        "上海明远,坏通知期,2026-04-01,2027-03-31,,100,,,x,\n"
    )


def test_contracts_are_imported_as_numbered_drafts_covering_their_units(session):
    customer, _other = world(session)
    for serial in ("SN-1", "SN-2"):
        s.create_equipment(session, product_id=1, customer_id=customer.id, serial_number=serial)
    session.commit()
    report = run(session, "contracts", contracts_file(), VALID_ROWS)
    assert report.imported == 1
    assert [(p.row, p.column) for p in report.errors] == [
        (3, "end_date"),
        (4, "fee"),
        (5, "service_level"),
        (6, "equipment"),
        (7, "notice_days"),
    ]
    made = session.scalars(select(Contract)).one()
    assert (made.number, made.state, str(made.fee)) == ("CT-2026-00001", "draft", "48000.50")
    assert (made.billing_cycle, made.renewal, made.service_level.name) == (
        "quarterly",
        "auto",
        "Gold",
    )
    assert sorted(link.equipment.serial_number for link in made.equipment_links) == [
        "SN-1",
        "SN-2",
    ]


def test_rejected_contract_rows_do_not_use_up_contract_numbers(session):
    world(session)
    run(session, "contracts", contracts_file(serials=""), DRY_RUN)
    report = run(session, "contracts", contracts_file(serials=""), VALID_ROWS)
    assert report.imported == 1
    assert session.scalars(select(Contract.number)).all() == ["CT-2026-00001"]


def test_units_of_another_customer_are_refused(session):
    _customer, other = world(session)
    s.create_equipment(session, product_id=1, customer_id=other.id, serial_number="SN-1")
    session.commit()
    report = run(session, "contracts", contracts_file(serials="SN-1"), DRY_RUN)
    assert report.errors[0].message == (
        "equipment: no unit with serial number SN-1 belongs to 上海明远"
    )


def test_xlsx_files_import_too(session):
    world(session)
    data = xlsx_bytes(
        ["Manufacturer", "Model", "Serial Number", "Customer", "Installation Date"],
        [["HP", "M507", "SN-X", uscc(1), "2025-03-01"]],
    )
    report = run(session, "equipment", data, ALL_OR_NOTHING, filename="units.xlsx")
    assert report.ok and report.imported == 1


def test_template_headers_read_back(app, client, login_as):
    login_as("Contract Manager")
    for kind in KINDS:
        answer = client.get(f"/contracts/import/template/{kind}.xlsx")
        assert answer.status_code == 200, kind
        with pytest.raises(Exception, match="no data rows"):
            read_table(answer.data, "t.xlsx", KINDS[kind].columns())


def upload(client, url, text, **form):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "customers.csv"), **form}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_screen_checks_first_then_imports_the_kept_file(client, login_as, session):
    login_as("Contract Manager")
    form = client.get("/contracts/import/?kind=customers")
    assert form.status_code == 200 and 'id="import-form"' in form.text
    assert "contact_name" in form.text  # the column list
    checked = upload(client, "/contracts/import/", CUSTOMERS, kind="customers", mode="dry_run")
    assert checked.status_code == 200
    assert "3 of 5 rows have errors" in checked.text
    assert "belongs to another customer" in checked.text
    assert count(session, Customer) == 0
    token = checked.text.split('name="token" value="')[1].split('"')[0]
    done = client.post(
        "/contracts/import/", data={"token": token, "kind": "customers", "mode": "valid_rows"}
    )
    assert "Imported 2 of 5 rows." in done.text
    assert count(session, Customer) == 2
    again = client.post(
        "/contracts/import/", data={"token": token, "kind": "customers", "mode": "valid_rows"}
    )
    assert "the upload has expired" in again.text
    assert count(session, Customer) == 2


def test_screen_refuses_kinds_the_user_may_not_write(client, login_as):
    login_as("Sales")
    assert client.get("/contracts/import/?kind=customers").status_code == 200
    assert client.get("/contracts/import/?kind=equipment").status_code == 403
    client.get("/logout/")
    login_as("Staff Read-only")
    answer = client.get("/contracts/import/?kind=customers")
    assert answer.status_code in (302, 403)


def test_import_api(client, api_headers, session):
    headers = api_headers("Contract Manager")

    def post(text, **form):
        data = {"file": (io.BytesIO(text.encode("utf-8")), "customers.csv"), **form}
        return client.post(
            "/api/v1/contracts_import/customers",
            data=data,
            headers=headers,
            content_type="multipart/form-data",
        )

    dry = post(CUSTOMERS)
    assert dry.status_code == 200 and dry.json["mode"] == "dry_run"
    assert dry.json["errors"][0] == {
        "row": 4,
        "column": "tax_id",
        "label": "Unified Social Credit Code / Tax ID",
        "message": "tax ID: is required for a company",
    }
    refused = post(CUSTOMERS, mode="all")
    assert (refused.status_code, refused.json["field"]) == (422, "file")
    assert "3 of 5 rows have errors" in refused.json["message"]
    assert count(session, Customer) == 0
    done = post(CUSTOMERS, mode="valid_rows")
    assert (done.status_code, done.json["imported"], done.json["rejected"]) == (201, 2, 3)
    bad = post("colour\nred\n")
    assert (bad.status_code, bad.json["field"]) == (422, "file")
    mode = post(CUSTOMERS, mode="everything")
    assert (mode.status_code, mode.json["field"]) == (422, "mode")
    unknown = client.post("/api/v1/contracts_import/parts", headers=headers)
    assert (unknown.status_code, unknown.json["field"]) == (404, "kind")
    template = client.get("/api/v1/contracts_import/equipment/template?format=csv", headers=headers)
    assert template.data.decode("utf-8-sig").startswith("Manufacturer*,Model*,Serial Number*")


def test_import_api_permissions(client, api_headers):
    sales = api_headers("Sales")
    answer = client.post("/api/v1/contracts_import/equipment", headers=sales)
    assert (answer.status_code, answer.json["field"]) == (403, "kind")
    reader = api_headers("Staff Read-only")
    assert client.post("/api/v1/contracts_import/customers", headers=reader).status_code == 403
