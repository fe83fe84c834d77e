"""Unknown users, bad invites, roles, forged and stale buttons, odd input (R22-R24)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from domain.clock import FixedClock
from domain.model import Role
from tests.e2e.harness import CONTACT, Bot, order, press, say, screen, texts


async def test_an_unknown_user_sees_only_general_help_and_the_service_desk(bot: Bot) -> None:
    # R22
    stranger = bot.emu.user(3001, first_name="Eve", language_code="de")
    reply = await say(bot, stranger, "/start")
    assert "benötigen Sie einen Einladungslink" in reply.plain_text
    assert CONTACT in reply.plain_text
    for command in ("/orders", "/products", "/status", "hallo"):
        reply = await say(bot, stranger, command)
        assert "Einladungslink" in reply.plain_text
        assert "ACME" not in reply.plain_text
    english = bot.emu.user(3002, first_name="Bob", language_code="en")
    assert "you need an invitation link" in (await say(bot, english, "/start")).plain_text


async def test_invalid_used_and_expired_codes_say_so(bot: Bot) -> None:  # R22
    eve = bot.emu.user(3003, first_name="Eve", language_code="de")
    assert "Einladungscode ist ungültig" in (await say(bot, eve, "/start nope")).plain_text
    code = await bot.invite()
    await say(bot, bot.emu.user(3004, first_name="Ann"), f"/start {code}")
    assert "bereits verwendet" in (await say(bot, eve, f"/start {code}")).plain_text
    late = await bot.invite()
    assert isinstance(bot.core.clock, FixedClock)
    bot.core.clock.set(bot.core.clock.now() + timedelta(days=8))
    reply = await say(bot, eve, f"/start {late}")
    assert "abgelaufen" in reply.plain_text
    assert "ACME" not in "\n".join(texts(eve))


async def test_a_member_may_look_and_ask_but_not_order(bot: Bot) -> None:  # R23
    admin = await bot.linked_user(3004)
    await order(bot, admin, "Microsoft 365 E3", "5")
    member = await bot.linked_user(3005, role=Role.MEMBER)
    assert "als Mitglied angemeldet" in "\n".join(texts(member))
    await press(bot, member, "Produkte")
    await press(bot, member, "Microsoft 365 Business Basic")
    await press(bot, member, "Bestellen")
    summary = await say(bot, member, "3")
    assert "Anfrage senden" in summary.buttons() and "Bestellen" not in summary.buttons()
    await say(bot, member, "/orders")
    await press(bot, member, "Nr. 1 · Microsoft 365 E3")
    asked = await press(bot, member, "Kündigen")  # a cancellation is asked for (issue 18)
    assert "als Anfrage an die Administratoren" in asked.plain_text
    assert "Anfrage senden" in asked.buttons() and "Ja, kündigen" not in asked.buttons()


async def test_a_forged_button_for_another_customers_order_reveals_nothing(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:  # R24
    acme = await bot.linked_user(3006)
    await order(bot, acme, "Microsoft 365 E3", "5")
    intruder = await bot.linked_user(3007, customer="globex", first_name="Gus")
    menu = screen(intruder)
    caplog.set_level(logging.WARNING, logger="bot.turn")
    for forged in ("sv:1", "kc:1", "cn:1", "kw:1:1", "al:1", "an:1:COPILOT"):
        await intruder.press_data(menu.message_id, forged)
        await bot.settle()
        shown = "\n".join(texts(intruder))
        assert "ACME" not in shown
        assert "Microsoft 365 E3" not in shown
    assert "Diese Bestellung wurde nicht gefunden." in "\n".join(texts(intruder))
    assert any("refused subscription 1" in r.getMessage() for r in caplog.records)
    orders = await say(bot, acme, "/orders")
    assert "Menge: 5 · Status: ⏳ bestellt" in orders.plain_text  # nothing changed


@pytest.mark.parametrize("data", ["oc:999999", "zz:1", "oq:1:abc", "sv:99999999999999", "", "p:-1"])
async def test_nonsense_and_stale_buttons_get_a_helpful_answer(bot: Bot, data: str) -> None:
    user = await bot.linked_user(3008)
    menu = screen(user)
    await user.press_data(menu.message_id, data or "m")
    await bot.settle()
    assert screen(user).buttons()  # a usable screen, no silence, no crash
    answers = list(bot.emu.callback_answers.values())
    assert answers  # every callback query is answered


async def test_a_button_on_a_message_too_old_to_edit_still_works(bot: Bot) -> None:
    user = await bot.linked_user(3009)
    before = len(user.messages())
    await user.press_inaccessible("m", message_id=1)
    await bot.settle()
    assert len(user.messages()) == before + 1  # a new screen instead of an edit
    assert screen(user).plain_text.startswith("Hauptmenü")


async def test_a_finished_order_draft_is_not_ordered_again_from_an_old_screen(bot: Bot) -> None:
    user = await bot.linked_user(3010)
    await press(bot, user, "Produkte")
    await press(bot, user, "Microsoft 365 E3")
    await press(bot, user, "Bestellen")
    summary = await say(bot, user, "2")
    data = summary.button("Bestellen")["callback_data"]
    await press(bot, user, "☐ AGB akzeptieren")
    await press(bot, user, "☐ Microsoft-Konto")
    await press(bot, user, "Bestellen")
    await user.press_data(summary.message_id, data)
    await bot.settle()
    assert "bereits eingegangen (Nr. 1)" in screen(user).plain_text


async def test_cancel_command_leaves_the_step_and_never_cancels_a_subscription(bot: Bot) -> None:
    user = await bot.linked_user(3011)
    await press(bot, user, "Produkte")
    await press(bot, user, "Microsoft 365 E3")
    await press(bot, user, "Bestellen")
    await say(bot, user, "/cancel")
    assert "Sie haben den aktuellen Schritt verlassen." in "\n".join(texts(user))
    await say(bot, user, "12")  # no longer the quantity of the left draft
    assert not any("Menge: 12 Nutzer" in text for text in texts(user))


async def test_the_service_desk_is_always_reachable(bot: Bot) -> None:  # R26 (contact)
    user = await bot.linked_user(3012)
    desk = await press(bot, user, "Service Desk")
    assert CONTACT in desk.plain_text


async def test_a_database_outage_gets_a_reference_and_nothing_changes(bot: Bot) -> None:
    user = await bot.linked_user(3013)
    await bot.core.db.dispose()
    real_url = bot.core.db.url
    bot.core.db.__init__("sqlite+aiosqlite:////nonexistent-dir/x.db")  # type: ignore[misc]
    await user.send("/orders")
    await bot.settle()
    reply = user.last_message().plain_text
    assert "es wurde nichts bestellt oder geändert" in reply
    assert "Referenz für den Service Desk:" in reply
    await bot.core.db.dispose()
    bot.core.db.__init__(real_url)  # type: ignore[misc]
    assert (await say(bot, user, "/orders")).plain_text.startswith("Meine Bestellungen")
