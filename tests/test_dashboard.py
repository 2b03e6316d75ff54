"""The home dashboard: widgets by permission and order, charts drawn locally, failures contained."""

from __future__ import annotations

import datetime
import json
import logging
import re
import types
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from core.contributions import DashboardWidget
from core.hooks import hookimpl
from core.testing import builtin_plugin_packages, create_user

SAMPLES = ["sample_alpha", "sample_beta"]
CHART_JS = "/static/core/vendor/chartjs/chart.umd.min.js"


def widget_module(*widgets: DashboardWidget) -> types.SimpleNamespace:
    """A hook module contributing ``widgets`` (passed through ``EXTRA_HOOK_MODULES``)."""

    @hookimpl
    def aftersales_dashboard_widgets():
        return list(widgets)

    return types.SimpleNamespace(aftersales_dashboard_widgets=aftersales_dashboard_widgets)


def login(app, *roles, username=None):
    client = app.test_client()
    user = create_user(app, list(roles), username)
    response = client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    assert response.status_code == 302, response.text
    return client


def tile(html: str, name: str) -> str:
    """The HTML of the widget tile named ``name`` (empty when it is not on the page)."""
    start = html.find(f'id="widget-{name}"')
    if start < 0:
        return ""
    end = html.find("data-widget=", start + len(name) + 30)
    return html[start : end if end > 0 else len(html)]


def chart_config(html: str, name: str) -> dict:
    """The Chart.js config embedded for the chart widget ``name``."""
    match = re.search(
        rf'<script type="application/json" id="widget-{name}-config"[^>]*>(.*?)</script>',
        html,
        re.S,
    )
    assert match, f"no chart config for {name}"
    return json.loads(match.group(1))


def widget_names(html: str) -> list[str]:
    return re.findall(r'data-widget="([^"]+)"', html)


def test_admin_sees_enabled_modules_count_linking_to_the_modules_screen(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        client = login(app, "Admin")
    page = client.get("/")
    assert page.status_code == 200
    count = tile(page.text, "core_enabled_modules")
    assert "Enabled modules" in count
    assert re.search(r'<a href="/modules/">\s*2\s*</a>', count), count
    installed = len(builtin_plugin_packages()) + len(SAMPLES)
    assert f"{installed} installed" in count


def test_user_without_admin_permissions_sees_only_his_widgets(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        client = login(app, "Alpha User")
    names = widget_names(client.get("/").text)
    assert names == ["alpha_notes"]


def test_anonymous_visitor_sees_no_widget(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert widget_names(page.text) == []
    assert CHART_JS not in page.text


def test_users_by_role_chart_counts_active_users_and_uses_the_local_chart_library(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        create_user(app, ["Alpha User"], "ann")
        create_user(app, ["Alpha User"], "bob")
        gone = create_user(app, ["Alpha User"], "cid")
        gone.active = False
        app.appbuilder.sm.update_user(gone)
        client = login(app, "Admin")
    page = client.get("/")
    config = chart_config(page.text, "core_users_by_role")
    counts = dict(zip(config["data"]["labels"], config["data"]["datasets"][0]["data"], strict=True))
    assert counts["Alpha User"] == 2
    assert counts["Admin"] == 1
    assert "Public" not in counts
    assert '<canvas id="widget-core_users_by_role-canvas"' in page.text
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    assert CHART_JS in scripts
    assert "/static/core/dashboard.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], scripts
    for src in (CHART_JS, "/static/core/dashboard.js"):
        asset = client.get(src)
        assert asset.status_code == 200
        asset.close()


def test_chart_config_cannot_break_out_of_its_script_element(make_app):
    hostile = "</script><script>alert('x')</script>"

    def chart(session):
        return {"type": "bar", "data": {"labels": [hostile], "datasets": [{"data": [1]}]}}

    extra = widget_module(DashboardWidget("hostile", "Hostile", "chart", chart))
    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"EXTRA_HOOK_MODULES": [extra]})
    with app.app_context():
        client = login(app, "Alpha User")
    page = client.get("/").text
    assert "<script>alert(" not in page
    assert chart_config(page, "hostile")["data"]["labels"] == [hostile]


def test_a_failing_widget_shows_an_error_in_its_tile_and_the_others_still_render(make_app, caplog):
    def broken(session):
        session.execute(text("SELECT * FROM no_such_table"))
        return {"value": 1}

    def after(session):
        from sample_alpha.models import AlphaNote

        return {"value": session.scalar(select(func.count()).select_from(AlphaNote))}

    extra = widget_module(
        DashboardWidget("broken", "Broken tile", "count", broken, order=1),
        DashboardWidget("after_broken", "After the broken one", "count", after, order=2),
    )
    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"EXTRA_HOOK_MODULES": [extra]})
    with app.app_context():
        client = login(app, "Alpha User")
    with caplog.at_level(logging.ERROR, logger="core.dashboard.views"):
        page = client.get("/")
    assert page.status_code == 200
    assert "This widget could not be loaded." in tile(page.text, "broken")
    assert "no_such_table" not in page.text
    assert re.search(r'class="as-count">\s*0\s*<', tile(page.text, "after_broken"))
    assert "Alpha notes" in page.text
    assert any("broken" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("gauge", {"value": 1}),
        ("count", {"rows": []}),
        ("list", {"rows": 3}),
        ("chart", {"labels": ["a"]}),
        ("count", ["not", "a", "dict"]),
    ],
)
def test_a_widget_with_data_of_the_wrong_shape_shows_an_error(make_app, kind, data):
    extra = widget_module(DashboardWidget("odd", "Odd tile", kind, lambda session: data))
    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"EXTRA_HOOK_MODULES": [extra]})
    with app.app_context():
        client = login(app, "Alpha User")
    page = client.get("/")
    assert page.status_code == 200
    assert "This widget could not be loaded." in tile(page.text, "odd")


