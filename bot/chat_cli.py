"""`licencebot chat`: the same bot, unchanged, against a local Bot API emulator on loopback.

A seeded demo customer with a linked admin lets a new user try every flow without a token:
the terminal client (bot.emulator.terminal) shows the bot's messages with numbered buttons and
sends typed text or presses.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from datetime import UTC, datetime
from typing import TextIO

from pydantic import SecretStr

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator
from bot.emulator.terminal import Terminal
from bot.emulator.users import EmulatedUser
from bot.miniapp.launch import Person, launch_url
from bot.miniapp.server import MiniAppServer
from bot.serve import poll, prepare
from domain import errors
from domain.bootstrap import context_from
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
DESK_CHAT_ID = -1004242  # the local service desk group (a forum), unless SERVICE_DESK_CHAT_ID
# The people `/as` switches between: (Telegram id, first name, last name, role).
PEOPLE = {
    "admin": (DEMO_USER_ID, "Demo", "Admin", Role.ADMIN),
    "member": (4243, "Demo", "Mitglied", Role.MEMBER),
    "agent": (4244, "Demo", "Service Desk", Role.AGENT),
}


async def seed_demo(core: Context) -> None:
    """The demo customer, its admin and member, and an agent, linked through real invites
    (idempotent)."""
    with contextlib.suppress(errors.CustomerExists):  # seeded by an earlier chat
        await accounts.add_customer(core, OPERATOR, AddCustomer(DEMO_CUSTOMER, DEMO_CUSTOMER_NAME))
    for user_id, first, last, role in PEOPLE.values():
        customer = None if role is Role.AGENT else DEMO_CUSTOMER
        try:
            actor = await accounts.resolve_actor(core, Channel.TELEGRAM, str(user_id))
        except errors.NotLinked:
            actor = None
        if actor is None or (actor.customer_id, actor.role) != (customer, role):
            invite = await accounts.create_invite(core, OPERATOR, CreateInvite(role, customer))
            await accounts.link_user(
                core, Channel.TELEGRAM, LinkUser(str(user_id), invite.code, f"{first} {last}")
            )


async def run_chat(settings: Settings, out: TextIO = sys.stdout) -> None:
    token = local_token()
    async with BotApiEmulator(token=token) as emu:
        local = settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(token),
                "telegram_api_base_url": emu.base_url,
                "webhook_url": None,
                # the whole life cycle in the terminal, unless PROVISIONER says otherwise
                "provisioner": (
                    settings.provisioner
                    if "provisioner" in settings.model_fields_set
                    else "simulated"
                ),
                "service_desk_chat_id": settings.service_desk_chat_id or DESK_CHAT_ID,
            }
        )
        core = context_from(local)
        await prepare(core)
        await seed_demo(core)
        # The Mini App on loopback (WEBAPP_PORT, or any free port), signed with the local token.
        dashboard = MiniAppServer(core, local, settings.webapp_port or 0, "127.0.0.1")
        local = local.model_copy(update={"webapp_url": dashboard.local_url, "webapp_port": None})
        tr = Translator(pick_language(settings.default_language))

        def app_link(user: EmulatedUser) -> str:
            person = Person(user.id, user.first_name, user.last_name, user.language_code)
            return launch_url(dashboard.local_url, person, token, datetime.now(UTC))

        people = {
            name: emu.user(user_id, first_name=first, last_name=last, language_code=tr.language)
            for name, (user_id, first, last, _) in PEOPLE.items()
        }
        desk = emu.group(local.service_desk_chat_id or DESK_CHAT_ID, "Service Desk", forum=True)
        stop, ready = asyncio.Event(), asyncio.Event()
        applications: list[LicenceApplication] = []

        def on_ready(application: LicenceApplication) -> None:
            applications.append(application)
            ready.set()

        bot = asyncio.create_task(poll(local, stop, on_ready=on_ready))
        try:
            await asyncio.wait_for(ready.wait(), 60)
            print(tr("chat_cli.intro", name=DEMO_USER_NAME, customer=DEMO_CUSTOMER_NAME), file=out)
            terminal = Terminal(
                emu,
                people["admin"],
                tr,
                out,
                applications,
                desk=desk,
                people=people,
                app_link=app_link,
                language=lambda chat_id: chat_language(core, chat_id),
            )
            await terminal.handle("/start")  # what Telegram sends when a chat is opened
            terminal.show_app_link()
            await terminal.run(sys.stdin)
            print(terminal.tr("chat_cli.bye"), file=out)  # in the chat's language
        finally:
            stop.set()
            await bot
            await dashboard.stop()
            await core.db.dispose()


async def chat_language(core: Context, chat_id: int) -> str | None:
    """The language a chat chose with /language (None: it chose none)."""
    async with core.uow(write=False) as uow:
        return (await uow.chats.get(chat_id)).language


def chat(settings: Settings) -> int:
    asyncio.run(run_chat(settings))
    return 0
