"""The service desk opens and answers a ticket from the customer card (issue 18, finding 8):
the card's ticket list has a button per ticket, the ticket shows its conversation, and
"Antworten" takes the next typed text as the answer, which reaches the customer once (R26)."""

from __future__ import annotations

from pathlib import Path

from domain.clock import FixedClock
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.tickets import Author
from tests.desk import agent_of, desk_bot, open_ticket
from tests.e2e.harness import Bot, press, say, screen


async def test_an_agent_opens_and_answers_a_ticket_from_the_customer_card(  # R26
    tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot("forum", tmp_path, clock) as (bot, group):
        customer = await bot.linked_user(8701, first_name="Anna")
        await open_ticket(bot, customer, "Outlook startet nicht")
        await say(bot, customer, "Seit dem Update")
        agent = await agent_of(bot)

        await say(bot, agent, "/customer acme")
        listing = await press(bot, agent, "Tickets")
        assert "Nr. 1 · ⏳ offen · Outlook startet nicht" in listing.plain_text
        shown = await press(bot, agent, "Nr. 1 öffnen")
        assert "Outlook startet nicht" in shown.plain_text
        assert "👤 Anna: Seit dem Update" in shown.plain_text
        asked = await press(bot, agent, "✍️ Antworten")
        assert "Ihre Antwort an Anna (ACME GmbH) zu Ticket Nr. 1" in asked.plain_text
        before = len(customer.messages())

        await say(bot, agent, "Bitte starten Sie Outlook im abgesicherten Modus.")

        new = customer.messages()[before:]
        assert [m.plain_text for m in new] == [
            "💬 Service Desk · Bernd · Ticket Nr. 1:\n"
            "Bitte starten Sie Outlook im abgesicherten Modus."
        ]
        after = screen(agent).plain_text
        assert "↪ An Ticket Nr. 1 gesendet; Anna erhält die Antwort im Chat." in after
        assert "💬 Bernd: Bitte starten Sie Outlook im abgesicherten Modus." in after
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert [m.author for m in ticket.messages] == [Author.CUSTOMER] * 2 + [Author.AGENT]
        # The next typed text is no second answer: the agent's chat is back to normal.
        await say(bot, agent, "acme")
        assert len(customer.messages()) == before + 1
        # The colleagues see the answer in the ticket's topic.
        [copy] = [m for m in group.messages() if "abgesicherten Modus" in m.plain_text]
        assert copy.plain_text.startswith("💬 #1 · Bernd an den Kunden (aus der Kundenkarte):")
        assert copy.message_thread_id == group.messages()[0].message_thread_id


async def test_a_forged_ticket_button_on_a_card_opens_no_other_customers_ticket(  # R24
    tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot("plain group", tmp_path, clock) as (bot, _):
        other = await bot.linked_user(8702, customer="globex", first_name="Gus")
        await open_ticket(bot, other, "Globex intern")
        agent = await agent_of(bot)
        await say(bot, agent, "/customer acme")
        listing = await press(bot, agent, "Tickets")
        card_ref = listing.button("‹ Zurück")["callback_data"].split(":", 1)[1]
        forged = await agent.press_data(listing.message_id, f"gk:{card_ref}:1")
        await bot.settle()
        assert forged["callback_query"]["id"] in bot.emu.callback_answers
        assert "Globex intern" not in screen(agent).plain_text


async def test_the_agents_help_names_customer(bot: Bot) -> None:
    agent = await agent_of(bot, 950, "Clara")
    assert "/customer" in (await say(bot, agent, "/help")).plain_text
    admin = await bot.linked_user(8703)
    assert "/customer" not in (await say(bot, admin, "/help")).plain_text
