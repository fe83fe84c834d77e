"""The fake Bot API answers 429 with retry_after and 5xx: every reply and notification is
delivered in the end, none twice; a failed callback answer never fails the update."""

from __future__ import annotations

from collections import Counter

from bot.notifier import deliver_once
from tests.e2e.harness import Bot, order, press, say, screen
from tests.reliability.conftest import held, size


def sent_texts(bot: Bot, chat_id: int) -> Counter[str]:
    return Counter(
        str(call.params.get("text"))
        for call in bot.emu.calls
        if call.method == "sendMessage" and call.params.get("chat_id") == chat_id
    )


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
