"""The fault and abuse suite (issue 11). A short form runs with every `make test`; the long
form with `make reliability` (LICENCEBOT_RELIABILITY=long). Every test reports what it tried
and how many held ("tried N, held N"), and every log record of the suite is kept so that
test_secrets.py can scan it for the bot token and invite codes."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator
from domain.clock import FixedClock
from domain.model import Role
from tests.e2e.harness import TOKEN, Bot, running_bot

LONG = os.environ.get("LICENCEBOT_RELIABILITY") == "long"
ISSUED_CODES: list[str] = []  # every invite code issued in the suite
SEEN_TEXTS: list[str] = []  # every text the bots sent or edited in the suite


def size(short: int, long: int) -> int:
    """How many times to try: the short form in CI, the long one in `make reliability`."""
    return long if LONG else short


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, when there is one


KEPT = _Keep()


@pytest.fixture(autouse=True)
def _keep_logs() -> object:
    root = logging.getLogger()
    root.addHandler(KEPT)
    level = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.setLevel(level)
    root.removeHandler(KEPT)


def held(name: str, tried: int, ok: int) -> None:
    """One line for the report; the assertion is the caller's."""
    print(f"\n[reliability] {name}: tried {tried}, held {ok}")


def record_texts(emu: BotApiEmulator) -> None:
    for call in emu.calls:
        for key in ("text", "url", "reply_markup"):
            if key in call.params:
                SEEN_TEXTS.append(str(call.params[key]))


class KeptBot(Bot):
    """The harness's bot; every invite code it issues is kept for the secrets scan."""

    async def invite(self, role: Role = Role.ADMIN, customer: str | None = "acme") -> str:
        code = await super().invite(role, customer)
        ISSUED_CODES.append(code)
        return code


READ_TIMEOUT = 1.0  # seconds the impatient bot waits for one Bot API answer


@pytest.fixture
async def bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock) as running:
        running.__class__ = KeptBot
        yield running
        record_texts(running.emu)


@pytest.fixture
async def impatient_bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    """The bot with a short Bot API read timeout, so injected timeouts cost ~1 s each."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(url, clock, telegram_read_timeout=READ_TIMEOUT) as running:
        running.__class__ = KeptBot
        yield running
        record_texts(running.emu)


__all__ = ["LONG", "TOKEN", "held", "size"]
