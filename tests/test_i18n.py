"""English, Simplified and Traditional Chinese: screens, FAB's own strings, plugin catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from core.i18n import (
    LOCALES,
    ROOT,
    catalog_folders,
    compile_catalogs,
    ensure_compiled,
    format_errors,
    merged_catalog,
    misnamed_locale_folders,
    untranslated,
)
from core.testing import create_user, token_headers

SAMPLES = ["sample_alpha", "sample_beta"]
SAMPLE_I18N = Path(__file__).parent / "sample_plugins" / "sample_i18n" / "translations"
CORE_CATALOGS = ROOT / "core" / "translations"
FAB_CATALOGS = Path(__import__("flask_appbuilder").__file__).parent / "translations"
# Characters that differ between the scripts, as they appear in the strings checked below.
SIMPLIFIED_ONLY = ["模块", "退出登录", "用户", "记录", "搜索", "启用", "状态"]


def admin_client(app, username="root"):
    with app.app_context():
        create_user(app, ["Admin"], username)
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": "s3cret-pass"})
    assert response.status_code == 302
    return client


def in_language(client, locale, path):
    assert client.get(f"/lang/{locale}").status_code == 302
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text


def heading(html):
    return re.search(r"<h2[^>]*>(.*?)</h2>", html, re.S).group(1).strip()


def test_dashboard_speaks_simplified_chinese(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    page = in_language(client, "zh", "/")
    assert "已启用模块" in page  # core's widget title
    assert "各角色的启用用户" in page  # core's chart title
    assert "退出登录" in page  # FAB's "Logout"
    assert "Enabled modules" not in page


def test_dashboard_speaks_traditional_chinese(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    page = in_language(client, "zh_TW", "/")
    assert "已啟用模組" in page
    assert "登出" in page
    for simplified in SIMPLIFIED_ONLY:
        assert simplified not in page, simplified


def test_modules_screen_in_both_chinese_scripts(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    simplified = in_language(client, "zh", "/modules/")
    assert heading(simplified) == "模块"
    assert "已启用" in simplified and "停用" in simplified
    traditional = in_language(client, "zh_TW", "/modules/")
    assert heading(traditional) == "模組"
    assert "已啟用" in traditional and "登出" in traditional
    for word in SIMPLIFIED_ONLY:
        assert word not in traditional, word


def test_flask_appbuilder_screens_show_traditional_characters_for_zh_tw(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    users = in_language(client, "zh_TW", "/users/list/")
    assert "使用者列表" in users  # FAB's "List Users"; FAB itself would say 用户列表
    assert "紀錄筆數" in users  # "Record Count"
    assert "登出" in users  # "Logout"; FAB's zh catalog says 注销
    for word in SIMPLIFIED_ONLY + ["注销", "用户列表"]:
        assert word not in users, word
    simplified = in_language(client, "zh", "/users/list/")
    assert "用户列表" in simplified and "退出登录" in simplified


def test_english_stays_english(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    page = in_language(client, "en", "/modules/")
    assert heading(page) == "Modules"
    assert "Logout" in page


def test_language_switch_is_stored_in_the_session_and_offers_the_other_languages(make_app):
    client = admin_client(make_app(plugins=SAMPLES, packages=SAMPLES))
    english = client.get("/").text
    assert re.search(r'href="/lang/zh"[^>]*>.*?简体中文', english, re.S)
    assert re.search(r'href="/lang/zh_TW"[^>]*>.*?繁體中文', english, re.S)
    assert client.get("/lang/zh_TW").status_code == 302
    with client.session_transaction() as session:
        assert session["locale"] == "zh_TW"
    page = client.get("/").text
    assert re.search(r'href="/lang/zh"[^>]*>.*?简体中文', page, re.S)
    assert 'href="/lang/zh_TW"' not in page  # the current language is not offered again
    assert client.get("/lang/fr").status_code == 404
    with client.session_transaction() as session:
        assert session["locale"] == "zh_TW"


def test_rest_api_answers_in_the_language_of_the_l_parameter(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    client = app.test_client()
    with app.app_context():
        create_user(app, ["Admin"], "api")
    headers = token_headers(client, "api")

    def filter_names(locale):
        response = client.get(f"/api/v1/alpha_note/_info?_l_={locale}", headers=headers)
        assert response.status_code == 200, response.text
        return {f["name"] for f in response.json["filters"]["title"]}

    assert "Starts with" in filter_names("en")
    assert "开头是" in filter_names("zh")
    assert "開頭是" in filter_names("zh_TW")


@pytest.fixture(scope="module")
def sample_i18n_catalogs():
    """The throwaway plugin's catalogs, compiled like the install step does."""
    ensure_compiled([SAMPLE_I18N])
    return SAMPLE_I18N


def test_plugin_catalog_is_merged_with_core_and_flask_appbuilder(make_app, sample_i18n_catalogs):
    plugins = ["sample_alpha", "sample_i18n"]
    app = make_app(plugins=plugins, packages=plugins)
    folders = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    assert folders[-2:] == [str(CORE_CATALOGS), str(sample_i18n_catalogs)]
    client = admin_client(app)
    page = in_language(client, "zh", "/greeting/")
    assert "备件明天到货" in page  # plugin, from Python
    assert "感谢您的耐心等待。" in page  # plugin, from its template
    assert "服务问候" in page  # plugin, lazy menu label
    assert "管理" in page  # core's "Admin" menu category
    assert "退出登录" in page  # FAB
    page = in_language(client, "zh_TW", "/greeting/")
    assert "備品明天到貨" in page and "感謝您耐心等候。" in page and "服務問候" in page
    assert "登出" in page


