"""`licencebot backup` and `restore` against the database of a bot that keeps running."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.cli.support import LICENCEBOT, clock_env
from tests.e2e.harness import Bot, order, say

pytestmark = pytest.mark.real_clock  # processes of ours on the real clock (tests/dates.py)

TIMEOUT_S = 180  # a bound for a busy machine, not a speed check


async def licencebot(database: Path, *args: str) -> tuple[int, str, str]:
    """The command line as a separate process, while this process's bot keeps serving."""
    process = await asyncio.create_subprocess_exec(
        str(LICENCEBOT),
        *args,
        cwd=database.parent,
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            **clock_env(),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def subscriptions(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as conn:
        return list(conn.execute("SELECT product_sku, quantity FROM subscriptions ORDER BY id"))


async def test_backup_then_restore_while_the_bot_serves(bot: Bot, tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    user = await bot.linked_user(3001)
    confirmed = await order(bot, user, "Microsoft 365 E3", "5")
    assert confirmed.plain_text.startswith("✅ Bestellung Nr. 1 ist eingegangen")

    # a backup taken while the user goes on typing (WAL: the bot's writes are not blocked)
    backing_up = asyncio.create_task(licencebot(database, "backup", str(tmp_path / "b.db")))
    menu = await say(bot, user, "/menu")
    assert menu.plain_text.startswith("Hauptmenü · ACME GmbH")
    code, out, err = await backing_up
    assert code == 0, err
    assert out.startswith(f"backup written to {tmp_path / 'b.db'}")
    assert subscriptions(tmp_path / "b.db") == [("M365-E3", 5)]

    second = await order(bot, user, "Microsoft 365 Business Standard", "12")
    assert second.plain_text.startswith("✅ Bestellung Nr. 2 ist eingegangen")
    assert len(subscriptions(database)) == 2

    code, out, err = await licencebot(database, "restore", str(tmp_path / "b.db"))
    assert code == 0, err
    assert subscriptions(database) == [("M365-E3", 5)]

    # the running bot answers from the restored data, without a restart
    orders = await say(bot, user, "/orders")
    assert "Microsoft 365 E3" in orders.plain_text
    assert "Business Standard" not in orders.plain_text
    again = await order(bot, user, "Microsoft 365 Business Standard", "7")
    assert again.plain_text.startswith("✅ Bestellung Nr. 2 ist eingegangen: 7 ×")
    assert subscriptions(database) == [("M365-E3", 5), ("M365-BUSINESS-STANDARD", 7)]
