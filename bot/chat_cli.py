"""`licencebot chat`: the same bot, unchanged, against a local Bot API emulator on loopback.

A seeded demo customer with a linked admin lets a new user try every flow without a token:
the terminal shows the bot's messages with numbered buttons and sends typed text or presses.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from pydantic import SecretStr

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.serve import context_for, poll, prepare
from domain import errors
from domain.commands import AddCustomer, CreateInvite, LinkUser
from domain.model import Channel, Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.settings import Settings
from domain.texts.i18n import Translator, pick_language


def local_token() -> str:
    """A token only the local emulator accepts. Its bot id differs per start, because each
    emulator counts update ids from the same number and processed ids are kept per bot."""
    return f"{time.time_ns() // 1_000_000}:local-chat-emulator"


DEMO_CUSTOMER, DEMO_CUSTOMER_NAME = "demo", "Demo GmbH"
DEMO_USER_ID, DEMO_USER_NAME = 4242, "Demo Admin"


async def seed_demo(core: Context) -> None:
    """The demo customer and its admin, linked through a real invite (idempotent)."""
    with contextlib.suppress(errors.CustomerExists):  # seeded by an earlier chat
        await accounts.add_customer(core, OPERATOR, AddCustomer(DEMO_CUSTOMER, DEMO_CUSTOMER_NAME))
    try:
        actor = await accounts.resolve_actor(core, Channel.TELEGRAM, str(DEMO_USER_ID))
    except errors.NotLinked:
        actor = None
    if actor is None or actor.customer_id != DEMO_CUSTOMER:
        invite = await accounts.create_invite(
            core, OPERATOR, CreateInvite(Role.ADMIN, DEMO_CUSTOMER)
        )
        await accounts.link_user(
            core, Channel.TELEGRAM, LinkUser(str(DEMO_USER_ID), invite.code, DEMO_USER_NAME)
        )


async def settle(emu: BotApiEmulator, applications: Sequence[LicenceApplication]) -> None:
    """Wait until every delivered update is fully handled and the bot has gone quiet."""
    for _ in range(1000):
        await emu.settle(timeout=30)
        if all(a.in_flight == 0 for a in applications):
            await emu.settle(timeout=30)
            if all(a.in_flight == 0 for a in applications):
                return
        await asyncio.sleep(0.01)
    raise TimeoutError("the bot did not settle")


class Terminal:
    """Prints what the bot does in the demo chat and turns input into updates."""

    def __init__(
        self,
        emu: BotApiEmulator,
        user: EmulatedUser,
        tr: Translator,
        out: TextIO,
        applications: Sequence[LicenceApplication],
    ) -> None:
        self.emu, self.user, self.tr, self.out = emu, user, tr, out
        self.applications = applications
        self._seen = 0
        self._buttons: list[tuple[SentMessage, dict[str, str]]] = []

    def show_new(self) -> None:
        for event in self.emu.events(self.user.id)[self._seen :]:
            self._seen += 1
            if event.kind == "deleted":
                continue
            message = next(
                (m for m in self.emu.messages(self.user.id) if m.message_id == event.message_id),
                None,
            )
            if message is None:
                continue
            if event.kind == "edited" and _only_buttons_changed(message):
                continue
            marker = f" {self.tr('chat_cli.edited')}" if event.kind == "edited" else ""
            print(f"\n\N{ROBOT FACE}{marker}\n{message.plain_text}", file=self.out)
        self._list_buttons()

    def _list_buttons(self) -> None:
        with_buttons = [m for m in self.emu.messages(self.user.id) if m.inline_keyboard]
        self._buttons = []
        if not with_buttons:
            return
        screen = with_buttons[-1]
        keyboard = screen.inline_keyboard or {}
        for row in keyboard.get("inline_keyboard", []):
            cells = []
            for button in row:
                self._buttons.append((screen, button))
                label = button["text"]
                if "url" in button:
                    label += f" ({self.tr('chat_cli.link')}: {button['url']})"
                cells.append(f"[{len(self._buttons)}] {label}")
            print("  ".join(cells), file=self.out)

    async def handle(self, line: str) -> bool:
        """One line of input; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line.isdigit():
            index = int(line)
            if (
                not 1 <= index <= len(self._buttons)
                or "callback_data" not in self._buttons[index - 1][1]
            ):
                print(self.tr("chat_cli.no_button", count=len(self._buttons)), file=self.out)
                return True
            screen, button = self._buttons[index - 1]
            await self.user.press_data(screen.message_id, button["callback_data"])
        else:
            await self.user.send(line.removeprefix("'"))
        await settle(self.emu, self.applications)
        self.show_new()
        return True


def _only_buttons_changed(message: SentMessage) -> bool:
    """An edit that only took the buttons off an old screen is not worth printing again."""
    return bool(message.history) and message.history[-1].plain_text == message.plain_text


async def _read_line() -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return line if line else None


async def run_chat(settings: Settings, out: TextIO = sys.stdout) -> None:
    token = local_token()
    async with BotApiEmulator(token=token) as emu:
        local = settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(token),
                "telegram_api_base_url": emu.base_url,
                "webhook_url": None,
            }
        )
        core = context_for(local)
        await prepare(core)
        await seed_demo(core)
        await core.db.dispose()
        tr = Translator(pick_language(settings.default_language))
        user = emu.user(
            DEMO_USER_ID, first_name="Demo", last_name="Admin", language_code=tr.language
        )
        stop, ready = asyncio.Event(), asyncio.Event()
        applications: list[LicenceApplication] = []

        def on_ready(application: LicenceApplication) -> None:
            applications.append(application)
            ready.set()

        bot = asyncio.create_task(poll(local, stop, on_ready=on_ready))
        try:
            await asyncio.wait_for(ready.wait(), 60)
            print(tr("chat_cli.intro", name=DEMO_USER_NAME, customer=DEMO_CUSTOMER_NAME), file=out)
            terminal = Terminal(emu, user, tr, out, applications)
            await user.send("/start")
            await settle(emu, applications)
            terminal.show_new()
            while (line := await _read_line()) is not None and await terminal.handle(line):
                pass
            print(tr("chat_cli.bye"), file=out)
        finally:
            stop.set()
            await bot


def chat(settings: Settings) -> int:
    asyncio.run(run_chat(settings))
    return 0
