"""Settings given the natural way: ``AFTERSALES_*`` variables read as ``config.py`` types them."""

import sys

import pytest

from core.settings_loader import load_settings
from core.settings_types import SettingsError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("contracts,maintenance", ["contracts", "maintenance"]),
        (" contracts , maintenance ,", ["contracts", "maintenance"]),
        ('["contracts", "maintenance"]', ["contracts", "maintenance"]),
        ("contracts", ["contracts"]),
        ("[]", []),
        ("", None),
    ],
)
def test_a_list_setting_takes_commas_or_json(monkeypatch, raw, expected):
    monkeypatch.setenv("AFTERSALES_ENABLED_PLUGINS", raw)
    assert load_settings()["ENABLED_PLUGINS"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("No", False), ("1", True), ("off", False)]
)
def test_a_boolean_setting_takes_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("AFTERSALES_MAIL_USE_TLS", raw)
    assert load_settings()["MAIL_USE_TLS"] is expected


def test_numbers_and_text_keep_their_types(monkeypatch):
    monkeypatch.setenv("AFTERSALES_MAIL_PORT", "587")
    monkeypatch.setenv("AFTERSALES_COMPANY_NAME", "123")
    monkeypatch.setenv("AFTERSALES_MODULE_CHECK_INTERVAL", "2")
    settings = load_settings()
    assert settings["MAIL_PORT"] == 587
    assert settings["COMPANY_NAME"] == "123"  # text stays text, even when it looks like a number
    assert settings["MODULE_CHECK_INTERVAL"] == 2


def test_a_wrong_type_names_each_setting_and_the_expected_type(monkeypatch):
    monkeypatch.setenv("AFTERSALES_MAIL_PORT", "five-eight-seven")
    monkeypatch.setenv("AFTERSALES_SCHEDULER_ENABLED", "maybe")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "MAIL_PORT must be a whole number" in message
    assert "SCHEDULER_ENABLED must be true or false" in message


def test_a_config_file_of_the_wrong_type_is_refused_too(monkeypatch, tmp_path):
    config_file = tmp_path / "site.py"
    config_file.write_text('ENABLED_PLUGINS = "contracts"\n')
    monkeypatch.setenv("AFTERSALES_CONFIG", str(config_file))
    with pytest.raises(SettingsError, match="ENABLED_PLUGINS must be a list"):
        load_settings()


def test_settings_a_plugin_declares_itself_keep_the_json_reading(monkeypatch):
    monkeypatch.setenv("AFTERSALES_WARRANTY_LIMITS", '{"months": 12}')
    monkeypatch.setenv("AFTERSALES_WARRANTY_LABEL", "twelve months")
    settings = load_settings()
    assert settings["WARRANTY_LIMITS"] == {"months": 12}
    assert settings["WARRANTY_LABEL"] == "twelve months"


def test_the_command_starts_with_comma_separated_plugins(monkeypatch, tmp_path, capsys):
    from core.cli import main

    monkeypatch.setenv("AFTERSALES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_ENABLED_PLUGINS", "contracts,maintenance")
    monkeypatch.setattr(sys, "argv", ["aftersales", "plugins", "list"])
    with pytest.raises(SystemExit) as stopped:
        main()
    output = capsys.readouterr()
    assert stopped.value.code in (0, None), output.err
    assert "unknown plugin" not in output.err
    assert "contracts" in output.out and "maintenance" in output.out


def test_the_command_stops_with_one_message_on_a_wrong_type(monkeypatch, tmp_path, capsys):
    from core.cli import main

    monkeypatch.setenv("AFTERSALES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_MAIL_PORT", "abc")
    monkeypatch.setattr(sys, "argv", ["aftersales", "plugins", "list"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.strip() == "Error: MAIL_PORT must be a whole number, not 'abc'"
