"""``aftersales plugins new NAME`` writes a plugin that installs, boots and passes its tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from click.testing import CliRunner

from core.scaffold.cli import new_plugin_command
from core.testing import ROOT, pip_install_offline

SAMPLES = ["sample_alpha", "sample_beta"]


def run_new(*args: str):
    return CliRunner().invoke(new_plugin_command, list(args))


def test_new_plugin_passes_its_own_tests(tmp_path):
    result = run_new("loaner_units", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.output
    project = tmp_path / "aftersales-loaner-units"
    package = project / "aftersales_loaner_units"
    assert (
        'loaner_units = "aftersales_loaner_units.plugin"'
        in (project / "pyproject.toml").read_text()
    )
    assert (package / "migrations" / "env.py").read_text() == (
        "from core.migrate.env import run_migrations\n\nrun_migrations()\n"
    )
    assert (
        len(list((package / "migrations" / "versions").glob("*_create_loaner_units_item.py"))) == 1
    )
    assert (package / "templates" / "loaner_units" / "overview.html").is_file()
    # The house plan: MANIFEST, hooks and tables at the top, one module per topic in
    # services/ and views/ (the same topic names; the API is made from the screen), the
    # plugin's own tests inside it.
    assert sorted(p.name for p in package.glob("*.py")) == ["__init__.py", "models.py", "plugin.py"]
    for folder in ("services", "views"):
        assert sorted(p.name for p in (package / folder).glob("*.py")) == [
            "__init__.py",
            "items.py",
        ]
    assert 'api="loaner_units_item"' in (package / "plugin.py").read_text()
    assert sorted(p.name for p in (package / "tests").glob("*.py")) == [
        "__init__.py",
        "test_items.py",
    ]
    assert (package / "tests" / "__init__.py").read_text() == ""
    assert not (project / "tests").exists()
    assert (
        'testpaths = ["aftersales_loaner_units/tests"]' in (project / "pyproject.toml").read_text()
    )
    for locale in ("zh", "zh_Hant_TW"):
        assert (package / "translations" / locale / "LC_MESSAGES" / "messages.po").is_file()
    # The README's extract and update commands fill both catalogs, the manifest's words too.
    pot = project / "messages.pot"
    babel = CommandLineInterface()
    babel.run(["pybabel", "-q", "extract", "-F", str(project / "babel.cfg"), "-k",
               "lazy_gettext", "-k", "_l", "-o", str(pot), str(package)])  # fmt: skip
    babel.run(["pybabel", "-q", "update", "-i", str(pot), "-d", str(package / "translations"),
               "--no-fuzzy-matching"])  # fmt: skip
    pot.unlink()
    for locale in ("zh", "zh_Hant_TW"):
        po = package / "translations" / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            ids = {m.id for m in read_po(handle) if m.id}
        assert {"Loaner Units", "Loaner Units for AfterSales"} <= ids, po

    site = tmp_path / "site"
    pip_install_offline(project, site)
    (entry_points,) = site.glob("aftersales_loaner_units-*.dist-info/entry_points.txt")
    assert "loaner_units = aftersales_loaner_units.plugin" in entry_points.read_text()
    installed = site / "aftersales_loaner_units"
    assert (installed / "templates" / "loaner_units" / "overview.html").is_file()
    assert (installed / "migrations" / "script.py.mako").is_file()
    assert len(list((installed / "migrations" / "versions").glob("*.py"))) == 1
    assert (installed / "translations" / "zh" / "LC_MESSAGES" / "messages.po").is_file()
    assert (installed / "services" / "items.py").is_file()
    assert not (installed / "tests").exists()  # the plugin's tests are not shipped

    assert "6 passed" in generated_tests_output(project)  # 3 of its own, 3 of core's checks
    assert_lint_clean(project)


def generated_tests_output(project):
    """Run the generated plugin's own tests as its author would; their output."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "core.testing", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    return tests.stdout


def assert_lint_clean(project):
    """The generated code has no unused import, undefined name or over-long line (ruff's
    pyflakes and pycodestyle rules, as this repository sets them), and is formatted."""
    package = next(project.glob("aftersales_*"))
    rules = ["--isolated", "--line-length", "100"]
    for command in (
        ["check", *rules, "--select", "E,F,W", str(package)],
        ["format", "--check", *rules, str(package)],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_a_plugin_depending_on_contracts_has_items_of_a_customer(tmp_path):
    result = run_new("site_visits", "--depends", "contracts", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.output
    project = tmp_path / "aftersales-site-visits"
    package = project / "aftersales_site_visits"
    assert 'depends=["contracts"],' in (package / "__init__.py").read_text()
    models = (package / "models.py").read_text()
    assert 'ForeignKey("contracts_customer.id")' in models
    assert "ITEM_STATES.column()" in models
    assert '"customer"' in (package / "views" / "items.py").read_text()
    assert "6 passed" in generated_tests_output(project)
    assert_lint_clean(project)


def test_an_unknown_dependency_is_refused_naming_it(tmp_path):
    result = run_new("site_visits", "--depends", "billing", "--directory", str(tmp_path))
    assert result.exit_code != 0
    assert "'billing'" in result.output and "depends" in result.output
    assert not (tmp_path / "aftersales-site-visits").exists()


def test_new_is_a_subcommand_of_aftersales_plugins(make_app, tmp_path):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    target = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["plugins", "new", "spare_loans", "--directory", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert (target / "aftersales-spare-loans" / "aftersales_spare_loans" / "plugin.py").is_file()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Loaners", "is not a plugin name"),
        ("9lives", "is not a plugin name"),
        ("x", "is not a plugin name"),
        ("loaner-units", "is not a plugin name"),
        ("loaner__units", "is not a plugin name"),
        ("core", "is reserved"),
        ("core_extras", "is reserved"),
        ("ab_tests", "is reserved"),
    ],
)
def test_malformed_or_reserved_name_is_refused_with_the_reason(tmp_path, name, reason):
    result = run_new(name, "--directory", str(tmp_path))
    assert result.exit_code != 0
    assert reason in result.output
    assert not any(tmp_path.iterdir())


def test_name_of_an_installed_plugin_is_refused(make_app, tmp_path):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    target = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["plugins", "new", "sample_alpha", "--directory", str(target)]
    )
    assert result.exit_code != 0
    assert "a plugin named 'sample_alpha' is already installed" in result.output
    assert not target.exists()


def test_name_whose_package_exists_is_refused(tmp_path, monkeypatch):
    elsewhere = tmp_path / "site"
    (elsewhere / "aftersales_shadowed").mkdir(parents=True)
    (elsewhere / "aftersales_shadowed" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(elsewhere))
    target = tmp_path / "out"
    result = run_new("shadowed", "--directory", str(target))
    assert result.exit_code != 0
    assert "a Python module named 'aftersales_shadowed' already exists" in result.output
    assert not target.exists()


def test_existing_project_folder_is_refused_and_left_alone(tmp_path):
    existing = tmp_path / "aftersales-loaner-units"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me")
    result = run_new("loaner_units", "--directory", str(tmp_path))
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]


def test_label_with_a_quote_is_refused(tmp_path):
    result = run_new("loaner_units", "--label", 'Say "hi"', "--directory", str(tmp_path))
    assert result.exit_code != 0
    assert "is not a label" in result.output
    assert not any(tmp_path.iterdir())
