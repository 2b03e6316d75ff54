"""A real browser against the real app: log in, dashboard charts, three languages, a plugin
screen; and every menu page of the full app under the Content-Security-Policy.

Runs headless Debian Chromium (``/usr/bin/chromium``, or ``$AFTERSALES_CHROMIUM``) through
Playwright; ``playwright install`` cannot download browsers here. Skipped when Chromium is
missing, unless ``CI`` is set (then it fails). Screenshots go to ``tests/artifacts/``
(git-ignored). Any request to a host other than the local server (a CDN), any failed request
and any 4xx/5xx answer fail the test, as do JavaScript errors in the console and
Content-Security-Policy violations (``securitypolicyviolation`` events, "Refused to ..."
console errors).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.testing import create_user

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
SAMPLES = ["sample_alpha", "sample_beta"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def chromium_browser() -> Iterator[object]:
    """Headless Debian Chromium, driven by Playwright."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_app(make_app) -> Iterator[str]:
    """The app with the sample plugins, an admin and a few notes, served on a free port.

    CSRF protection is on, as in production, so the login goes through the real form.
    """
    from werkzeug.serving import make_server

    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"WTF_CSRF_ENABLED": True})
    with app.app_context():
        from sample_alpha.models import AlphaNote

        from core.extensions import db

        create_user(app, ["Admin"], username="admin", password="browser-pass-1")
        db.session.add_all([AlphaNote(title=f"Replace fuser unit #{i}") for i in (1, 2, 3)])
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class Watcher:
    """What the page asked for and what went wrong."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def attach(self, page: object) -> None:
        local = urlsplit(self.origin).netloc
        # Playwright's init scripts are not subject to the page's CSP: this listener sees
        # every violation, whether or not the browser also logs it to the console.
        page.expose_function("__reportCspViolation", lambda text: self.csp_violations.append(text))
        page.add_init_script(CSP_LISTENER)
        page.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme in ("http", "https")
                and urlsplit(r.url).netloc != local
                and self.foreign.append(r.url)
            ),
        )
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.bad_status.append(f"{r.status} {r.url}"),
        )
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and self.console_errors.append(f"{m.text} ({m.location.get('url')})")
            ),
        )
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def problems(self) -> dict[str, list[str]]:
        found = {
            "requests to other hosts (CDN?)": self.foreign,
            "failed requests": self.failed,
            "4xx/5xx answers": self.bad_status,
            "console errors": self.console_errors,
            "Content-Security-Policy violations": self.csp_violations,
        }
        return {k: v for k, v in found.items() if v}


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
    window.__reportCspViolation(
        `${e.effectiveDirective} refused ${e.blockedURI || "inline"} ` +
        `at ${e.sourceFile || document.location.href}:${e.lineNumber} (${e.sample || ""})`
    );
});
"""


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def switch_language(page: object, name: str) -> None:
    """Open the navbar's language menu (the flag) and pick ``name``."""
    page.locator("a.dropdown-toggle:has(i.flag)").click()
    with page.expect_navigation():
        page.get_by_role("link", name=name).click()


def open_menu(page: object, category: str, item: str) -> None:
    """Open a navbar category and follow one of its entries."""
    page.locator("a.dropdown-toggle", has_text=category).first.click()
    with page.expect_navigation():
        page.locator("ul.dropdown-menu a", has_text=item).first.click()


def chart_drawn(page: object, name: str) -> bool:
    """Whether Chart.js drew the canvas of widget ``name`` with a visible size."""
    return page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const chart = window.Chart && window.Chart.getChart(canvas);
            return !!chart && canvas.width > 0 && canvas.height > 0;
        }""",
        f"widget-{name}-canvas",
    )


def admin_session(browser, base_url, **context_options):
    """A new browser context signed in as admin on ``base_url``: its page and the watcher
    of CSP violations, JavaScript errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    watcher = Watcher(base_url)
    watcher.attach(page)
    page.goto(f"{base_url}/login/")
    page.fill("#username", "admin")
    page.fill("#password", "browser-pass-1")
    with page.expect_navigation():
        page.locator("form [type=submit]").click()
    page.wait_for_load_state("networkidle")
    return context, page, watcher


