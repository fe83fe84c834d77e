"""Bot API requests per update over the scripted order conversation (issue 11, benchmark 2).

Counted, never timed: the emulator records every request. A typed message costs one request
(the new screen; `/start` with an invite two: the welcome and the menu); a button press costs
two in polling mode: the callback answer Telegram waits for, and the edit of the pressed
message. No request retires an old keyboard (docs/decisions.md).
"""

from __future__ import annotations

from collections import Counter

from tests.e2e.conversation import order_conversation, run_script
from tests.e2e.harness import Bot

SETUP = {"getMe", "setMyCommands", "deleteWebhook", "getUpdates"}


def answers(bot: Bot) -> Counter[str]:
    return Counter(call.method for call in bot.emu.calls if call.method not in SETUP)


async def test_the_order_conversation_spends_one_request_per_typed_message(bot: Bot) -> None:
    steps = order_conversation(await bot.invite())
    before = answers(bot)
    await run_script(bot, 3001, steps)
    spent = answers(bot) - before

    typed = sum(step.kind == "type" for step in steps)
    presses = len(steps) - typed
    assert "editMessageReplyMarkup" not in spent  # no request retires an old keyboard
    assert spent["answerCallbackQuery"] == presses  # every press answered exactly once
    assert spent["editMessageText"] == presses  # every press edits its message in place
    assert spent["sendMessage"] == typed + 1  # a new screen per typed message, plus the welcome
    total = spent.total()
    assert total == typed + 1 + 2 * presses
    print(f"requests per update: {total / len(steps):.2f} ({dict(spent)})")
