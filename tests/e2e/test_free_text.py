"""Typed sentences in the real bot: understood, pre-filled, never written without confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.model import Role
from domain.storage import tables
from tests.e2e.harness import Bot, order, press, say, screen, texts
from tests.storage import read


async def subscriptions(bot: Bot) -> list[tuple[str, int, str]]:
    async with read(bot.core.db) as uow:
        rows = await uow.session.execute(
            select(
                tables.subscriptions.c.product_sku,
                tables.subscriptions.c.quantity,
                tables.subscriptions.c.status,
            ).order_by(tables.subscriptions.c.id)
        )
        return [(r[0], r[1], str(r[2].value)) for r in rows]


async def test_five_more_e3_becomes_old_to_new_and_waits_for_the_button(bot: Bot) -> None:
    user = await bot.linked_user(7001)
    await order(bot, user, "Microsoft 365 E3", "18")
    summary = await say(bot, user, "Wir brauchen 5 weitere E3-Lizenzen")
    assert "Menge: 18 → 23 Nutzer" in summary.plain_text
    assert summary.buttons()[0] == "Bestellung ändern"
    assert await subscriptions(bot) == [("M365-E3", 18, "ordered")]  # not yet
    assert "Per Text wird nichts" in (await say(bot, user, "ja")).plain_text
    assert await subscriptions(bot) == [("M365-E3", 18, "ordered")]
    await press(bot, user, "Bestellung ändern", message=summary)
    assert await subscriptions(bot) == [("M365-E3", 23, "ordered")]


async def test_forty_instead_of_eighteen_sets_the_new_total(bot: Bot) -> None:  # R11
    user = await bot.linked_user(7002)
    await order(bot, user, "Microsoft 365 Business Standard", "18")
    summary = await say(bot, user, "40 statt 18 Business Standard bitte")
    assert "Menge: 18 → 40 Nutzer" in summary.plain_text
    assert "Monatlich gesamt: 250,56\u00a0€ → 556,80\u00a0€ netto" in summary.plain_text


async def test_an_order_sentence_prefills_the_summary_but_needs_both_consents(bot: Bot) -> None:
    user = await bot.linked_user(7003)
    summary = await say(bot, user, "Bitte zehn Microsoft 365 Business Basic bestellen")
    assert "Menge: 10 Nutzer" in summary.plain_text
    assert "☐ AGB und Lizenzbedingungen akzeptiert" in summary.plain_text
    assert await subscriptions(bot) == []


async def test_questions_are_answered_from_the_customers_data_in_english(bot: Bot) -> None:
    user = await bot.linked_user(7004, language="en")
    await order(bot, user, "Microsoft 365 Business Premium", "12", de=False)
    answer = await say(bot, user, "how many business premium licences do we have?")
    assert answer.plain_text == (
        "You have 12 licences of Microsoft 365 Business Premium"
        " (status: ⏳ ordered, being provisioned)."
    )
    none = await say(bot, user, "how many E5 licenses do we have?")
    assert none.plain_text == "You have no licences of Microsoft 365 E5 at the moment."


async def test_cancel_by_sentence_shows_the_confirmation_screen(bot: Bot) -> None:  # R20
    user = await bot.linked_user(7005)
    await order(bot, user, "Microsoft Teams Essentials", "4")
    ask = await say(bot, user, "kündige teams essentials")
    assert "Microsoft Teams Essentials kündigen?" in ask.plain_text
    assert "zum 30.11.2026" in ask.plain_text
    assert await subscriptions(bot) == [("TEAMS-ESSENTIALS", 4, "ordered")]
    await press(bot, user, "Ja, kündigen")
    assert await subscriptions(bot) == [("TEAMS-ESSENTIALS", 4, "cancelled")]


async def test_asking_for_a_human_reaches_the_service_desk(bot: Bot) -> None:  # R26
    user = await bot.linked_user(7006)
    reply = await say(bot, user, "ich will mit einem menschen sprechen")
    assert "Service Desk" in reply.plain_text
    english = await bot.linked_user(7007, language="en")
    assert (
        "Service desk" in (await say(bot, english, "can I talk to a real person please")).plain_text
    )


async def test_nonsense_gets_what_the_bot_can_do_and_the_menu(bot: Bot) -> None:
    user = await bot.linked_user(7008)
    await say(bot, user, "asdf jklö")  # a question that is not ours: test_free_text_meaning.py
    shown = "\n".join(texts(user)[-2:])
    assert "Ich kann zum Beispiel" in shown
    assert screen(user).plain_text.startswith("Hauptmenü")


async def test_a_member_typing_an_order_gets_a_request_to_send(bot: Bot) -> None:  # R23
    member = await bot.linked_user(7009, role=Role.MEMBER)
    reply = await say(bot, member, "bestelle 5 Microsoft 365 E3")
    assert "Menge: 5 Nutzer" in reply.plain_text
    assert reply.buttons() == ["Anfrage senden", "‹ Zurück", "Hauptmenü"]


async def test_a_member_typing_a_cancellation_is_offered_to_ask_the_admins(bot: Bot) -> None:
    admin = await bot.linked_user(7011)
    await order(bot, admin, "Microsoft 365 E3", "5")
    member = await bot.linked_user(7012, role=Role.MEMBER)
    reply = await say(bot, member, "kündige E3")
    assert "als Anfrage an die Administratoren" in reply.plain_text  # R23 (issue 18)
    assert screen(member).buttons()[0] == "Anfrage senden"
    async with read(bot.core.db) as uow:
        asked = await uow.session.scalar(select(func.count()).select_from(tables.licence_requests))
        status = await uow.session.scalar(select(tables.subscriptions.c.status))
    assert (asked, status) == (0, "ordered")  # nothing sent, nothing cancelled before the press


async def test_an_add_on_sentence_finds_the_provisioned_product(bot: Bot) -> None:
    user = await bot.linked_user(7010)
    await order(bot, user, "Microsoft 365 Business Standard", "20")
    await bot.provision(1)
    summary = await say(bot, user, "buche Copilot für zehn Nutzer")
    assert "Add-On Microsoft 365 Copilot für Microsoft 365 Business Standard" in summary.plain_text
    assert "Menge: 10 Nutzer" in summary.plain_text
    assert "☐ AGB und Lizenzbedingungen akzeptiert" in summary.plain_text
