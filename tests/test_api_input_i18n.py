"""Input refusals come in the caller's language (its own app: the language is chosen per
request, which a module-wide pushed app context would not allow)."""

from core.testing import create_user, token_headers


def test_refusals_are_translated(make_app):
    # its own app, no context pushed: the language is chosen per request
    app = make_app(plugins=["inventory"])
    with app.app_context():
        create_user(app, ["Admin"], "zh-admin")
    client = app.test_client()
    headers = token_headers(client, "zh-admin")
    answer = client.post("/api/v1/inventory_part/?_l_=zh", json=[1], headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json["message"] == "请求体必须是 JSON 对象"
    answer = client.post("/api/v1/inventory_part/?_l_=zh_TW", json={"active": 1}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert "必須為 true 或 false" in answer.json["errors"]["active"], answer.text
