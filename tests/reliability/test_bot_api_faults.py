"""The fake Bot API answers 429 with retry_after, 5xx and timeouts: every reply and notification
is delivered in the end, none twice; a failed callback answer never fails the update; a commit
is never reported as "nothing changed"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.notifier import deliver_once
from domain.services import orders
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order, order_summary, press, say, screen, texts
from tests.reliability.conftest import held, size


async def test_replies_survive_429_and_5xx_and_arrive_once(bot: Bot) -> None:
    user = await bot.linked_user(4001)
    faults = [
        (429, "sendMessage"),
        (500, "sendMessage"),
        (502, "editMessageText"),
        (503, "sendMessage"),
        (429, "editMessageText"),
        (500, "answerCallbackQuery"),
    ]
    tried = ok = 0
    for _ in range(size(1, 4)):
        for status, method in faults:
            tried += 1
            before = len(user.messages())
            bot.emu.fail_next(method, count=2, status=status, retry_after=1)
            await say(bot, user, "/menu")
            await bot.settle()
            menu = screen(user)
            await press(bot, user, "Produkte", menu)
            await bot.settle()
            new = user.messages()[before:]
            # exactly one new menu, edited into the product list; nothing sent twice
            if len(new) == 1 and new[0].plain_text.startswith("Produktübersicht"):
                ok += 1
    held("429/5xx on replies", tried, ok)
    assert ok == tried


async def test_a_provisioning_notice_survives_5xx_and_goes_out_once(bot: Bot) -> None:
    user = await bot.linked_user(4002)
    await order(bot, user, "Microsoft 365 Business Standard", "3")
    await bot.provision(1)
    bot.emu.fail_next("sendMessage", count=2, status=502)
    assert bot.application is not None
    sent = await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    assert sent == 1
    notices = [m for m in user.messages() if "ist bereitgestellt:" in m.plain_text]
    held("5xx on a notification", 1, int(len(notices) == 1))
    assert len(notices) == 1
    assert await deliver_once(bot.application, bot.core, "de") == 0  # never again


async def test_a_failed_callback_answer_never_fails_the_update(bot: Bot) -> None:
    user = await bot.linked_user(4003)
    menu = screen(user)
    bot.emu.fail_next(
        "answerCallbackQuery",
        count=10,
        status=400,
        description="Bad Request: query is too old and response timeout expired",
    )
    products = await press(bot, user, "Produkte", menu)
    assert "Microsoft 365 Business Standard" in products.plain_text


# Timeouts: the emulator holds the request until the bot's read timeout (1 s here) gives up.
# `delivered=False`: the request never took effect (lost on the way); `delivered=True`: it took
# effect and its answer was lost, which the bot cannot tell apart.


async def _until(bot: Bot, seen: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait through the limiter's back-off (longer than one settle) until `seen()`."""
    for _ in range(int(seconds * 10)):
        if seen():
            break
        await asyncio.sleep(0.1)
    await bot.settle()


async def test_replies_survive_timeouts_and_arrive_once(impatient_bot: Bot) -> None:
    bot = impatient_bot
    user = await bot.linked_user(4011)
    faults = [
        ("sendMessage", 2, False),
        ("editMessageText", 2, False),
        ("answerCallbackQuery", 2, False),
        ("editMessageText", 1, True),  # the retry hears "message is not modified": done
        ("answerCallbackQuery", 1, True),  # the retry hears "query is too old": logged
    ]
    tried = ok = 0
    for _ in range(size(1, 4)):
        for method, count, delivered in faults:
            tried += 1
            before = len(user.messages())
            bot.emu.time_out_next(method, count, delivered=delivered)
            await say(bot, user, "/menu")
            menu = screen(user)
            query = await user.press(menu, "Produkte")
            await bot.settle()
            new = user.messages()[before:]
            answered = query["callback_query"]["id"] in bot.emu.callback_answers
            calm = not any("Referenz" in m.plain_text for m in new)
            # exactly one new menu, edited into the product list; nothing sent twice
            if len(new) == 1 and new[0].plain_text.startswith("Produktübersicht"):
                ok += int(answered and calm)
    held("timeouts on replies", tried, ok)
    assert ok == tried


async def test_a_lost_answer_to_send_message_shows_the_screen_twice_never_not_at_all(
    impatient_bot: Bot,
) -> None:
    # docs/decisions.md: without an idempotency key in the Bot API, a sendMessage whose answer
    # timed out is sent again; a screen shown twice is better than a confirmation lost.
    bot = impatient_bot
    user = await bot.linked_user(4012)
    before = len(user.messages())
    bot.emu.time_out_next("sendMessage", delivered=True)
    await say(bot, user, "/menu")
    new = [m.plain_text for m in user.messages()[before:]]
    held("lost answers to sendMessage (shown twice by decision)", 1, int(len(new) == 2))
    assert len(new) == 2
    assert all(text.startswith("Hauptmenü") for text in new)


async def test_a_provisioning_notice_survives_timeouts_and_goes_out_once(
    impatient_bot: Bot,
) -> None:
    bot = impatient_bot
    user = await bot.linked_user(4013)
    await order(bot, user, "Microsoft 365 Business Standard", "3")
    await bot.provision(1)
    bot.emu.time_out_next("sendMessage", count=2)
    assert bot.application is not None
    sent = await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    assert sent == 1
    notices = [m for m in user.messages() if "ist bereitgestellt:" in m.plain_text]
    held("timeouts on a notification", 1, int(len(notices) == 1))
    assert len(notices) == 1
    assert await deliver_once(bot.application, bot.core, "de") == 0  # never again


async def test_an_order_whose_confirmation_times_out_is_never_called_undone(
    impatient_bot: Bot,
) -> None:  # R9: committed is committed, and the user is told where to look
    bot = impatient_bot
    user = await bot.linked_user(4014)
    await order_summary(bot, user, "Microsoft 365 E3", "3")
    bot.emu.time_out_next("editMessageText", count=5)  # the first try and all four retries
    await user.press(screen(user), "Bestellen")
    await _until(bot, lambda: any("Referenz" in text for text in texts(user)))
    overview = await orders.list_orders(bot.core, OPERATOR, "acme")
    stored = [s.quantity for s in overview.subscriptions] == [3]
    said = texts(user)[-1]
    told = "ist gespeichert" in said and "/orders" in said
    never_undone = not any("nichts bestellt" in text for text in texts(user))
    held("confirmations whose screen timed out", 1, int(stored and told and never_undone))
    assert stored and told and never_undone
    reply = await say(bot, user, "/orders")
    assert "Microsoft 365 E3" in reply.plain_text
