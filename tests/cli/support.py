"""Helpers for the end-to-end tests of the `licencebot` command line.

Every command runs as a real subprocess of the installed console script in its own working
directory (so no `.env` of the repository is read) with a minimal environment: no Telegram
token, a SQLite database file of its own. Set-up that the command line cannot do (placing an
order, booking an add-on) runs in-process with the domain services against the same file.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from domain.commands import BookAddon, CreateInvite, LinkUser, PlaceOrder
from domain.model import Actor, Channel, Role
from domain.services import accounts, addons, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "data" / "catalog.yaml"
LICENCEBOT = Path(sys.executable).with_name("licencebot")
DB_NAME = "cli.db"
BOT_USERNAME = "licencetestbot"
BERLIN = ZoneInfo("Europe/Berlin")
TIMEOUT_S = 180  # a bound for a busy machine, not a speed check

Result = subprocess.CompletedProcess[str]


def clock_env() -> dict[str, str]:
    """What sets this process's clock, for the processes it starts: under `make test-dates`
    libfaketime (LD_PRELOAD, FAKETIME*) moves it, and every process must read the same one."""
    return {
        name: value
        for name, value in os.environ.items()
        if name == "LD_PRELOAD" or name.startswith("FAKETIME")
    }


def berlin_today() -> date:
    """The provider's today (the CLI's default TIMEZONE)."""
    return datetime.now(BERLIN).date()


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / DB_NAME}"


@dataclass(frozen=True)
class Cli:
    """The command line in one working directory with its own database file."""

    cwd: Path
    env_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def db_file(self) -> Path:
        return self.cwd / DB_NAME

    @property
    def database_url(self) -> str:
        return sqlite_url(self.cwd)

    def env(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.cwd),
            "LANG": "C.UTF-8",
            "DATABASE_URL": self.database_url,
            **clock_env(),
        }
        env.update(self.env_overrides)
        env.update(overrides or {})
        return env

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        return subprocess.run(
            [str(LICENCEBOT), *args],
            cwd=self.cwd,
            env=self.env(env),
            text=True,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )

    def run_many(
        self, calls: Sequence[tuple[Sequence[str], Mapping[str, str] | None]]
    ) -> list[Result]:
        """Several independent commands at once (read-only ones: they share the database)."""
        workers = max(1, min(len(calls), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda call: self.run(*call[0], env=call[1]), calls))

    def ok(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        result = self.run(*args, env=env)
        assert_ok(result)
        return result

    def json(self, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """Run with `--json` and parse stdout."""
        return json.loads(self.ok(*args, "--json", env=env).stdout)


def copy_database(source: Path, target: Path) -> None:
    """Copy a prepared database (with any WAL side files) into another directory."""
    for file in source.glob(f"{DB_NAME}*"):
        shutil.copy2(file, target / file.name)


def describe(result: Result) -> str:
    return (
        f"exit {result.returncode} for {result.args!r}\n"
        f"--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}"
    )


def assert_ok(result: Result) -> None:
    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def stderr_lines(result: Result) -> list[str]:
    return result.stderr.strip().splitlines()


def assert_refused(result: Result, code: int | None = None, *, says: str | None = None) -> None:
    """A refusal: non-zero exit (or exactly `code`), one line on stderr, no traceback."""
    if code is None:
        assert result.returncode != 0, describe(result)
    else:
        assert result.returncode == code, describe(result)
    assert "Traceback" not in result.stderr + result.stdout, describe(result)
    assert len(stderr_lines(result)) == 1, describe(result)
    if says is not None:
        assert says.lower() in result.stderr.lower(), describe(result)


# --- the catalogue file ------------------------------------------------------------------------
def catalogue_data() -> dict[str, Any]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def listed_products(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(sku, price) of every product in a catalogue file, in file order."""
    return [(str(p["sku"]), str(p["price"])) for p in data["products"]]


def product(data: Mapping[str, Any], sku: str) -> dict[str, Any]:
    for entry in data["products"]:
        if entry["sku"] == sku:
            assert isinstance(entry, dict)
            return entry
    raise KeyError(sku)


def write_catalogue(path: Path, data: Mapping[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False), "utf-8")
    return path


def offers(shown: Any) -> list[tuple[str, str]]:
    """(sku, unit_price) from `catalog show --json`."""
    assert isinstance(shown, list)
    return [(str(o["sku"]), str(o["unit_price"])) for o in shown]


# --- in-process set-up with the domain ---------------------------------------------------------
async def _admin(ctx: Context, customer_id: str, external_id: str) -> Actor:
    invite = await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, customer_id))
    linked = await accounts.link_user(
        ctx, Channel.TELEGRAM, LinkUser(external_id, invite.code, display_name=external_id)
    )
    return linked.user.as_actor()


async def _place_order(url: str, customer_id: str, sku: str, quantity: int) -> int:
    db = Database(url)
    try:
        ctx = Context(db)
        admin = await _admin(ctx, customer_id, f"admin-{customer_id}")
        placed = await orders.place_order(
            ctx,
            admin,
            PlaceOrder(customer_id, sku, quantity, True, True, f"cli-test-{sku}-{quantity}"),
        )
        return placed.subscription.id
    finally:
        await db.dispose()


def place_order(url: str, customer_id: str, sku: str, quantity: int) -> int:
    """Order as the customer's admin would in the chat; returns the subscription id."""
    return asyncio.run(_place_order(url, customer_id, sku, quantity))


async def _book_addon(url: str, customer_id: str, subscription_id: int, addon_sku: str) -> None:
    db = Database(url)
    try:
        ctx = Context(db)
        admin = await _admin(ctx, customer_id, f"addon-admin-{customer_id}")
        await addons.book_addon(ctx, admin, BookAddon(subscription_id, addon_sku, True))
    finally:
        await db.dispose()


def book_addon(url: str, customer_id: str, subscription_id: int, addon_sku: str) -> None:
    asyncio.run(_book_addon(url, customer_id, subscription_id, addon_sku))


async def _redeem(url: str, code: str, external_id: str) -> tuple[Role, str | None]:
    db = Database(url)
    try:
        linked = await accounts.link_user(
            Context(db), Channel.TELEGRAM, LinkUser(external_id, code, display_name=external_id)
        )
        return linked.user.role, linked.user.customer_id
    finally:
        await db.dispose()


def redeem(url: str, code: str, external_id: str) -> tuple[Role, str | None]:
    """Redeem an invite code as a Telegram user would; returns the role and customer gained."""
    return asyncio.run(_redeem(url, code, external_id))
