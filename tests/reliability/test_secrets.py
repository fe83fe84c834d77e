"""Secrets: the bot token and the invite codes never appear in the logs of the suite, nor in a
message the bot sent (the scan runs last in this package: `zz` in pytest's order would be a
trick, so it scans what the suite kept so far and is also run on its own data here)."""

from __future__ import annotations

import logging

from tests.e2e.harness import TOKEN, Bot, say
from tests.reliability.conftest import ISSUED_CODES, KEPT, SEEN_TEXTS, held, record_texts


async def test_neither_token_nor_invite_codes_reach_logs_or_messages(bot: Bot) -> None:
    # provoke what tends to log secrets: a failed request, an unhandled error, a bad invite
    user = bot.emu.user(8001)
    code = await bot.invite()
    bot.emu.fail_next("sendMessage", count=1, status=500)
    await say(bot, user, f"/start {code}")
    await say(bot, user, f"/start {code}")  # used already
    logging.getLogger("telegram.ext").error(
        "probe", exc_info=RuntimeError(bot.settings.database_url)
    )
    record_texts(bot.emu)
    secrets = [TOKEN, TOKEN.split(":", 1)[1], *ISSUED_CODES]
    places = [("log", line) for line in KEPT.lines] + [("message", t) for t in SEEN_TEXTS]
    found = [(where, s) for where, text in places for s in secrets if s in text]
    held("log lines and messages scanned for secrets", len(places), len(places) - len(found))
    assert len(ISSUED_CODES) >= 1
    lines = [text for _, text in places if any(s in text for s in secrets)]
    assert not found, lines[:3]
