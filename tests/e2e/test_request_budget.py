"""Bot API requests per update over the scripted order conversation (issue 11, benchmark 2).

Counted, never timed: the emulator records every request. A typed message costs one request
(the new screen; `/start` with an invite two: the welcome and the menu); a button press costs
two in polling mode: the callback answer Telegram waits for, and the edit of the pressed
message; in webhook mode one, as the answer rides on the webhook's response
(bot/webhook_reply.py). No request retires an old keyboard (docs/decisions.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from domain.clock import FixedClock
from tests.e2e.conversation import order_conversation, run_script
from tests.e2e.harness import Bot
from tests.e2e.test_transport import settle_all, webhook_workers

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


async def test_in_webhook_mode_a_press_costs_one_request(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}"
    async with webhook_workers(url, clock, workers=1) as (emu, bot, apps):
        steps = order_conversation(await bot.invite())
        before = answers(bot)
        await run_script(bot, 3002, steps)
        await settle_all(emu, apps)
        spent = answers(bot) - before
        replied = Counter(call.method for call in emu.webhook_replies)

    typed = sum(step.kind == "type" for step in steps)
    presses = len(steps) - typed
    assert "answerCallbackQuery" not in spent  # answered in the webhook responses instead
    assert replied["answerCallbackQuery"] == presses
    assert len(emu.callback_answers) == presses  # every spinner stopped
    assert spent.total() == typed + 1 + presses  # 18 requests for 17 updates
    assert spent.total() / len(steps) <= 1.1
