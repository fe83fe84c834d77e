"""`licencebot customer add` and `licencebot invite`."""

from __future__ import annotations

import json

from domain.model import Role
from tests.cli.support import BOT_USERNAME, Cli, assert_refused, redeem

WITH_USERNAME = {"TELEGRAM_BOT_USERNAME": BOT_USERNAME}


def test_customer_add_creates_a_customer_without_orders(fresh_cli: Cli) -> None:
    added = fresh_cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")

    assert added.stdout.strip() == "customer acme added"
    assert added.stderr == ""
    assert fresh_cli.json("orders", "--customer", "acme") == []


def test_adding_an_existing_customer_again_is_refused_with_one_line(cli: Cli) -> None:
    result = cli.run("customer", "add", "--id", "acme", "--name", "ACME GmbH")

    assert_refused(result, 1, says="already exists")
    assert result.stdout == ""


def test_adding_an_existing_customer_with_exist_ok_succeeds(cli: Cli) -> None:
    result = cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH", "--exist-ok")

    assert "already exists" in result.stdout
    assert result.stderr == ""


def test_an_admin_invite_as_json_is_exactly_code_and_deep_link(cli: Cli) -> None:
    result = cli.ok("invite", "--customer", "acme", "--role", "admin", "--json", env=WITH_USERNAME)

    invite = json.loads(result.stdout)
    assert set(invite) == {"code", "link"}
    code = invite["code"]
    assert isinstance(code, str)
    assert code
    assert invite == {"code": code, "link": f"https://t.me/{BOT_USERNAME}?start={code}"}
    assert result.stderr == ""
    # The code is real: a Telegram user redeeming it becomes acme's admin.
    assert redeem(cli.database_url, code, "4711") == (Role.ADMIN, "acme")


def test_an_agent_invite_needs_no_customer(cli: Cli) -> None:
    invite = cli.json("invite", "--role", "agent", env=WITH_USERNAME)

    assert invite["link"] == f"https://t.me/{BOT_USERNAME}?start={invite['code']}"
    assert redeem(cli.database_url, invite["code"], "4712") == (Role.AGENT, None)


def test_an_invite_without_a_known_bot_username_has_no_link_and_says_why(cli: Cli) -> None:
    result = cli.ok("invite", "--customer", "acme", "--role", "member", "--json")

    invite = json.loads(result.stdout)
    assert invite["link"] is None
    assert invite["code"]
    assert "TELEGRAM_BOT_USERNAME" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_invite_as_text_shows_code_link_and_expiry(cli: Cli) -> None:
    result = cli.ok("invite", "--customer", "acme", "--role", "member", env=WITH_USERNAME)

    lines = result.stdout.splitlines()
    code = lines[0].removeprefix("invite code: ")
    assert code != lines[0]
    assert f"link: https://t.me/{BOT_USERNAME}?start={code}" in lines
    assert any(line.startswith("valid until: ") for line in lines)
