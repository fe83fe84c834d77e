"""The service desk from the customer's chat (R26), without a service desk group configured:
the ticket is stored and the user is told how to reach the desk with its number."""

from __future__ import annotations

from domain.model import Role
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.tickets import TicketStatus
from tests.e2e.harness import CONTACT, Bot, order_summary, press, say, texts


async def all_tickets(bot: Bot) -> list[tickets.TicketView]:
    return await tickets.list_tickets(bot.core, OPERATOR)


async def test_a_concern_becomes_a_ticket_with_what_the_user_was_doing(bot: Bot) -> None:  # R26
    user = await bot.linked_user(8001)
    await order_summary(bot, user, "Microsoft 365 E3", "12")
    ask = await say(bot, user, "/support")
    assert "Bitte beschreiben Sie Ihr Anliegen in einer Nachricht." in ask.plain_text
    assert CONTACT in ask.plain_text
    done = await say(bot, user, "Brauchen wir für E3 noch Exchange-Lizenzen?")
    assert "Ticket Nr. 1" in done.plain_text
    assert CONTACT in done.plain_text  # no group: the number, and how to reach the desk
    [ticket] = await all_tickets(bot)
    assert (ticket.customer_id, ticket.status) == ("acme", TicketStatus.OPEN)
    assert ticket.context == "Bestellung Microsoft 365 E3, Menge 12"
    assert ticket.messages[0].text == "Brauchen wir für E3 noch Exchange-Lizenzen?"
    listing = await say(bot, user, "/tickets")
    assert "Nr. 1 · ⏳ offen · Brauchen wir für E3 noch Exchange-Lizenzen?" in listing.plain_text


async def test_asking_for_a_human_in_words_asks_for_the_concern(bot: Bot) -> None:  # R26
    user = await bot.linked_user(8002)
    ask = await say(bot, user, "Mensch bitte")
    assert "Bitte beschreiben Sie Ihr Anliegen" in ask.plain_text
    await say(bot, user, "Rückruf wegen Rechnung")
    english = await bot.linked_user(8003, language="en")
    ask = await say(bot, english, "talk to a human")
    assert "Please describe your concern in one message." in ask.plain_text
    done = await say(bot, english, "Invoice question")
    assert "ticket no. 2" in done.plain_text
    assert [t.language for t in await all_tickets(bot)] == ["en", "de"]


async def test_a_missing_add_on_is_asked_for_with_the_product(bot: Bot) -> None:  # R16
    user = await bot.linked_user(8004)
    await order_summary(bot, user, "Microsoft 365 Business Standard", "5")
    await press(bot, user, "Bestellen")
    await bot.provision(1)
    await say(bot, user, "/orders")
    await press(bot, user, "Nr. 1 · Microsoft 365 Business Standard")
    await press(bot, user, "Add-On buchen")
    ask = await press(bot, user, "Mein Add-On fehlt")
    assert "Bitte beschreiben Sie Ihr Anliegen" in ask.plain_text
    await say(bot, user, "Wir brauchen Visio Plan 2")
    [ticket] = await all_tickets(bot)
    assert ticket.context == "Add-On-Wunsch für Microsoft 365 Business Standard (Bestellung Nr. 1)"


async def test_members_may_ask_the_desk_and_strangers_get_the_contact(bot: Bot) -> None:
    member = await bot.linked_user(8005, role=Role.MEMBER)
    await say(bot, member, "/support")
    done = await say(bot, member, "Wie viele Lizenzen haben wir?")
    assert "Ticket Nr. 1" in done.plain_text
    stranger = bot.emu.user(8006, first_name="Eve")
    reply = await say(bot, stranger, "/support")
    assert CONTACT in reply.plain_text
    await say(bot, stranger, "Bitte ein Ticket")
    assert len(await all_tickets(bot)) == 1  # R22: unknown users get no ticket
    assert not any("Ticket Nr." in t for t in texts(stranger))


async def test_a_concern_as_long_as_one_telegram_message_is_kept_whole(bot: Bot) -> None:
    user = await bot.linked_user(8007)
    await say(bot, user, "/support")
    done = await say(bot, user, "x" * 4096)  # the longest message Telegram delivers
    assert "Ticket Nr. 1" in done.plain_text
    assert len((await all_tickets(bot))[0].messages[0].text) == 4096
