"""Modes you can leave and inputs with one meaning (issue 18, finding 1): commands and menu
buttons leave every mode, a text that could be a new request while writing to a ticket is
asked about, and a forum topic that no longer exists falls back instead of failing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import EmulatedGroup, EmulatedUser
from domain.clock import FixedClock
from domain.model import Role
from domain.services import orders, tickets
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order_summary, press, running_bot, say, screen, texts

DESK = -1001234567890
SENT_TO_TICKET = "an Ticket Nr. 1 gesendet"


@pytest.fixture
async def desk_bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[tuple[Bot, EmulatedGroup]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_bot(url, clock, service_desk_chat_id=DESK) as bot:
        yield bot, bot.emu.group(DESK, "Service Desk", forum=True)


async def with_open_ticket(bot: Bot, user_id: int) -> EmulatedUser:
    """A customer admin whose chat is attached to their new ticket Nr. 1 (R26)."""
    customer = await bot.linked_user(user_id)
    await say(bot, customer, "/support")
    opened = await say(bot, customer, "Outlook startet nicht")
    assert "Ticket Nr. 1" in opened.plain_text
    return customer


async def ticket_texts(bot: Bot) -> list[str]:
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    return [m.text for m in ticket.messages]


async def test_a_command_leaves_the_ticket_and_an_order_is_not_sent_to_it(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:
    bot, _ = desk_bot
    customer = await with_open_ticket(bot, 8301)
    await say(bot, customer, "/menu")
    assert any("nicht mehr an Ticket Nr. 1" in t for t in texts(customer)[-2:])
    answer = await say(bot, customer, "2 Office 365 E3 bestellen")
    assert SENT_TO_TICKET not in answer.plain_text
    assert await ticket_texts(bot) == ["Outlook startet nicht"]


async def test_a_menu_button_leaves_the_ticket(desk_bot: tuple[Bot, EmulatedGroup]) -> None:
    bot, _ = desk_bot
    customer = await with_open_ticket(bot, 8302)
    await press(bot, customer, "Hauptmenü")
    await say(bot, customer, "Wie viele E3 haben wir?")
    assert SENT_TO_TICKET not in " ".join(texts(customer)[-2:])
    assert await ticket_texts(bot) == ["Outlook startet nicht"]


async def test_a_new_request_while_writing_to_a_ticket_is_asked_about(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:
    bot, _ = desk_bot
    customer = await with_open_ticket(bot, 8303)
    thanks = await say(bot, customer, "Danke, wir warten auf Ihren Rückruf")
    assert SENT_TO_TICKET in thanks.plain_text  # plainly for the ticket: sent

    asked = await say(bot, customer, "2 Office 365 E3 bestellen")
    assert "Ticket Nr. 1" in asked.plain_text and "?" in asked.plain_text
    assert "↪ An Ticket Nr. 1 senden" in asked.buttons()
    assert "Lizenzen bestellen" in asked.buttons()
    assert await ticket_texts(bot) == [
        "Outlook startet nicht",
        "Danke, wir warten auf Ihren Rückruf",
    ]

    sent = await press(bot, customer, "↪ An Ticket Nr. 1 senden", asked)
    assert SENT_TO_TICKET in sent.plain_text
    assert (await ticket_texts(bot))[-1] == "2 Office 365 E3 bestellen"

    again = await say(bot, customer, "2 Office 365 E3 bestellen")
    ordering = await press(bot, customer, "Lizenzen bestellen", again)
    assert "Office 365 E3" in ordering.plain_text
    assert (await ticket_texts(bot))[-1] == "2 Office 365 E3 bestellen"  # not sent twice
    assert len(await ticket_texts(bot)) == 3
    # The new request was chosen: typed text no longer goes to the ticket.
    await say(bot, customer, "/menu")
    await say(bot, customer, "Hallo")
    assert len(await ticket_texts(bot)) == 3


async def test_a_topic_that_no_longer_exists_gets_a_new_one(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:  # R26: the message reaches the desk, the customer gets one answer
    bot, group = desk_bot
    customer = await with_open_ticket(bot, 8304)
    [old] = group.topics()
    group.delete_topic(old)
    before = len(customer.messages())
    await say(bot, customer, "Es geht immer noch nicht")
    answers = [m.plain_text for m in customer.messages()[before:]]
    assert len(answers) == 1 and SENT_TO_TICKET in answers[0]
    [new] = group.topics()
    assert new != old
    posted = [m.plain_text for m in group.messages(thread=new)]
    assert any("Outlook startet nicht" in t for t in posted)  # the ticket's card again
    assert "Es geht immer noch nicht" in posted[-1]
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    assert ticket.desk_topic_id == new


async def test_a_command_leaves_the_quantity_question(bot: Bot) -> None:
    user = await bot.linked_user(8305)
    await say(bot, user, "/products")
    await press(bot, user, "Microsoft 365 E3")
    await press(bot, user, "Bestellen")
    await say(bot, user, "/tickets")
    answer = await say(bot, user, "5")
    assert "Menge: 5 Nutzer" not in answer.plain_text


def last_toast(bot: Bot) -> str:
    return list(bot.emu.callback_answers.values())[-1].text or ""


async def test_an_old_quantity_button_does_not_change_a_newer_summary(bot: Bot) -> None:  # R5
    user = await bot.linked_user(8306)
    await say(bot, user, "/products")
    await press(bot, user, "Microsoft 365 E3")
    question = await press(bot, user, "Bestellen")
    summary = await say(bot, user, "3")
    await press(bot, user, "☐ AGB akzeptieren", summary)
    await press(bot, user, "☐ Microsoft-Konto", summary)
    # the question's quick button, pressed after the summary of the same order
    await press(bot, user, "10", question)
    assert "nicht mehr aktuell" in last_toast(bot)
    await press(bot, user, "Bestellen", summary)
    overview = await orders.list_orders(bot.core, OPERATOR, "acme")
    assert [s.quantity for s in overview.subscriptions] == [3]  # what the summary showed


async def test_an_old_change_question_does_not_change_the_newer_summary(bot: Bot) -> None:
    user = await bot.linked_user(8307)
    await order_summary(bot, user, "Microsoft 365 E3", "4")
    await press(bot, user, "Bestellen")
    await bot.provision(1)
    await say(bot, user, "/orders")
    await press(bot, user, "Nr. 1 · Microsoft 365 E3")
    question = await press(bot, user, "Menge ändern")
    summary = await say(bot, user, "9")
    assert "4 → 9" in summary.plain_text
    await press(bot, user, "5", question)
    assert "nicht mehr aktuell" in last_toast(bot)
    await press(bot, user, "Bestellung ändern", summary)
    overview = await orders.list_orders(bot.core, OPERATOR, "acme")
    assert [s.quantity for s in overview.subscriptions] == [9]  # what the summary showed


async def test_an_answer_without_a_screen_carries_its_own_buttons(bot: Bot) -> None:
    user = await bot.linked_user(8308)
    await order_summary(bot, user, "Microsoft 365 E3", "4")
    answer = await say(bot, user, "Wie viele Microsoft 365 Business Premium haben wir?")
    assert "keine Lizenzen Microsoft 365 Business Premium" in answer.plain_text
    assert answer.buttons() == ["Hauptmenü"]
    assert screen(user) is answer  # the summary's buttons are not the newest any more


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location"])
async def test_a_sticker_or_photo_gets_an_answer_and_the_question_stays(
    bot: Bot, kind: str
) -> None:
    user = await bot.linked_user(8309)
    await say(bot, user, "/products")
    await press(bot, user, "Microsoft 365 E3")
    await press(bot, user, "Bestellen")
    await user.send_media(kind)
    await bot.settle()
    assert "Ich kann nur Text lesen" in user.last_message().plain_text
    summary = await say(bot, user, "4")  # the quantity question is still open
    assert "Menge: 4 Nutzer" in summary.plain_text
    await say(bot, user, "/menu")
    await user.send_media(kind)
    await bot.settle()
    assert "Ich kann nur Text lesen" in texts(user)[-2]
    assert texts(user)[-1].startswith("Hauptmenü")


@pytest.mark.parametrize("command", ["/costs", "/products", "/orders", "/status"])
async def test_a_customers_screen_asks_the_agent_to_choose_a_customer(
    bot: Bot, command: str
) -> None:  # found by the conversation explorer: agents were told to ask for an invitation
    agent = await bot.linked_user(8310, role=Role.AGENT, customer=None)
    answer = await say(bot, agent, command)
    assert "Einladungslink" not in answer.plain_text
    assert "/customer" in answer.plain_text
    assert answer.buttons() == ["Kunde suchen", "Hauptmenü"]


async def test_a_press_that_changes_nothing_says_so(bot: Bot) -> None:
    # found by the conversation explorer: "−1" at no spare seats answered nothing at all
    user = await bot.linked_user(8311)
    await order_summary(bot, user, "Microsoft 365 E3", "4")
    await press(bot, user, "Bestellen")
    await bot.provision(1)
    settings = await say(bot, user, "/settings")
    less = next(b for b in settings.buttons() if b.endswith("−1"))
    await press(bot, user, less, settings)
    assert "nichts geändert" in last_toast(bot)


async def test_a_command_leaves_the_decline_reason(bot: Bot) -> None:  # R23
    anna = await bot.linked_user(8312, first_name="Anna")
    mia = await bot.linked_user(8313, role=Role.MEMBER, first_name="Mia")
    await say(bot, mia, "/products")
    await press(bot, mia, "Microsoft 365 E3")
    await press(bot, mia, "Bestellen")
    await say(bot, mia, "5")
    await press(bot, mia, "Anfrage senden")
    card = screen(anna)
    asked = await press(bot, anna, "Ablehnen", card)
    assert "Warum lehnen Sie Anfrage Nr. 1 ab?" in asked.plain_text
    await say(bot, anna, "/help")
    await say(bot, anna, "Budget erst im Januar")
    mine = await say(bot, mia, "/requests")
    assert "abgelehnt" not in mine.plain_text  # the text was not taken as the reason


async def test_a_question_and_a_ticket_survive_a_restart(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:  # the chat's mode is stored, not kept in the process
    bot, _ = desk_bot
    customer = await with_open_ticket(bot, 8314)
    await bot.restart()
    after = await say(bot, customer, "Noch eine Frage zu Outlook")
    assert SENT_TO_TICKET in after.plain_text
    await say(bot, customer, "/products")  # leaves the ticket
    await press(bot, customer, "Microsoft 365 E3")
    await press(bot, customer, "Bestellen")
    await bot.restart()
    summary = await say(bot, customer, "6")
    assert "Menge: 6 Nutzer" in summary.plain_text
