"""`licencebot user export|forget` and `licencebot retention` (docs/privacy.md)."""

from __future__ import annotations

import asyncio
import sqlite3

from domain.commands import PlaceOrder
from domain.model import Channel
from domain.services import accounts, orders
from domain.services.context import Context
from domain.storage.database import Database
from tests.cli.support import Cli, assert_refused, redeem

TELEGRAM_ID = "4711"
EXPORT_KEYS = {
    "channel",
    "external_id",
    "exported_at",
    "user",
    "chat",
    "drafts",
    "processed_updates",
    "invites",
    "consents",
    "quantity_changes",
    "audit",
    "tickets",
    "requests",
}


async def _order_as(url: str, external_id: str) -> int:
    db = Database(url)
    try:
        ctx = Context(db)
        actor = await accounts.resolve_actor(ctx, Channel.TELEGRAM, external_id)
        placed = await orders.place_order(
            ctx, actor, PlaceOrder("acme", "M365-E3", 4, True, True, "privacy-cli")
        )
        return placed.subscription.id
    finally:
        await db.dispose()


def _customer_with_order(cli: Cli) -> int:
    """A Telegram user linked as acme's admin who ordered (consents R5)."""
    code = cli.json("invite", "--customer", "acme", "--role", "admin")["code"]
    redeem(cli.database_url, code, TELEGRAM_ID)
    return asyncio.run(_order_as(cli.database_url, TELEGRAM_ID))


def _consent_labels(cli: Cli) -> list[str]:
    with sqlite3.connect(cli.db_file) as conn:
        return [row[0] for row in conn.execute("SELECT actor_label FROM consents ORDER BY id")]


def test_export_prints_what_is_stored_about_the_user(cli: Cli) -> None:
    subscription_id = _customer_with_order(cli)

    data = cli.json("user", "export", "--telegram-id", TELEGRAM_ID)

    assert set(data) == EXPORT_KEYS
    assert (data["channel"], data["external_id"]) == ("telegram", TELEGRAM_ID)
    user = data["user"]
    assert (user["display_name"], user["role"], user["customer_id"]) == (
        TELEGRAM_ID,
        "admin",
        "acme",
    )
    assert [c["subscription_id"] for c in data["consents"]] == [subscription_id] * 2
    assert [c["kind"] for c in data["consents"]] == ["terms", "microsoft_account"]
    assert {"user.link", "order.place"} <= {e["action"] for e in data["audit"]}


def test_forget_erases_the_user_and_keeps_the_order_with_a_pseudonym(cli: Cli) -> None:  # R5
    subscription_id = _customer_with_order(cli)

    forgotten = cli.ok("user", "forget", "--telegram-id", TELEGRAM_ID)

    assert forgotten.stdout.startswith(f"telegram user {TELEGRAM_ID} forgotten; records now show")
    pseudonym = forgotten.stdout.split("records now show ")[1].split(" (")[0]
    assert pseudonym.startswith("Nutzer #")
    assert _consent_labels(cli) == [pseudonym, pseudonym]
    assert [s["id"] for s in cli.json("orders", "--customer", "acme")] == [subscription_id]
    again = cli.run("user", "export", "--telegram-id", TELEGRAM_ID, "--json")
    assert_refused(again, 1, says=f"Nothing is stored about telegram id {TELEGRAM_ID}")
    # The same person can be invited again (R22).
    code = cli.json("invite", "--customer", "acme", "--role", "member")["code"]
    assert redeem(cli.database_url, code, TELEGRAM_ID)[1] == "acme"
    assert cli.json("user", "export", "--telegram-id", TELEGRAM_ID)["consents"] == []


def test_forget_as_json_says_what_was_done(cli: Cli) -> None:
    _customer_with_order(cli)

    done = cli.json("user", "forget", "--telegram-id", TELEGRAM_ID)

    assert done["external_id"] == TELEGRAM_ID and done["customer_id"] == "acme"
    assert done["pseudonym"].startswith("Nutzer #")
    assert done["records"] >= 4  # two consents, the link and the order in the audit trail


def test_an_unknown_telegram_id_is_one_line_and_non_zero(cli: Cli) -> None:
    for command in ("export", "forget"):
        result = cli.run("user", command, "--telegram-id", "555")
        assert_refused(result, 1, says="Nothing is stored about telegram id 555")
        assert result.stdout == ""


def test_a_telegram_id_that_is_no_number_is_refused(cli: Cli) -> None:
    assert_refused(cli.run("user", "forget", "--telegram-id", "anna"), 2, says="telegram user id")


def test_retention_reports_what_it_deleted(cli: Cli) -> None:
    assert cli.json("retention") == {
        "chats": 0,
        "drafts": 0,
        "updates": 0,
        "records": 0,
        "tickets": 0,
        "ticket_messages": 0,
        "requests": 0,
        "notices": 0,
    }
    refused = cli.run("retention", env={"RETENTION_CHAT_DAYS": "0"})
    assert_refused(refused, 2, says="RETENTION_CHAT_DAYS")