def test_widgets_follow_their_order_and_their_permission(make_app):
    def value(n):
        return lambda session: {"value": n}

    extra = widget_module(
        DashboardWidget("third", "Third", "count", value(3), order=300),
        DashboardWidget("first", "First", "count", value(1), order=1),
        DashboardWidget(
            "admins_only", "Admins", "count", value(9), permission=("can_read", "core_modules")
        ),
        DashboardWidget(
            "list_tile",
            "Latest",
            "list",
            lambda session: {"rows": [{"label": "CT-1", "value": 5, "link": "/x"}]},
            order=200,
        ),
    )
    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"EXTRA_HOOK_MODULES": [extra]})
    with app.app_context():
        client = login(app, "Alpha User")
    page = client.get("/").text
    assert widget_names(page) == ["first", "alpha_notes", "list_tile", "third"]
    assert '<a href="/x">CT-1</a>' in tile(page, "list_tile")


def test_audit_activity_counts_entries_per_company_day_and_action(make_app):
    from core.audit.models import AuditLog
    from core.dashboard.hooks import audit_activity, day_starts
    from core.extensions import db
    from core.timeutil import utcnow

    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"COMPANY_TIME_ZONE": "Asia/Shanghai"})
    zone = ZoneInfo("Asia/Shanghai")
    today = utcnow().astimezone(zone).date()
    today_starts, tomorrow_starts = day_starts(today, 1, zone)
    with app.test_request_context():
        before = audit_activity(db.session)

        def entry(action, at):
            return AuditLog(at=at, action=action, username="t", table_name="x_y", record_id="1")

        db.session.add_all(
            [
                entry("create", today_starts + datetime.timedelta(minutes=10)),
                entry("create", today_starts + datetime.timedelta(minutes=20)),
                entry("update", today_starts - datetime.timedelta(minutes=30)),  # yesterday
                entry("delete", today_starts - datetime.timedelta(days=20)),  # too old
            ]
        )
        db.session.commit()
        after = audit_activity(db.session)

    def per_action(config):
        return {d["label"]: d["data"] for d in config["data"]["datasets"]}

    old, new = per_action(before), per_action(after)
    assert len(after["data"]["labels"]) == 14
    assert after["data"]["labels"][-1] == today.strftime("%m-%d")
    zeros = [0] * 14
    assert [n - o for n, o in zip(new["Created"], old.get("Created", zeros), strict=True)] == [
        *[0] * 13,
        2,
    ]
    assert [n - o for n, o in zip(new["Updated"], old.get("Updated", zeros), strict=True)] == [
        *[0] * 12,
        1,
        0,
    ]
    assert "Deleted" not in new or new["Deleted"] == old.get("Deleted")
    assert tomorrow_starts - today_starts == datetime.timedelta(days=1)


def test_admin_sees_the_audit_chart_on_the_dashboard(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        client = login(app, "Admin")
    config = chart_config(client.get("/").text, "core_audit_activity")
    assert config["type"] == "bar"
    assert len(config["data"]["labels"]) == 14
