"""Benchmarks 1 and 2: CPU and Bot API requests per update of the full order conversation,
the bot against a PTB echo bot, both talking to the same offline request object (the
emulator's method table called in-process, no HTTP), on SQLite and on PostgreSQL.

CPU is `time.process_time()` of this process around `Application.process_update` (all
threads: the SQLite driver's thread counts, the PostgreSQL server's CPU does not), minus the
time the offline emulator spends answering requests (measured inside the request object).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.emulator.errors import ApiError, JsonDict
from bot.emulator.transport import decode_params
from domain.services.understanding import train_parser
from tests.bench import world
from tests.e2e.conversation import Step, label, order_conversation
from tests.e2e.harness import settings_for

SETUP = frozenset({"getme", "setmycommands", "deletewebhook", "getupdates"})
App = Application[Any, Any, Any, Any, Any, Any]


class OfflineRequest(BaseRequest):
    """PTB's request object answered by the emulator's methods in-process."""

    def __init__(self, emu: BotApiEmulator, *, replay: bool = False) -> None:
        self.emu = emu
        self.replay = replay  # callback queries were answered already: accept them again
        self.calls: Counter[str] = Counter()
        self.cpu = 0.0  # seconds spent inside the emulator

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        start = time.process_time()
        name = url.rsplit("/", 1)[-1]
        if name.lower() not in SETUP:
            self.calls[name] += 1
        params = decode_params(dict(request_data.json_parameters) if request_data else {})
        handler = self.emu._methods.get(name.lower())
        if self.replay and name.lower() == "answercallbackquery":
            handler = _accept
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            body: JsonDict = {"ok": True, "result": handler(params)}
            status = 200
        except ApiError as error:
            status, body = error.status, error.body()
        payload = json.dumps(body).encode()
        self.cpu += time.process_time() - start
        return status, payload


def _accept(params: JsonDict) -> bool:
    return True


def offline(application: App, emu: BotApiEmulator, *, replay: bool = False) -> OfflineRequest:
    request = OfflineRequest(emu, replay=replay)
    application.bot._request = (request, request)
    return request


@dataclass
class Figures:
    updates: int = 0
    cpu: float = 0.0  # seconds, without the emulator
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.updates, 1)

    @property
    def requests_per_update(self) -> float:
        return self.requests.total() / max(self.updates, 1)


async def _deliver(application: App, request: OfflineRequest, body: JsonDict, f: Figures) -> None:
    update = Update.de_json(body, application.bot)
    emulated = request.cpu
    start = time.process_time()
    await application.process_update(update)
    f.cpu += time.process_time() - start - (request.cpu - emulated)
    f.updates += 1


async def _play(
    user: EmulatedUser, steps: list[Step], deliver: Callable[[JsonDict], Awaitable[None]]
) -> list[JsonDict]:
    bodies = []
    for step in steps:
        if step.kind == "type":
            body = await user.send(step.value)
        else:
            current = [m for m in user.messages() if m.inline_keyboard][-1]
            body = await user.press(current, label(step, current.buttons()))
        bodies.append(body)
        await deliver(body)
    return bodies


async def conversation_cpu(
    engine: str, users: int, folder: Path, profile: Path | None = None
) -> tuple[Figures, Figures]:
    """The bot's and the echo bot's figures over `users` full order conversations; with
    `profile`, pyinstrument's report of the bot's part is written there."""
    emu = BotApiEmulator(token=world.TOKEN)  # never started: only its model is used
    async with world.database(engine, folder) as db:
        core = world.core_for(db)
        codes = await world.seed(core, users)
        settings = settings_for(db.url, "http://offline.invalid/bot")
        bot = build_application(settings, core, updater=False, parser=await train_parser(core))
        request = offline(bot, emu)
        mine, played = Figures(), []
        profiler = Profiler(async_mode="disabled") if profile else None
        async with bot:
            if profiler is not None:
                profiler.start()
            for i, code in enumerate(codes):
                user = emu.user(500_000 + i)

                async def deliver(body: JsonDict) -> None:
                    await _deliver(bot, request, body, mine)

                played += await _play(user, order_conversation(code), deliver)
            if profiler is not None and profile is not None:
                profiler.stop()
                profile.write_text(  # noqa: ASYNC240 - once, after the measurement
                    profiler.output_text(unicode=True, show_all=False)
                )
        mine.requests = request.calls
    echo = world.echo_application("http://offline.invalid/bot")
    request = offline(echo, emu, replay=True)
    theirs = Figures()
    async with echo:
        for body in played:  # the very same updates
            await _deliver(echo, request, body, theirs)
    theirs.requests = request.calls
    return mine, theirs
