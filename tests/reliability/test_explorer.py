"""The conversation explorer (issue 18, item 8): seeded random walks through every screen of
every role — a customer admin (German), a member (English) and a service desk agent — pressing
buttons of the current screen and of older messages and typing from a corpus (commands,
numbers, other-language text, free text, nonsense, stickers and photos) in whatever state the
chat is in. After every step:

1. no unhandled error (the error handler's log line, "technical problem" or "not delivered");
2. the answer carries its own buttons, and they lead on: to the menu, back, or it is the menu;
3. no licence is ordered, changed or cancelled and no request is made or decided without a
   confirmation press (the database is compared before and after; a decline's reason is typed
   after "Ablehnen");
4. a write names what it writes: the pressed message shows the product (or add-on) and the new
   quantity, or the request's number — an old button never acts on another entity;
5. one language per chat: everything the bot says in a chat is in the chat's language.

The short form runs with `make test`, the long one with `make reliability`; each prints
"tried N, held N".
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import callbacks as cb
from bot.drafts import Step
from bot.emulator import EmulatedUser, SentMessage
from domain.clock import FixedClock
from domain.model import Role
from domain.storage import tables as t
from domain.storage.database import Database
from tests.e2e.harness import Bot, order, running_bot
from tests.reliability.conftest import KEPT, KeptBot, held, record_texts, size

DESK = -1009876543210
SEEDS = size(2, 6)
STEPS = size(200, 1500)  # per seed

# Presses that may write (each is the confirmation of a summary it belongs to).
CONFIRMATIONS = {
    cb.ORDER_CONFIRM,
    cb.CHANGE_CONFIRM,
    cb.CANCEL_CONFIRM,
    cb.WITHDRAW,
    cb.ADDON_CONFIRM,
    cb.ORDER_SEND,
    cb.CHANGE_SEND,
    cb.ADDON_SEND,
    cb.REQUEST_CONFIRM,
    cb.REQUEST_WITHDRAW,
    cb.PREPARE_SEND,
    cb.CUSTOMER_PROVISION,
    cb.REDUCE_CONFIRM,
    cb.REDUCE_WITHDRAW,
}
# Never pressed: deleting one's data unlinks the walker (tested in tests/e2e/test_privacy.py).
AVOIDED = {cb.FORGET_ASK, cb.FORGET_CONFIRM}

COMMANDS = [
    "/start",
    "/menu",
    "/products",
    "/orders",
    "/status",
    "/support",
    "/tickets",
    "/requests",
    "/language",
    "/help",
    "/privacy",
    "/cancel",
    "/customer",
    "/customer demo",
    "/costs",
    "/settings",
    "/unknown",
]
NUMBERS = ["1", "3", "5", "12", "0", "-3", "100000", "2,5", "zwölf", "five"]
TYPED = [
    *NUMBERS,
    "Wir brauchen 5 Microsoft 365 E3",
    "2 Office 365 E3 bestellen",
    "Kündigung von E1 zurücknehmen",
    "kündige Teams Essentials",
    "Wie viele Lizenzen haben wir?",
    "Was zahlen wir monatlich insgesamt?",
    "Copilot für 3 Nutzer",
    "Wir haben ein Problem mit Outlook und brauchen Hilfe",
    "we need 10 more E3 licences",
    "cancel office 365 E1",
    "how many licences do we have",
    "talk to a human",
    "Hallo",
    "Danke!",
    "ja",
    "nein",
    "Budget erst im Januar",
    "ACME",
    "asdfgh",
    "🙂",
    "'; DROP TABLE subscriptions; --",
    "x" * 600,
]
MEDIA = ["sticker", "photo", "voice", "location"]

# Words only one of the two languages uses (quoted user text is taken out first).
GERMAN = re.compile(r"\b(Sie|Ihre?n?|und|nicht|Hauptmenü|Bestellung|Zurück|bitte)\b")
ENGLISH = re.compile(r"\b(you|your|the|and|not|Main menu|Back|please)\b")
QUOTED = re.compile(r"„[^“]*“|“[^”]*”|\"[^\"]*\"|«[^»]*»")
ERRORS = ("unhandled error", "not delivered, reference")
MENU_TITLES = ("Hauptmenü", "Main menu")


@dataclass
class Person:
    name: str
    user: EmulatedUser
    language: str


@dataclass
class Walk:
    rng: random.Random
    people: list[Person]
    broken: list[str] = field(default_factory=list)
    pressed: set[str] = field(default_factory=set)  # the prefixes of every button pressed
    tried: int = 0
    ok: int = 0


@pytest.fixture
async def explorer_bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'explorer.db'}"
    async with running_bot(url, clock, service_desk_chat_id=DESK) as running:
        running.__class__ = KeptBot
        running.emu.group(DESK, "Service Desk", forum=True)
        yield running
        record_texts(running.emu)


async def cast(bot: Bot) -> list[Person]:
    """Anna (admin, German) with E3 and Business Standard booked, Mia (member, English) and
    Bernd (agent, German)."""
    anna = await bot.linked_user(7001, first_name="Anna")
    await order(bot, anna, "Microsoft 365 E3", "4")
    await order(bot, anna, "Microsoft 365 Business Standard", "5")
    await bot.provision(1)
    await bot.provision(2)
    mia = await bot.linked_user(7002, role=Role.MEMBER, language="en", first_name="Mia")
    bernd = await bot.linked_user(7003, role=Role.AGENT, customer=None, first_name="Bernd")
    return [Person("admin", anna, "de"), Person("member", mia, "en"), Person("agent", bernd, "de")]


WATCHED = (t.subscriptions, t.addon_bookings, t.licence_requests)


async def snapshot(bot: Bot) -> dict[str, Any]:
    """What a write changes: subscriptions, add-on bookings, requests (and products' names)."""
    found: dict[str, Any] = {}
    assert isinstance(bot.core.db, Database)
    async with bot.core.db.engine.connect() as connection:
        for table in WATCHED:
            rows = (await connection.execute(select(table))).all()
            found[table.name] = {tuple(row) for row in rows}
        products = (await connection.execute(select(t.products.c.sku, t.products.c.name))).all()
    found["names"] = dict(products)
    return found


def pressable(message: SentMessage) -> list[dict[str, str]]:
    rows = (message.inline_keyboard or {}).get("inline_keyboard", [])
    return [
        cell
        for row in rows
        for cell in row
        if "callback_data" in cell and cb.parse(cell["callback_data"]).prefix not in AVOIDED
    ]


# Steps whose question a typed number answers.
QUESTIONS = {
    Step.ORDER_QUANTITY,
    Step.CHANGE_QUANTITY,
    Step.ADDON_QUANTITY,
    Step.ADDON_CHANGE_QUANTITY,
    Step.PREPARE_QUANTITY,
}
# The way back (menu, back, help, language): pressed less often, so walks go deeper.
AROUND = {cb.MENU, cb.HELP, cb.LANGUAGE}


def forward(rng: random.Random, cells: list[dict[str, str]]) -> dict[str, str]:
    """A button, four times as likely one that leads on as one that leads back."""
    weights = [
        1 if cb.parse(c["callback_data"]).prefix in AROUND or c["text"].startswith("‹") else 4
        for c in cells
    ]
    return rng.choices(cells, weights)[0]


def current_screen(user: EmulatedUser) -> SentMessage | None:
    current = {m.message_id: m for m in user.messages()}
    for event in reversed(user.events()):
        found = current.get(event.message_id)
        if event.kind != "deleted" and found is not None and pressable(found):
            return found
    return None


def language_of(text: str) -> set[str]:
    bare = QUOTED.sub("", text)
    found = set()
    if GERMAN.search(bare):
        found.add("de")
    if ENGLISH.search(bare):
        found.add("en")
    return found


def leads_on(message: SentMessage) -> bool:
    """The menu itself, or a screen with a way to it or back ("Meinten Sie …?" through
    "Etwas anderes", which shows the help with the menu button)."""
    if message.plain_text.startswith(MENU_TITLES):
        return True
    data = {c["callback_data"] for c in pressable(message)}
    prefixes = {cb.parse(d).prefix for d in data}
    return (
        bool(prefixes & {cb.MENU, cb.REQUESTS})
        or cb.data(cb.FREE_TEXT, "-") in data
        or any(c["text"].startswith("‹") for c in pressable(message))
    )


def bilingual(message: SentMessage) -> bool:
    """The language picker speaks both languages on purpose."""
    return any(cb.parse(c["callback_data"]).prefix == cb.LANGUAGE for c in pressable(message))


async def step(bot: Bot, walk: Walk, number: int) -> list[str]:
    """One random action; what broke (empty: every invariant held)."""
    rng = walk.rng
    person = rng.choice(walk.people)
    user = person.user
    events_before = len(user.events())
    logs_before = len(KEPT.lines)
    before = await snapshot(bot)
    async with bot.core.uow(write=False) as uow:
        step_before = (await uow.chats.get(user.id)).step
    screen = current_screen(user)
    older = [m for m in user.messages() if pressable(m) and m is not screen]
    roll = rng.random()
    pressed: tuple[SentMessage, dict[str, str]] | None = None
    if step_before in QUESTIONS and roll < 0.3:
        roll = 1.0  # mostly answer a question with a number (below)
    if screen is not None and roll < 0.5:
        pressed = (screen, forward(rng, pressable(screen)))
    elif older and roll < 0.65:
        message = rng.choice(older)
        pressed = (message, forward(rng, pressable(message)))
    if pressed is not None:
        message, cell = pressed
        shown = message.plain_text
        action = f"press {cell['text']!r} ({cell['callback_data']}) on {message.message_id}"
        walk.pressed.add(cb.parse(cell["callback_data"]).prefix)
        await user.press_data(message.message_id, cell["callback_data"])
    elif roll < 0.7:
        kind = rng.choice(MEDIA)
        action = f"send a {kind}"
        await user.send_media(kind)
    else:
        if roll == 1.0:
            typed = rng.choice(NUMBERS)
        else:
            typed = rng.choice(COMMANDS if roll < 0.8 else TYPED)
        action = f"type {typed[:40]!r}"
        await user.send(typed)
    await bot.settle()
    where = f"seed step {number} {person.name}: {action}"
    broken: list[str] = []

    # 1. no unhandled error
    for line in KEPT.lines[logs_before:]:
        if any(error in line for error in ERRORS):
            broken.append(f"{where}: error logged: {line[:300]}")
    # 2. an answer with its own buttons that lead on (a toast may answer a press alone)
    touched = [e for e in user.events()[events_before:] if e.kind != "deleted"]
    current = {m.message_id: m for m in user.messages()}
    answers = [current[e.message_id] for e in touched if e.message_id in current]
    toast = pressed is not None and any(
        a.text for a in list(bot.emu.callback_answers.values())[-1:]
    )
    if not answers and not toast:
        broken.append(f"{where}: no answer")
    answers = [a for a in answers if a.document is None]  # a file (CSV) beside its screen
    if answers and not pressable(answers[-1]):
        broken.append(f"{where}: the answer has no buttons: {answers[-1].plain_text[:120]!r}")
    elif answers and not leads_on(answers[-1]):
        broken.append(f"{where}: a dead end: {answers[-1].plain_text[:120]!r}")
    # 5. one language per chat
    if pressed is not None and cb.parse(pressed[1]["callback_data"]).prefix == cb.LANGUAGE:
        person.language = pressed[1]["callback_data"].partition(":")[2] or person.language
    for answer in answers:
        if bilingual(answer):
            continue
        other = language_of(answer.plain_text) - {person.language}
        if other:
            broken.append(
                f"{where}: {sorted(other)} in a {person.language} chat: {answer.plain_text[:160]!r}"
            )
    # 3. and 4. writes only by a confirmation press, naming what they write
    after = await snapshot(bot)
    changed = {table.name: after[table.name] - before[table.name] for table in WATCHED}
    if any(changed.values()):
        prefix = cb.parse(pressed[1]["callback_data"]).prefix if pressed else None
        reason = pressed is None and step_before == Step.REQUEST_REASON
        if prefix not in CONFIRMATIONS and not reason:
            broken.append(f"{where}: a write without a confirmation: {changed}")
        elif pressed is not None:
            broken += [f"{where}: {m}" for m in unnamed(changed, before, shown)]
    return broken


def unnamed(
    changed: dict[str, set[tuple[Any, ...]]], before: dict[str, Any], shown: str
) -> list[str]:
    """What a write changed that the pressed message did not show: a decided or withdrawn
    request's number, a new request's product, a subscription's product and quantity, an
    add-on's name."""
    missing = []
    columns = {table.name: [c.name for c in table.columns] for table in t.metadata.sorted_tables}
    known = {row[0] for row in before[t.licence_requests.name]}
    for table, rows in changed.items():
        for row in rows:
            values = dict(zip(columns[table], row, strict=True))
            if table == t.licence_requests.name:
                new = values["id"] not in known
                name = before["names"].get(values["product_sku"], values["product_sku"])
                if new and name not in shown:
                    missing.append(f"new request's {name} not in {shown[:200]!r}")
                elif not new and str(values["id"]) not in shown:
                    missing.append(f"request {values['id']} not in {shown[:200]!r}")
            elif table == t.subscriptions.name:
                if values["product_name"] not in shown:
                    missing.append(f"{values['product_name']} not in {shown[:200]!r}")
                elif str(values["quantity"]) not in shown:
                    missing.append(f"quantity {values['quantity']} not in {shown[:200]!r}")
            elif values["addon_name"] not in shown:
                missing.append(f"{values['addon_name']} not in {shown[:200]!r}")
    return missing


@pytest.mark.parametrize("seed", range(SEEDS))
async def test_random_walks_through_every_screen_hold_the_invariants(
    explorer_bot: Bot, seed: int
) -> None:
    bot = explorer_bot
    walk = Walk(random.Random(seed), await cast(bot))  # noqa: S311 - a seeded walk, no secret
    for number in range(STEPS):
        broken = await step(bot, walk, number)
        walk.tried += 1
        walk.ok += not broken
        walk.broken += [f"seed {seed} " + b for b in broken]
    held(f"conversation explorer, seed {seed}", walk.tried, walk.ok)
    print(f"[reliability] pressed {len(walk.pressed)} kinds of button: {sorted(walk.pressed)}")
    assert walk.broken == [], "\n".join(walk.broken[:40])
    assert walk.ok == walk.tried
    assert walk.pressed & CONFIRMATIONS, "the walk never reached a confirmation"
