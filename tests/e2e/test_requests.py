"""Licence requests in the chat (R23): `/requests` and the pending note in `/status`."""

from __future__ import annotations

from domain.licence_requests import RequestKind
from domain.model import Channel, Role
from domain.services import accounts, licence_requests
from domain.services.licence_requests import AskRequest
from tests.e2e.harness import Bot, say


async def test_admins_see_what_waits_and_members_see_how_it_was_decided(bot: Bot) -> None:
    admin = await bot.linked_user(8401, first_name="Anna")
    member = await bot.linked_user(8402, role=Role.MEMBER, first_name="Mia")
    mia = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8402")
    asked = await licence_requests.ask(
        bot.core, mia, AskRequest("acme", RequestKind.ORDER, "M365-E3", 1), "Mia Muster"
    )
    listing = await say(bot, admin, "/requests")
    assert f"Nr. {asked.id} · ⏳ offen · Microsoft 365 E3, 1 Nutzer · von Mia Muster" in (
        listing.plain_text
    )
    status = await say(bot, admin, "/status")
    assert "⏳ 1 Anfrage wartet auf Ihre Entscheidung: /requests" in status.plain_text

    anna = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8401")
    await licence_requests.decline(bot.core, anna, asked.id, "Erst im Januar", "Anna Admin")
    mine = await say(bot, member, "/requests")
    assert "❌ abgelehnt" in mine.plain_text and "Grund: Erst im Januar" in mine.plain_text
    assert "Anfrage" not in (await say(bot, admin, "/status")).plain_text.split("Status")[-1]


async def test_requests_read_in_english_with_plural_forms(bot: Bot) -> None:
    admin = await bot.linked_user(8403, language="en")
    await bot.linked_user(8404, role=Role.MEMBER, language="en")
    mia = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8404")
    for sku in ("M365-E3", "M365-E5"):
        await licence_requests.ask(
            bot.core, mia, AskRequest("acme", RequestKind.ORDER, sku, 3), "Mia"
        )
    status = await say(bot, admin, "/status")
    assert "⏳ 2 requests are waiting for your decision: /requests" in status.plain_text
    listing = await say(bot, admin, "/requests")
    assert "Microsoft 365 E5, 3 users · by Mia" in listing.plain_text


async def test_an_old_open_request_keeps_its_button_behind_many_decided_ones(bot: Bot) -> None:
    # R23: /requests is where admins decide what did not reach them as a card
    admin = await bot.linked_user(8405, first_name="Anna")
    await bot.linked_user(8406, role=Role.MEMBER, first_name="Mia")
    mia = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8406")
    anna = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8405")
    oldest = await licence_requests.ask(
        bot.core, mia, AskRequest("acme", RequestKind.ORDER, "M365-E5", 2), "Mia Muster"
    )
    for quantity in range(1, 12):  # eleven newer ones, each declined
        asked = await licence_requests.ask(
            bot.core, mia, AskRequest("acme", RequestKind.ORDER, "M365-E3", quantity), "Mia"
        )
        await licence_requests.decline(bot.core, anna, asked.id, "Nein", "Anna Admin")
    listing = await say(bot, admin, "/requests")
    assert f"Nr. {oldest.id} · ⏳ offen · Microsoft 365 E5, 2 Nutzer" in listing.plain_text
    assert f"Nr. {oldest.id} entscheiden" in listing.buttons()
