"""core.labels: a REST API labels its columns as the screen of the same model does."""

import pytest

from core.testing import create_user, token_headers


def add_labels(client, resource, headers, language=None):
    query = "?q=(keys:!(add_columns))" + (f"&_l_={language}" if language else "")
    answer = client.get(f"/api/v1/{resource}/_info{query}", headers=headers)
    assert answer.status_code == 200, answer.json
    return {column["name"]: column["label"] for column in answer.json["add_columns"]}


def test_the_api_takes_the_screens_labels_and_keeps_its_own(make_app):
    app = make_app(plugins=["sample_checked"], packages=["sample_checked"])
    with app.app_context():
        create_user(app, ["Ticket Writer"], "ann")
    client = app.test_client()
    headers = token_headers(client, "ann")
    assert add_labels(client, "checked_ticket", headers) == {
        "title": "Subject",  # the screen's
        "reference": "Our Reference",  # the API's own
        "due_on": "Due On",  # nobody's: FAB's
    }
    answer = client.get("/api/v1/checked_ticket/", headers=headers)
    assert answer.json["label_columns"]["title"] == "Subject"


@pytest.mark.parametrize(
    ("language", "seen", "contact"),
    [(None, "Time Seen", "Contact"), ("zh", "发现时间", "联系人"), ("zh_TW", "發現時間", "聯絡人")],
)
def test_the_fault_report_api_labels_as_the_fault_report_screen(make_app, language, seen, contact):
    app = make_app(plugins=["contracts", "inventory", "maintenance"])
    with app.app_context():
        create_user(app, ["Admin"], "root")
    client = app.test_client()
    headers = token_headers(client, "root")
    labels = add_labels(client, "fault_report", headers, language)
    assert (labels["seen_at"], labels["contact_name"]) == (seen, contact)


def test_a_column_nobody_labels_is_named_by_its_key_in_words():
    from core.labels import column_words

    assert column_words("due_back") == "Due Back"
    assert column_words("customer.name") == "Customer"  # a relation's name stands for it
    assert column_words("site.city") == "Site City"
    assert column_words("supplier_sku") == "Supplier SKU"


def test_the_extraction_takes_the_words_of_each_mapped_column():
    from core.i18n_extract import column_messages

    source = """
class Loan(db.Model):
    __tablename__ = "loans_loan"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(80))
    customer_id: Mapped[int] = mapped_column(ForeignKey("contracts_customer.id"))
    customer: Mapped[Customer] = relationship()
    tax_id: Mapped[str] = mapped_column(String(20))
    _secret: Mapped[str] = mapped_column(String(20))
    LIMIT: int = 3


class Helper:
    name: Mapped[str]
"""
    assert [words for _line, words in column_messages(source)] == [
        "Serial Number",
        "Customer",
        "Tax ID",  # no tax relation beside it: a column of its own
    ]
    assert list(column_messages("class (:")) == []


@pytest.mark.parametrize(
    ("language", "holder"), [("en", "Holder"), ("zh", "持有人"), ("zh_TW", "持有人")]
)
def test_the_words_of_a_column_are_translated_on_the_screen_and_the_api(make_app, language, holder):
    from pathlib import Path

    from core.i18n import ensure_compiled

    ensure_compiled([Path(__file__).parent / "sample_plugins" / "sample_states" / "translations"])
    app = make_app(plugins=["sample_states"], packages=["sample_states"])
    with app.app_context():
        create_user(app, ["Permit Clerk"], "clerk")
    client = app.test_client()
    client.post("/login/", data={"username": "clerk", "password": "s3cret-pass"})
    page = client.get(f"/states/permits/list/?_l_={language}")
    assert f">{holder}<" in page.text.replace("\n", "").replace(" ", "")
    headers = token_headers(client, "clerk")
    for resource in ("permit", "permit_screen"):
        answer = client.get(f"/api/v1/{resource}/?_l_={language}", headers=headers)
        assert answer.json["label_columns"]["holder"] == holder
