"""The service desk group (R26): tickets posted there, taken over, answered and resolved, in a
forum (one topic per ticket) and in a plain group (agents reply to the ticket's message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import EmulatedGroup, EmulatedUser, SentMessage
from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.commands import LinkUser
from domain.model import Channel, Role
from domain.services import accounts, tickets
from domain.services.accounts import OPERATOR
from domain.services.tickets import OpenTicket
from domain.tickets import Author, TicketStatus
from tests.e2e.harness import Bot, running_bot, say

DESK = -1001234567890


@pytest.fixture(params=["forum", "plain group"])
async def desk_bot(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Bot, EmulatedGroup]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_bot(url, clock, service_desk_chat_id=DESK) as bot:
        group = bot.emu.group(DESK, "Service Desk", forum=request.param == "forum")
        yield bot, group


async def agent_of(bot: Bot, user_id: int = 900, name: str = "Bernd") -> EmulatedUser:
    agent = bot.emu.user(user_id, first_name=name)
    code = await bot.invite(Role.AGENT, None)
    await say(bot, agent, f"/start {code}")
    return agent


async def answer_at_desk(
    bot: Bot, group: EmulatedGroup, agent: EmulatedUser, card: SentMessage, text: str
) -> None:
    """A message in the ticket's place: its topic in a forum, else a reply to its card."""
    if group.is_forum:
        await group.send(agent, text, thread=card.message_thread_id)
    else:
        await group.send(agent, text, reply_to=card)
    await bot.settle()


async def open_ticket(bot: Bot, customer: EmulatedUser, text: str) -> None:
    await say(bot, customer, "/support")
    await say(bot, customer, text)
    await bot.settle()


async def test_a_ticket_round_trip_through_the_service_desk_group(  # R26
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:
    bot, group = desk_bot
    customer = await bot.linked_user(8101, first_name="Anna")
    agent = await agent_of(bot)
    await open_ticket(bot, customer, "Unser Copilot-Add-On fehlt")
    assert "Ticket Nr. 1" in customer.last_message().plain_text

    card = group.messages()[0]
    assert "Ticket Nr. 1" in card.plain_text and "ACME GmbH" in card.plain_text
    assert "Unser Copilot-Add-On fehlt" in card.plain_text
    if group.is_forum:
        assert list(group.topics().values()) == ["#1 · ACME GmbH"]
        assert card.message_thread_id in group.topics()
    assert card.buttons() == ["Übernehmen", "Erledigt"]

    await group.press(agent, card, "Übernehmen")
    await bot.settle()
    assert "Bernd vom Service Desk bearbeitet jetzt Ihr Ticket Nr. 1." in (
        customer.last_message().plain_text
    )
    assert "übernommen von Bernd" in group.messages()[0].plain_text

    # The agent answers in the topic, or by replying to the ticket's message.
    await answer_at_desk(bot, group, agent, card, "Ich schalte es heute frei.")
    answer = customer.last_message().plain_text
    assert answer.startswith("💬 Service Desk · Bernd · Ticket Nr. 1:")
    assert "Ich schalte es heute frei." in answer

    # The customer's next message goes to the ticket, and into its place in the group.
    await say(bot, customer, "Danke, für 12 Nutzer bitte")
    assert "an Ticket Nr. 1 gesendet" in customer.last_message().plain_text
    forwarded = group.last_message(thread=card.message_thread_id if group.is_forum else ...)
    assert "#1" in forwarded.plain_text and "Danke, für 12 Nutzer bitte" in forwarded.plain_text

    await group.press(agent, group.messages()[0], "Erledigt")
    await bot.settle()
    assert "Ticket Nr. 1 ist erledigt" in customer.last_message().plain_text
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    assert ticket.status is TicketStatus.RESOLVED
    assert [m.author for m in ticket.messages] == [Author.CUSTOMER, Author.AGENT, Author.CUSTOMER]
    if group.is_forum:
        assert group.topic(card.message_thread_id or 0).closed

    # After resolving, typed text is understood as usual again (not sent to the ticket).
    reply = await say(bot, customer, "/status")
    assert reply.plain_text.startswith("Status")


async def test_an_answer_to_a_resolved_ticket_is_refused_in_the_group(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:
    bot, group = desk_bot
    customer = await bot.linked_user(8102)
    agent = await agent_of(bot)
    await open_ticket(bot, customer, "Frage zur Rechnung")
    card = group.messages()[0]
    await group.press(agent, card, "Erledigt")
    await bot.settle()
    before = len(customer.messages())
    await answer_at_desk(bot, group, agent, card, "Noch ein Nachtrag")
    assert len(customer.messages()) == before  # nothing reaches the customer
    assert "Ticket Nr. 1 ist bereits erledigt" in group.last_message().plain_text


async def test_a_customer_who_blocked_the_bot_is_reported_to_the_desk(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:
    bot, group = desk_bot
    customer = await bot.linked_user(8103)
    agent = await agent_of(bot)
    await open_ticket(bot, customer, "Bitte um Rückruf")
    card = group.messages()[0]
    customer.block()
    await bot.settle()
    await answer_at_desk(bot, group, agent, card, "Wir rufen an.")
    note = group.last_message().plain_text
    assert "#1" in note and "nicht erreicht" in note
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    assert ticket.messages[-1].text == "Wir rufen an."  # kept in the ticket


async def test_only_agents_answer_and_take_over(desk_bot: tuple[Bot, EmulatedGroup]) -> None:
    bot, group = desk_bot
    customer = await bot.linked_user(8104)
    await open_ticket(bot, customer, "Hilfe")
    card = group.messages()[0]
    stranger = bot.emu.user(8199, first_name="Mallory")
    await group.press(stranger, card, "Übernehmen")
    await bot.settle()
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    assert ticket.status is TicketStatus.OPEN
    before = len(customer.messages())
    await answer_at_desk(bot, group, stranger, card, "Ich bin der Service Desk")
    assert len(customer.messages()) == before


async def test_a_long_concern_reaches_the_group_whole(desk_bot: tuple[Bot, EmulatedGroup]) -> None:
    bot, group = desk_bot
    customer = await bot.linked_user(8105)
    await open_ticket(bot, customer, "A" * 4096)
    posted = "".join(m.plain_text for m in group.messages())
    assert posted.count("A") >= 4096


async def test_a_ticket_from_the_rasa_assistant_is_posted_by_the_bot(
    desk_bot: tuple[Bot, EmulatedGroup],
) -> None:  # R26: one service desk for both front ends, through the outbox
    bot, group = desk_bot
    code = await bot.invite(Role.MEMBER, "acme")
    linked = await accounts.link_user(
        bot.core, Channel.RASA, LinkUser("rasa-sender-1", code, display_name="Rita")
    )
    await tickets.open_ticket(
        bot.core, linked.user.as_actor(), OpenTicket("Bitte Rückruf", "Rasa order_form", "de")
    )
    assert bot.application is not None
    await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    card = group.messages()[0]
    assert "Ticket Nr. 1" in card.plain_text and "Rita" in card.plain_text
    [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
    assert ticket.desk_message_id == card.message_id