def test_admin_walks_through_dashboard_languages_modules_and_a_plugin_screen(
    chromium_browser, live_app
):
    from playwright.sync_api import expect

    context, page, watcher = admin_session(chromium_browser, live_app, reduced_motion="reduce")
    expect(page.locator("#widget-core_enabled_modules .as-count")).to_have_text("2")
    expect(page.locator("#widget-alpha_notes .as-count")).to_have_text("3")
    assert chart_drawn(page, "core_users_by_role")
    assert chart_drawn(page, "core_audit_activity")
    shot(page, "01-dashboard-en")

    switch_language(page, "简体中文")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#widget-core_enabled_modules .panel-heading")).to_have_text("已启用模块")
    expect(page.locator("body")).to_contain_text("退出登录")
    assert chart_drawn(page, "core_users_by_role")
    shot(page, "02-dashboard-zh")

    switch_language(page, "繁體中文")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#widget-core_enabled_modules .panel-heading")).to_have_text("已啟用模組")
    expect(page.locator("body")).to_contain_text("登出")
    assert chart_drawn(page, "core_users_by_role")
    shot(page, "03-dashboard-zh_TW")

    open_menu(page, "管理", "模組")
    expect(page.locator("h2")).to_have_text("模組")
    expect(page.locator('#modules-table tr[data-module="sample_alpha"]')).to_contain_text("已啟用")
    shot(page, "04-modules-zh_TW")

    open_menu(page, "Alpha", "Alpha Notes")
    expect(page.locator("table.table-bordered")).to_contain_text("Replace fuser unit #2")
    expect(page.locator("body")).to_contain_text("紀錄筆數")
    shot(page, "05-alpha-notes-zh_TW")

    context.close()
    assert watcher.problems() == {}


@pytest.fixture
def full_live_app(make_app) -> Iterator[str]:
    """Every built-in plugin with its demo data and an admin, served on a free port."""
    from werkzeug.serving import make_server

    from core.demo.service import load_demo
    from core.extensions import db

    app = make_app(config={"WTF_CSRF_ENABLED": True})
    with app.app_context():
        create_user(app, ["Admin"], username="admin", password="browser-pass-1")
        load_demo(db.session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


MENU_LINKS = """() => Array.from(
    document.querySelectorAll('.navbar-nav .dropdown-menu a[tabindex="-1"], .navbar-nav > li > a')
).map((a) => a.href).filter((href) => href.startsWith(location.origin)
    && !href.includes("/lang/") && !href.includes("/logout"))"""

FIRST_LINK = """(part) => {
    const link = Array.from(document.querySelectorAll("a[href]"))
        .find((a) => a.pathname.includes(part) && !a.pathname.includes("/delete/"));
    return link ? link.href : null;
}"""


def test_every_menu_page_of_the_full_app_works_under_the_content_security_policy(
    chromium_browser, full_live_app
):
    """Admin opens every menu page, the first record and the add form of every list: no
    CSP violation, no JavaScript error, no failed request."""
    context, page, watcher = admin_session(chromium_browser, full_live_app)
    links = list(dict.fromkeys(page.evaluate(MENU_LINKS)))
    assert len(links) >= 30, links  # every plugin's menus are there
    seen: list[str] = []
    for link in links:
        pages = [link]
        page.goto(link)
        page.wait_for_load_state("networkidle")
        if "/list/" in link:  # the list's first record and its add form: pickers, date fields
            pages += [page.evaluate(FIRST_LINK, "/show/"), page.evaluate(FIRST_LINK, "/add")]
        for extra in pages[1:]:
            if extra:
                page.goto(extra)
                page.wait_for_load_state("networkidle")
        seen += [p for p in pages if p]
        problems = watcher.problems()
        assert problems == {}, f"after {pages}: {problems}"
    for path in ("/users/userinfo/", "/resetmypassword/form"):  # the navbar's profile pages
        page.goto(f"{full_live_app}{path}")
        page.wait_for_load_state("networkidle")
        assert watcher.problems() == {}, f"after {path}: {watcher.problems()}"
    # The import form's kind picker (behaviour in core/static/aftersales.js, no onchange=).
    page.goto(f"{full_live_app}/contracts/import/")
    other = page.evaluate("() => document.querySelectorAll('#kind option')[1].value")
    with page.expect_navigation():
        page.select_option("#kind", other)
    assert page.url.endswith(f"/contracts/import/?kind={other}")
    assert page.locator("#kind").input_value() == other
    page.goto(f"{full_live_app}/swagger/v1")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert watcher.problems() == {}, watcher.problems()
    assert any("/add" in p for p in seen) and any("/show/" in p for p in seen)
    assert len(seen) > len(links)

    # The policy is enforced and the watcher sees a refusal: an inline script without nonce.
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran === undefined")
    assert any("script-src" in v for v in watcher.csp_violations), watcher.csp_violations
    context.close()
