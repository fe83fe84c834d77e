"""Benchmarks 3 and 4 over HTTP: the bot (polling or webhook mode) and the PTB echo bot served
by the Bot API emulator on 127.0.0.1, with simulated users. The answer time of a message is
from the moment the user sends it until the bot's first message or edit in that chat.

- burst: every user sends its next message as soon as the previous one is answered;
- pace: every user waits a random 2–10 s between messages (a human reading and typing).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.serve import poll, serve_webhook
from domain.storage import tables
from domain.storage.database import Database
from tests.bench import world
from tests.e2e.conversation import label, order_conversation
from tests.e2e.harness import settings_for

ANSWERING = frozenset(
    {"sendMessage", "editMessageText", "answerCallbackQuery", "editMessageReplyMarkup"}
)
BROWSE = ["/menu", "/products", "/orders", "/status", "Was kostet Microsoft 365 E3?"]


@dataclass
class Answers:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    orders_confirmed: int = 0
    orders_stored: int = 0
    updates: int = 0
    seconds: float = 0.0
    requests: int = 0  # Bot API requests that answer users (webhook responses not counted)
    technical: int = 0  # answers "that did not work technically, reference …"

    def p(self, q: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def throughput(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


async def _timed(
    user: EmulatedUser,
    act: asyncio.Future[object] | None,
    send: str | None,
    answers: Answers,
    wait: float,
) -> None:
    start = time.monotonic()
    try:
        if send is not None:
            await user.send(send)
        await user.wait_reply(wait)
        answers.times.append(time.monotonic() - start)
    except TimeoutError:
        answers.errors += 1
    answers.updates += 1


@asynccontextmanager
async def running(
    kind: str, emu: BotApiEmulator, engine: str, folder: Path, users: int, mode: str = "polling"
) -> AsyncIterator[tuple[list[str], Database | None]]:
    """The bot ("bot") or the echo bot ("echo") serving `emu`; the invites of `users`."""
    if kind == "echo":
        echo = world.echo_application(emu.base_url)
        async with echo:
            await echo.start()
            assert echo.updater is not None
            await echo.updater.start_polling()
            try:
                yield [f"echo{i}" for i in range(users)], None
            finally:
                await echo.updater.stop()
                await echo.stop()
        return
    async with world.database(engine, folder) as db:
        core = world.core_for(db)
        codes = await world.seed(core, users)
        extra: dict[str, object] = {}
        if mode == "webhook":
            port = world.free_port()
            extra = {
                "webhook_url": f"http://127.0.0.1:{port}/hook",
                "webhook_secret": SecretStr("bench-secret-0123456"),
                "webhook_port": port,
            }
        settings = settings_for(db.url, emu.base_url, **extra)
        stop, ready = asyncio.Event(), asyncio.Event()

        def on_ready(application: LicenceApplication) -> None:
            ready.set()

        if mode == "webhook":
            task = asyncio.create_task(
                serve_webhook(settings, register=True, stop=stop, core=core, on_ready=on_ready)
            )
        else:
            task = asyncio.create_task(poll(settings, stop, core=core, on_ready=on_ready))
        await asyncio.wait_for(ready.wait(), 60)
        try:
            yield codes, db
        finally:
            stop.set()
            await task


async def burst(kind: str, engine: str, folder: Path, users: int, messages: int) -> Answers:
    """Benchmark 3: `users` × `messages` typed messages, each sent when the last is answered."""
    async with (
        BotApiEmulator(token=world.TOKEN) as emu,
        running(kind, emu, engine, folder, users) as (codes, _),
    ):
        people = [emu.user(600_000 + i) for i in range(users)]
        warm = Answers()
        await asyncio.gather(
            *(_timed(u, None, f"/start {c}", warm, 60) for u, c in zip(people, codes, strict=True))
        )
        answers = Answers()

        async def talk(user: EmulatedUser, offset: int) -> None:
            for k in range(messages):
                await _timed(user, None, BROWSE[(k + offset) % len(BROWSE)], answers, 60)

        start = time.monotonic()
        await asyncio.gather(*(talk(u, i) for i, u in enumerate(people)))
        answers.seconds = time.monotonic() - start
        return answers


async def pace(
    kind: str,
    engine: str,
    folder: Path,
    users: int,
    seconds: float,
    mode: str = "polling",
    think: tuple[float, float] = (2.0, 10.0),
) -> Answers:
    """Benchmark 4: every user plays the order conversation at human pace until `seconds`
    have passed; afterwards the stored orders are compared with the confirmed ones."""
    rng = random.Random(11)  # noqa: S311 - think times, not secrets
    async with (
        BotApiEmulator(token=world.TOKEN) as emu,
        running(kind, emu, engine, folder, users, mode) as (codes, db),
    ):
        answers = Answers()
        deadline = time.monotonic() + seconds

        async def human(i: int, code: str) -> None:
            user = emu.user(700_000 + i)
            await asyncio.sleep(rng.uniform(0, think[1]))
            for step in order_conversation(code):
                if time.monotonic() >= deadline:
                    return
                if kind == "echo" or step.kind == "type":
                    text = step.value if step.kind == "type" else "ok"
                    await _timed(user, None, text, answers, 60)
                else:
                    screens = [m for m in user.messages() if m.inline_keyboard]
                    if not screens:
                        answers.errors += 1
                        return
                    start = time.monotonic()
                    try:
                        await user.press(screens[-1], label(step, screens[-1].buttons()))
                        await user.wait_reply(60)
                        answers.times.append(time.monotonic() - start)
                        if (
                            step.value == "Bestellen"
                            and "Bestellung Nr." in user.last_message().plain_text
                        ):
                            answers.orders_confirmed += 1
                    except (TimeoutError, ValueError, LookupError):
                        answers.errors += 1
                    answers.updates += 1
                await asyncio.sleep(rng.uniform(*think))

        start, mark = time.monotonic(), len(emu.calls)
        await asyncio.gather(*(human(i, c) for i, c in enumerate(codes)))
        answers.seconds = time.monotonic() - start
        answers.requests = sum(c.method in ANSWERING for c in emu.calls[mark:])
        answers.technical = sum(
            "Referenz für den Service Desk" in m.plain_text
            for i in range(users)
            for m in emu.messages(700_000 + i)
        )
        if db is not None:
            async with db.session(write=False) as session:
                answers.orders_stored = int(
                    await session.scalar(select(func.count()).select_from(tables.subscriptions))
                    or 0
                )
        return answers


def summary(rows: Sequence[tuple[str, Answers]]) -> list[str]:
    return [
        f"{name}: n={a.updates} errors={a.errors} median={a.median * 1000:.0f} ms "
        f"p99={a.p(0.99) * 1000:.0f} ms throughput={a.throughput:.1f}/s"
        for name, a in rows
    ]
