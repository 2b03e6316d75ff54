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
