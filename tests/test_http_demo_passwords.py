"""Demo users get random passwords, printed by ``aftersales setup`` beside the admin's and
kept in ``instance/demo-passwords.txt``; none has a fixed password."""

from __future__ import annotations

import re
import stat
from pathlib import Path


def logins_in(output: str) -> dict[str, str]:
    found = {"admin": re.search(r"Password:\s+(\S+)", output).group(1)}
    found.update(re.findall(r"^\s+(tech\d+)\s+(\S+)$", output, flags=re.MULTILINE))
    return found


def test_setup_prints_random_passwords_of_the_admin_and_every_demo_user(make_app):
    app = make_app(plugins=["maintenance"], schema=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    logins = logins_in(first.output)
    assert set(logins) == {"admin", "tech1", "tech2", "tech3"}, first.output
    assert len(set(logins.values())) == 4  # all different
    assert all(len(password) >= 16 for password in logins.values())
    client = app.test_client()
    for username, password in logins.items():
        good = client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert good.status_code == 200, username
    old_fixed = client.post(
        "/api/v1/security/login",
        json={"username": "tech1", "password": "tech-demo-1", "provider": "db"},
    )
    assert old_fixed.status_code == 401
    kept = Path(app.instance_path) / "demo-passwords.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"tech2 {logins['tech2']}" in kept.read_text()
    # `make run` runs setup on every start: the same logins are printed again.
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0, again.output
    assert logins_in(again.output) == logins


def test_more_demo_data_gives_new_users_their_own_random_passwords(make_app):
    app = make_app(plugins=["maintenance"])
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    more = runner.invoke(args=["demo", "load"])
    assert more.exit_code == 0, more.output
    logins = logins_in("Password: x\n" + more.output)
    assert {f"tech{n}" for n in range(1, 7)} <= set(logins)
    assert len({logins[f"tech{n}"] for n in range(1, 7)}) == 6
