"""Issue 19 (2): one user cannot slow everybody down.

- One chat's backlog waits behind itself: another customer's message is answered while the
  flood is still being worked off, not after it (bot/fairness.py). Counted in the order of the
  bot's answers, not timed.
- Reading numbers is linear in the message: the characters the quantity markers are matched
  against grow with the number of numbers, not with its square.
- Every "Bestellen" press starts a draft; a chat keeps only its newest DRAFTS_PER_CHAT.
The benchmark of the same flood (p99 of the other customer) is `make bench --only flood`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from domain.model import Role
from domain.nlu import numbers
from domain.storage import tables
from domain.storage.chat_state import DRAFTS_PER_CHAT
from tests.e2e.harness import Bot, press, say, screen
from tests.storage import read

FLOOD = "1 " * 500  # the crafted message: 500 numbers, the most a message is read for
ANSWERING = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


def _answers(bot: Bot, chat_id: int, since: int) -> list[int]:
    """Indexes of the bot's answering calls to `chat_id` after call number `since`."""
    return [
        i
        for i, call in enumerate(bot.emu.calls[since:], since)
        if call.method in ANSWERING and call.params.get("chat_id") in (chat_id, str(chat_id))
    ]


async def test_another_customers_status_does_not_wait_behind_a_flood(bot: Bot) -> None:
    flooder = await bot.linked_user(9101, customer="acme")
    other = await bot.linked_user(9102, customer="globex", first_name="Otto")
    mark = len(bot.emu.calls)
    sent = 30
    for _ in range(sent):
        await flooder.send(FLOOD)
    await other.send("/status")
    await bot.settle()
    flood_answers = _answers(bot, flooder.id, mark)
    status_answers = _answers(bot, other.id, mark)
    assert status_answers, "the other customer got no answer"
    assert len(flood_answers) >= sent  # every flooding message was answered too
    before = sum(i < status_answers[0] for i in flood_answers)
    # FIFO answered all 30 first; with a share per chat at most a couple come before.
    assert before <= len(flood_answers) // 10, (before, len(flood_answers))
    assert other.last_message().plain_text  # answered in its own chat


class _Counting:
    """A compiled pattern that adds up the length of every string it is matched against."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.chars = 0

    def search(self, text: str, *args: Any) -> re.Match[str] | None:
        self.chars += len(text)
        return self.pattern.search(text, *args)

    def match(self, text: str, *args: Any) -> re.Match[str] | None:
        self.chars += len(text)
        return self.pattern.match(text, *args)


def _marker_work(text: str) -> int:
    """Characters the quantity markers of `numbers` were matched against to read `text`."""
    markers = {
        name: value
        for name, value in vars(numbers).items()
        if isinstance(value, re.Pattern) and name not in ("_NUMBER", "_BRAND")
    }
    counting = {name: _Counting(pattern) for name, pattern in markers.items()}
    try:
        for name, proxy in counting.items():
            setattr(numbers, name, proxy)
        numbers.find_quantity(text)
    finally:
        for name, pattern in markers.items():
            setattr(numbers, name, pattern)
    return sum(proxy.chars for proxy in counting.values())


def test_reading_numbers_is_linear_in_the_message() -> None:
    small, large = _marker_work("1 " * 400), _marker_work("1 " * 800)
    assert small > 0
    assert large <= 2.2 * small, (small, large)  # quadratic was 4×


async def _drafts(bot: Bot, chat_id: int) -> int:
    async with read(bot.core.db) as uow:
        drafts = tables.drafts
        count = await uow.session.scalar(
            select(func.count()).select_from(drafts).where(drafts.c.chat_id == chat_id)
        )
    return int(count or 0)


async def test_pressing_bestellen_again_and_again_keeps_a_bounded_number_of_drafts(
    bot: Bot,
) -> None:
    user = await bot.linked_user(9103, role=Role.ADMIN)
    await say(bot, user, "/products")
    product = await press(bot, user, "Microsoft 365 Business Basic")
    data = str(product.button("Bestellen")["callback_data"])
    presses = DRAFTS_PER_CHAT + 25
    for _ in range(presses):
        await user.press_data(product.message_id, data)
        await bot.settle()
    assert await _drafts(bot, user.id) == DRAFTS_PER_CHAT
    # The newest draft still works to the end: R9's order goes through once.
    await say(bot, user, "3")
    await press(bot, user, "☐ AGB akzeptieren")
    await press(bot, user, "☐ Microsoft-Konto")
    done = await press(bot, user, "Bestellen")
    assert "Bestellung Nr." in done.plain_text or "Bestellung Nr." in user.last_message().plain_text
    async with read(bot.core.db) as uow:
        orders = await uow.session.scalar(select(func.count()).select_from(tables.subscriptions))
    assert orders == 1
    assert screen(user) is not None
