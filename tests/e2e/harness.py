"""The real bot (PTB Application, handlers, database) against the Bot API emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pydantic import SecretStr

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.serve import poll, prepare
from domain.clock import FixedClock
from domain.commands import AddCustomer, CreateInvite
from domain.model import Role
from domain.services import accounts, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.settings import Settings
from domain.storage.database import Database

TOKEN = "123456789:e2e-test-token"
CONTACT = "Service Desk: +49 30 555-0, desk@example.com"


def settings_for(url: str, base_url: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "telegram_bot_token": SecretStr(TOKEN),
        "telegram_api_base_url": base_url,
        "service_desk_contact": CONTACT,
        "terms_url": "https://example.com/agb",
        # Tests deliver notifications themselves (deliver_once) so replies stay predictable.
        "notify_interval_seconds": 3600,
    }
    values.update(extra)
    return Settings.model_validate(values)


@dataclass
class Bot:
    """One running bot process (as a task) and what tests need to talk to it."""

    emu: BotApiEmulator
    core: Context
    settings: Settings
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    application: LicenceApplication | None = None

    async def start(self) -> None:
        self._stop = asyncio.Event()
        ready = asyncio.Event()

        def on_ready(application: LicenceApplication) -> None:
            self.application = application
            ready.set()

        self._task = asyncio.create_task(
            poll(self.settings, self._stop, core=self.core, on_ready=on_ready)
        )
        await asyncio.wait_for(ready.wait(), 20)
        await self.settle()

    async def settle(self) -> None:
        """Until every delivered update is fully handled and the bot has gone quiet."""
        for _ in range(500):
            await self.emu.settle()
            if self.application is None or self.application.in_flight == 0:
                await self.emu.settle()
                if self.application is None or self.application.in_flight == 0:
                    return
            await asyncio.sleep(0.01)
        raise TimeoutError("the bot did not settle")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def restart(self) -> None:
        """A new Application with fresh connections, as after a crash or a deploy."""
        await self.stop()
        await self.core.db.dispose()
        self.core = Context(
            Database(self.core.db.url, schema=self.core.db.schema),
            clock=self.core.clock,
            tz=self.core.tz,
        )
        await self.start()

    async def invite(self, role: Role = Role.ADMIN, customer: str | None = "acme") -> str:
        issued = await accounts.create_invite(self.core, OPERATOR, CreateInvite(role, customer))
        return issued.code

    async def linked_user(
        self,
        user_id: int,
        *,
        role: Role = Role.ADMIN,
        customer: str | None = "acme",
        language: str = "de",
        first_name: str = "Anna",
    ) -> EmulatedUser:
        user = self.emu.user(user_id, first_name=first_name, language_code=language)
        await say(self, user, f"/start {await self.invite(role, customer)}")
        return user

    async def provision(self, subscription_id: int) -> None:
        await subscriptions.mark_provisioned(self.core, OPERATOR, subscription_id)


async def say(bot: Bot, user: EmulatedUser, text: str) -> SentMessage:
    """Type a message and wait until the bot is done answering; the newest message."""
    await user.send(text)
    await bot.settle()
    return user.last_message()


async def press(
    bot: Bot, user: EmulatedUser, label: str, message: SentMessage | None = None
) -> SentMessage:
    """Press a button (by label) on the current screen, or on `message`; the screen after."""
    target = message or screen(user)
    await user.press(target, label)
    await bot.settle()
    return screen(user)


async def order_summary(
    bot: Bot, user: EmulatedUser, product: str, quantity: str, de: bool = True
) -> SentMessage:
    """Products → product → Order → quantity → both consents ticked: the order summary."""
    listing = await say(bot, user, "/products")
    if product not in listing.buttons():
        await press(bot, user, "Nächste ›" if de else "Next ›")
    await press(bot, user, product)
    await press(bot, user, "Bestellen" if de else "Order")
    await say(bot, user, quantity)
    await press(bot, user, "☐ AGB akzeptieren" if de else "☐ Accept terms")
    return await press(bot, user, "☐ Microsoft-Konto" if de else "☐ Microsoft account")


async def order(
    bot: Bot, user: EmulatedUser, product: str, quantity: str, de: bool = True
) -> SentMessage:
    """The whole order flow through the buttons; the confirmation screen."""
    await order_summary(bot, user, product, quantity, de)
    return await press(bot, user, "Bestellen" if de else "Order")


def screen(user: EmulatedUser) -> SentMessage:
    """The current screen: the bot message with buttons it sent or edited last (a press edits
    its message in place, so that is not always the newest message)."""
    current = {m.message_id: m for m in user.messages()}
    for event in reversed(user.events()):
        found = current.get(event.message_id)
        if event.kind != "deleted" and found is not None and found.inline_keyboard:
            return found
    return user.last_message()


def texts(user: EmulatedUser) -> list[str]:
    return [m.plain_text for m in user.messages()]


@asynccontextmanager
async def running_bot(
    url: str, clock: FixedClock, *, schema: str | None = None, **extra: object
) -> AsyncIterator[Bot]:
    async with BotApiEmulator(token=TOKEN) as emu:
        settings = settings_for(url, emu.base_url, **extra)
        core = Context(Database(url, schema=schema), clock=clock, tz=settings.tz)
        await prepare(core)
        await accounts.add_customer(core, OPERATOR, AddCustomer("acme", "ACME GmbH"))
        await accounts.add_customer(core, OPERATOR, AddCustomer("globex", "Globex AG"))
        bot = Bot(emu, core, settings)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()
            await bot.core.db.dispose()
