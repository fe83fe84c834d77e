"""Issue 19 (7): `licencebot invite revoke CODE` and `licencebot user unlink --telegram-id N`."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from domain import errors
from domain.model import Channel
from domain.services import accounts
from domain.services.context import Context
from domain.storage.database import Database
from tests.cli.support import Cli, assert_refused, redeem
from tests.cli.test_privacy import TELEGRAM_ID, _customer_with_order


async def _actor_of(url: str, external_id: str) -> object:
    db = Database(url)
    try:
        return await accounts.resolve_actor(Context(db), Channel.TELEGRAM, external_id)
    finally:
        await db.dispose()


def test_a_revoked_invite_no_longer_works_and_a_used_one_cannot_be_revoked(cli: Cli) -> None:
    code = cli.json("invite", "--customer", "acme", "--role", "admin")["code"]

    done = cli.ok("invite", "revoke", code)

    assert done.stdout.strip() == "invite revoked: the code no longer works"
    with pytest.raises(errors.InviteRevoked):  # R22: nobody links with it any more
        redeem(cli.database_url, code, "5151")
    used = cli.json("invite", "--customer", "acme", "--role", "member")["code"]
    redeem(cli.database_url, used, "5152")
    assert_refused(cli.run("invite", "revoke", used), 1, says="already been used")
    assert_refused(cli.run("invite", "revoke", "no-such-code"), 1)
    with sqlite3.connect(cli.db_file) as conn:
        actions = [row[0] for row in conn.execute("SELECT action FROM audit_entries ORDER BY id")]
    assert actions.count("invite.revoke") == 1


def test_an_unlinked_person_keeps_their_history_and_no_longer_acts(cli: Cli) -> None:  # R22
    subscription_id = _customer_with_order(cli)

    done = cli.json("user", "unlink", "--telegram-id", TELEGRAM_ID)

    assert (done["customer_id"], done["role"]) == ("acme", "admin")
    with pytest.raises(errors.NotLinked):
        asyncio.run(_actor_of(cli.database_url, TELEGRAM_ID))
    with sqlite3.connect(cli.db_file) as conn:
        labels = [row[0] for row in conn.execute("SELECT actor_label FROM consents")]
        name = conn.execute("SELECT display_name FROM users WHERE id = ?", (done["user_id"],))
        subscription = conn.execute(
            "SELECT customer_id FROM subscriptions WHERE id = ?", (subscription_id,)
        ).fetchone()
        shown = name.fetchone()
    assert labels == [TELEGRAM_ID, TELEGRAM_ID]  # the history keeps the person's name
    assert shown == (TELEGRAM_ID,)
    assert subscription == ("acme",)
    # Linking afresh is a new start: a new invite links the person again.
    code = cli.json("invite", "--customer", "acme", "--role", "member")["code"]
    redeem(cli.database_url, code, TELEGRAM_ID)
    assert_refused(cli.run("user", "unlink", "--telegram-id", "999999"), 1)