def test_plugin_strings_stay_english_when_the_plugin_is_not_enabled(make_app, sample_i18n_catalogs):
    app = make_app(plugins=["sample_alpha"], packages=["sample_alpha", "sample_i18n"])
    assert str(sample_i18n_catalogs) not in app.config["BABEL_TRANSLATION_DIRECTORIES"]


def test_compiling_merges_the_extra_catalog_under_messages(tmp_path):
    folder = tmp_path / "translations" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    (folder / "messages.po").write_text(
        header + 'msgid "Save"\nmsgstr "存盘"\n\nmsgid "Mine"\nmsgstr "我的"\n\n'
        'msgid "Empty"\nmsgstr ""\n',
        encoding="utf-8",
    )
    (folder / "flask_appbuilder.po").write_text(
        header + 'msgid "Save"\nmsgstr "保存"\n\nmsgid "Logout"\nmsgstr "退出登录"\n\n'
        'msgid "Empty"\nmsgstr "空"\n',
        encoding="utf-8",
    )
    assert compile_catalogs([tmp_path / "translations"]) == 1
    catalog = merged_catalog(folder / "messages.po")
    strings = {m.id: m.string for m in catalog if m.id}
    assert strings == {"Save": "存盘", "Mine": "我的", "Logout": "退出登录", "Empty": "空"}
    assert (folder / "messages.mo").exists()
    assert ensure_compiled([tmp_path / "translations"]) == 0  # up to date: nothing to do


def test_traditional_catalogs_live_where_gettext_looks_for_zh_tw():
    assert LOCALES == ("zh", "zh_Hant_TW")
    assert misnamed_locale_folders(catalog_folders()) == []


def test_every_flask_appbuilder_string_has_both_chinese_translations():
    """A FAB upgrade that adds strings makes this fail until flask_appbuilder.po has them."""
    with (FAB_CATALOGS / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        fab = {m.id for m in read_po(handle) if m.id and m.string}
    for locale in LOCALES:
        path = CORE_CATALOGS / locale / "LC_MESSAGES" / "flask_appbuilder.po"
        with path.open("rb") as handle:
            ours = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
        assert sorted(fab - ours) == [], f"{path} misses FAB strings"


def test_every_string_of_core_is_translated_into_both_chinese_scripts(tmp_path):
    """Re-extracts core's strings: a new string without translations fails here.

    Fix: ``python -m core.i18n update core``, translate, ``python -m core.i18n check core``.
    """
    pot = tmp_path / "core.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext",
         "-k", "_l", "--no-location", "-o", str(pot), str(ROOT / "core")]
    )  # fmt: skip
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    for locale in LOCALES:
        path = CORE_CATALOGS / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            done = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
        missing = sorted(str(m) for m in wanted - done)
        assert missing == [], f"{path}: untranslated {missing}"
    assert untranslated([CORE_CATALOGS]) == {}


def test_translations_keep_the_placeholders_of_their_message():
    assert format_errors(catalog_folders() + [SAMPLE_I18N]) == {}


def test_check_reports_a_translation_with_a_misspelt_placeholder(tmp_path):
    folder = tmp_path / "translations" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, python-format\nmsgid "Job %(name)s started."\nmsgstr "任务 %(nam)s 已启动。"\n',
        encoding="utf-8",
    )
    assert list(format_errors([tmp_path / "translations"]).values()) == [
        ["Job %(name)s started.: unknown named placeholder 'nam'"]
    ]


def test_the_extraction_method_takes_the_manifests_label_and_summary(tmp_path):
    """babel.cfg's method: what Babel's python method finds, plus Manifest(label, summary)."""
    package = tmp_path / "cards"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from core.manifest import Manifest\n"
        "from flask_babel import lazy_gettext as _\n"
        "MANIFEST = Manifest(name='cards', version='1.0', label='Warranty Cards',\n"
        "                    summary='Cards and their expiry')\n"
        "HINT = _('Register a card')\n",
        encoding="utf-8",
    )
    pot = tmp_path / "cards.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext",
         "-k", "_", "-o", str(pot), str(package)]
    )  # fmt: skip
    with pot.open("rb") as handle:
        found = {m.id for m in read_po(handle) if m.id}
    assert found == {"Warranty Cards", "Cards and their expiry", "Register a card"}


def test_every_plugin_catalog_translates_its_manifest_label_and_summary():
    """The Modules screen and API show these; ``python -m core.i18n update`` extracts them."""
    from core.i18n_extract import manifest_messages

    for folder in catalog_folders():
        init = folder.parent / "__init__.py"
        if folder.parent.name == "core":
            continue
        wanted = {text for _, _, text in manifest_messages(init.read_text(encoding="utf-8"))}
        assert len(wanted) == 2, f"{init}: no literal label and summary"
        for locale in LOCALES:
            path = folder / locale / "LC_MESSAGES" / "messages.po"
            with path.open("rb") as handle:
                done = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
            assert sorted(wanted - done) == [], f"{path} misses the manifest's words"
