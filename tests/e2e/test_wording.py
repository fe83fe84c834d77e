"""Wording as a customer reads it (issue 18, finding 10): plural forms, no doubled words or
punctuation, one form per term, every status with its icon, consents as actions to tick."""

from __future__ import annotations

from pathlib import Path

from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.licence_requests import RequestKind
from domain.model import Channel, Role
from domain.services import accounts, licence_requests
from domain.services.licence_requests import AskRequest
from tests.e2e.harness import Bot, order, order_summary, press, running_bot, say, screen, texts

DESK = -1001234567890


async def _delivered(bot: Bot) -> None:
    assert bot.application is not None
    await deliver_once(bot.application, bot.core, "de")
    await bot.settle()


async def test_a_product_without_add_ons_is_provisioned_without_the_add_on_hint(
    bot: Bot,
) -> None:  # R10, R15
    admin = await bot.linked_user(7001)
    await order(bot, admin, "Microsoft Teams Essentials", "2")
    await order(bot, admin, "Microsoft 365 E3", "2")
    await bot.provision(1)
    await bot.provision(2)
    await _delivered(bot)
    told = [t for t in texts(admin) if "ist bereitgestellt:" in t]
    assert told[0].startswith("✅ Microsoft Teams Essentials ist bereitgestellt: 2 Lizenzen")
    assert "Add-On" not in told[0]
    assert "Add-Ons können Sie jetzt unter „Meine Bestellungen“ buchen." in told[1]


async def test_one_add_on_is_named_in_the_singular_two_in_the_plural(bot: Bot) -> None:  # R18
    admin = await bot.linked_user(7002)
    await order(bot, admin, "Microsoft 365 E3", "5")
    await bot.provision(1)
    for name in ("Microsoft 365 Copilot",):
        await say(bot, admin, "/orders")
        await press(bot, admin, "Nr. 1 · Microsoft 365 E3")
        await press(bot, admin, "Add-On buchen")
        await press(bot, admin, name)
        await press(bot, admin, "☐ AGB akzeptieren")
        await press(bot, admin, "Add-On buchen")
    ask = await press(bot, admin, "Kündigen")
    assert "5 Lizenzen</b> und das Add-On Microsoft 365 Copilot zum" in ask.text
    await press(bot, admin, "‹ Zurück")
    await press(bot, admin, "Add-On buchen")
    await press(bot, admin, "Microsoft Teams Premium")
    await press(bot, admin, "☐ AGB akzeptieren")
    await press(bot, admin, "Add-On buchen")
    ask = await press(bot, admin, "Kündigen")
    assert "und die Add-Ons Microsoft 365 Copilot, Microsoft Teams Premium zum" in ask.plain_text


async def test_privacy_names_the_service_desk_once(bot: Bot) -> None:
    admin = await bot.linked_user(7003)
    shown = (await say(bot, admin, "/privacy")).plain_text
    assert shown.count("Service Desk:") == 1
    assert "Service Desk: +49 30 555-0, desk@example.com" in shown


async def test_the_add_on_quantity_refusal_names_the_base_quantity(bot: Bot) -> None:  # R17
    admin = await bot.linked_user(7004)
    await order(bot, admin, "Microsoft 365 E3", "4")
    await bot.provision(1)
    await say(bot, admin, "/orders")
    await press(bot, admin, "Nr. 1 · Microsoft 365 E3")
    await press(bot, admin, "Add-On buchen")
    await press(bot, admin, "Microsoft 365 Copilot")
    refused = await say(bot, admin, "0")
    assert "zwischen 1 und 4" in refused.plain_text
    assert "100000" not in refused.plain_text and "100.000" not in refused.plain_text


async def test_english_consents_read_as_actions_and_two_licences_read_naturally(
    bot: Bot,
) -> None:  # R5, R20
    admin = await bot.linked_user(7005, language="en", first_name="John")
    await order_summary(bot, admin, "Microsoft 365 E3", "2", de=False)
    await press(bot, admin, "☑ Accept terms")  # untick again: the empty boxes
    summary = await press(bot, admin, "☑ Microsoft account")
    assert "☐ I accept the terms and licence terms" in summary.plain_text
    assert "☐ I agree that a Microsoft account is created in our name" in summary.plain_text
    assert "accepted" not in summary.plain_text and "agreed" not in summary.plain_text
    await press(bot, admin, "☐ Accept terms")
    await press(bot, admin, "☐ Microsoft account")
    await press(bot, admin, "Order")
    await say(bot, admin, "/orders")
    await press(bot, admin, "No. 1 · Microsoft 365 E3")
    ask = await press(bot, admin, "Cancel")
    assert "This cancels the 2 licences as of" in ask.plain_text
    assert "all 2" not in ask.plain_text


async def test_a_ticket_is_numbered_one_way_in_the_desk_and_the_chat(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_bot(url, clock, service_desk_chat_id=DESK) as bot:
        group = bot.emu.group(DESK, "Service Desk")
        admin = await bot.linked_user(7006)
        await say(bot, admin, "/support")
        await say(bot, admin, "Bitte Rückruf")
        card = group.messages()[0].plain_text
        assert card.startswith("🎫 Ticket Nr. 1 ·")
        assert "Ticket Nr. 1" in admin.last_message().plain_text


async def test_a_quoted_sentence_ends_with_one_full_stop(bot: Bot) -> None:
    agent = bot.emu.user(7901, first_name="Bernd")
    await say(bot, agent, f"/start {await bot.invite(Role.AGENT, None)}")
    none = await say(bot, agent, "/customer We are checking with Microsoft, a few minutes.")
    assert "„We are checking with Microsoft, a few minutes“." in none.plain_text
    assert ".“." not in none.plain_text


async def test_a_withdrawn_request_has_its_icon_like_every_other_status(bot: Bot) -> None:
    admin = await bot.linked_user(7007)
    member = await bot.linked_user(7008, role=Role.MEMBER, first_name="Mia")
    mia = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "7008")
    asked = await licence_requests.ask(
        bot.core, mia, AskRequest("acme", RequestKind.ORDER, "M365-E3", 1), "Mia"
    )
    await licence_requests.withdraw(bot.core, mia, asked.id)
    for user, word in ((admin, "zurückgezogen"), (member, "zurückgezogen")):
        listing = await say(bot, user, "/requests")
        assert f"Nr. {asked.id} · ↩️ {word} ·" in listing.plain_text
    assert screen(admin) is not None
