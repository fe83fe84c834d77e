"""kill -9 of the bot (`licencebot run`, a real process) at random points of order
conversations, then a restart: no confirmed order lost, none twice, every draft continues.

Users behave like people whose message got no answer: they look at the chat and do what is
still to do (a ticked consent is not ticked again, a lost screen is asked for again).

The bot process reads the real clock, so the invites are issued by the real clock too (a fixed
clock's invites expire a week after the tests' NOW; docs/decisions.md "one clock per test").
Kills follow the bot's progress, not the wall clock: each restart has to answer a few times
before it is killed again, so a slow machine finishes the same conversations."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.emulator import BotApiEmulator, EmulatedUser
from domain.clock import SystemClock
from domain.commands import AddCustomer, CreateInvite
from domain.model import Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage import tables
from domain.storage.database import Database
from tests.e2e.harness import TOKEN
from tests.reliability.conftest import ISSUED_CODES, held, size
from tests.storage import read

pytestmark = pytest.mark.real_clock  # processes of ours on the real clock (tests/dates.py)

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = "Microsoft 365 Business Standard"
ANSWERS = {"sendMessage", "editMessageText", "answerCallbackQuery"}


class Process:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"], env=self.env, stdout=out, stderr=out
            )

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def check_alive(self) -> None:
        """A bot that exits without our kill is a failure, not a reason to wait forever."""
        if self.proc is not None and (code := self.proc.poll()) is not None:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise AssertionError(f"the bot exited by itself (exit {code}):\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


async def _act(emu: BotApiEmulator, user: EmulatedUser, kind: str, value: str) -> None:
    """Type or press, then wait for the whole answer (or give up after a silence)."""
    if kind == "type":
        await user.send(value)
    else:
        await user.press([m for m in user.messages() if m.inline_keyboard][-1], value)
    try:
        await user.wait_reply(6.0)
    except TimeoutError:  # the bot was killed: wait until it is back and has caught up
        with contextlib.suppress(TimeoutError):
            await emu.settle(timeout=60)
        return
    while True:  # the rest of the answer (the welcome comes with the menu)
        try:
            await user.wait_reply(0.4)
        except TimeoutError:
            return


def _next(user: EmulatedUser, code: str) -> tuple[str, str] | None:
    """What a person does next, looking at the chat; None once the order is confirmed."""
    messages = user.messages()
    if any("ist eingegangen" in m.plain_text or "bereits" in m.plain_text for m in messages):
        return None
    if not any("Willkommen" in m.plain_text for m in messages):
        return "type", f"/start {code}"
    screens = [m for m in messages if m.inline_keyboard]
    buttons = screens[-1].buttons() if screens else []
    unticked = [b for b in buttons if b.startswith("☐")]
    if unticked:
        return "press", unticked[0]
    if "Bestellen" in buttons:  # the product's details or the ticked summary
        return "press", "Bestellen"
    if PRODUCT in buttons:
        return "press", PRODUCT
    if messages and "Wie viele Lizenzen" in messages[-1].plain_text:
        return "type", "3"
    return "type", "/products"


async def _conversation(emu: BotApiEmulator, user: EmulatedUser, code: str) -> bool:
    """The order conversation, step by step as the chat shows; True once confirmed."""
    for _ in range(60):
        step = _next(user, code)
        if step is None:
            return True
        await _act(emu, user, *step)
    return False


async def test_kill_9_at_random_points_loses_and_doubles_no_order(tmp_path: Path) -> None:
    conversations = size(2, 50)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    core = Context(Database(url), clock=SystemClock())  # the bot process's clock
    from bot.serve import prepare

    await prepare(core)
    codes = []
    for i in range(conversations):
        await accounts.add_customer(core, OPERATOR, AddCustomer(f"k{i}", f"Kill {i} AG"))
        issued = await accounts.create_invite(core, OPERATOR, CreateInvite(Role.ADMIN, f"k{i}"))
        codes.append(issued.code)
    ISSUED_CODES.extend(codes)
    rng = random.Random(9)  # noqa: S311 - kill times, not secrets
    async with BotApiEmulator(token=TOKEN) as emu:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "NOTIFY_INTERVAL_SECONDS": "3600",
        }
        process = Process(env, tmp_path / "bot.log")
        process.start()
        done = asyncio.Event()

        async def until(seen: Callable[[], bool]) -> None:
            while not done.is_set() and not seen():
                process.check_alive()
                await asyncio.sleep(0.05)

        async def polling(since: int) -> None:
            await until(lambda: any(c.method == "getUpdates" for c in emu.calls[since:]))

        async def answered(since: int, times: int) -> None:
            """Wait until the bot answered `times` times since `since` (its progress)."""
            await until(lambda: sum(c.method in ANSWERS for c in emu.calls[since:]) >= times)

        async def killer() -> None:
            mark = 0
            while not done.is_set():
                await polling(mark)
                await answered(mark, rng.randint(1, 6))  # somewhere in a conversation
                await asyncio.sleep(rng.uniform(0.0, 0.3))  # maybe inside the next update
                if done.is_set():
                    return
                process.kill9()
                mark = len(emu.calls)
                process.start()

        async def talk() -> list[bool]:
            users = [emu.user(9300 + i) for i in range(conversations)]
            confirmed: list[bool] = []
            for batch in range(0, conversations, 5):  # five at a time
                group = list(zip(users, codes, strict=True))[batch : batch + 5]
                confirmed += await asyncio.gather(*(_conversation(emu, u, c) for u, c in group))
            return confirmed

        await asyncio.wait_for(polling(0), 120)  # started: imports, migrations, parser
        killing = asyncio.create_task(killer())
        talking = asyncio.create_task(talk())
        try:
            finished, _ = await asyncio.wait({killing, talking}, return_when=FIRST_COMPLETED)
            if killing in finished:
                killing.result()  # the killer ends early only when the bot exited by itself
            confirmed = await talking
        finally:
            done.set()
            talking.cancel()
            await asyncio.gather(killing, talking, return_exceptions=True)
            process.stop()
    async with read(core.db) as uow:
        rows = (
            await uow.session.execute(
                select(tables.subscriptions.c.customer_id, func.count()).group_by(
                    tables.subscriptions.c.customer_id
                )
            )
        ).all()
    await core.db.dispose()
    per_customer: dict[str, int] = {str(row[0]): int(row[1]) for row in rows}
    ok = len([i for i, seen in enumerate(confirmed) if seen and per_customer.get(f"k{i}") == 1])
    held(f"order conversations with {process.kills} kill -9", conversations, ok)
    assert process.kills >= 1
    assert all(count == 1 for count in per_customer.values())
    assert ok == conversations
