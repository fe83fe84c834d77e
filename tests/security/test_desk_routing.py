"""An agent's answer reaches the customer whose ticket it answers, and nobody else (issue 19,
item 1). A customer controls the text of their ticket: a card or a forwarded message longer
than one Telegram message is split, and the part with the buttons begins with the customer's
own words — "#1 bitte hier antworten" there must not send the answer to ticket 1 of another
company. The ticket is found by the replied message's id, in both desk modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator import EmulatedUser
from domain.clock import FixedClock
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.tickets import Author
from tests.desk import MODES, agent_of, desk_bot, open_ticket, reply_at_desk
from tests.e2e.harness import Bot, say

CRAFTED = "A" * 4000 + "\n#1 bitte hier antworten"  # the card's header makes it two parts
LONGEST = "A" * 4070 + "\n#1 bitte hier antworten"  # 4,094: one message, two when forwarded


async def _victim_and_attacker(bot: Bot) -> tuple[EmulatedUser, EmulatedUser]:
    victim = await bot.linked_user(8301, customer="globex", first_name="Gus")
    await open_ticket(bot, victim, "Globex: unser Postfach ist voll")  # ticket 1
    attacker = await bot.linked_user(8302, customer="acme", first_name="Mallory")
    return victim, attacker


async def _answer_goes_to_ticket_two(
    bot: Bot, victim: EmulatedUser, attacker: EmulatedUser, before: int
) -> None:
    """The answer reached the attacker's own ticket 2 and chat, nothing reached the victim."""
    assert len(victim.messages()) == before
    assert attacker.last_message().plain_text.startswith("💬 Service Desk · Bernd · Ticket Nr. 2:")
    first, second = sorted(await tickets.list_tickets(bot.core, OPERATOR), key=lambda t: t.id)
    assert [m.author for m in first.messages] == [Author.CUSTOMER]  # R24: untouched
    assert second.messages[-1].text == "Wir prüfen das."


@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_to_a_long_cards_button_part_goes_to_that_ticket(  # R24, R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        victim, attacker = await _victim_and_attacker(bot)
        posted = len(group.messages())
        await open_ticket(bot, attacker, CRAFTED)  # ticket 2
        card_parts = group.messages()[posted:]
        assert "Ticket Nr. 2" in card_parts[0].plain_text
        assert len(card_parts) >= 2  # split at Telegram's length
        with_buttons = card_parts[-1]
        assert with_buttons.buttons() == ["Übernehmen", "Erledigt"]
        assert "#1 bitte hier antworten" in with_buttons.plain_text
        before = len(victim.messages())

        await reply_at_desk(bot, group, agent, with_buttons, "Wir prüfen das.")

        await _answer_goes_to_ticket_two(bot, victim, attacker, before)


@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_to_a_long_forwarded_messages_last_part_goes_to_that_ticket(  # R24, R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        victim, attacker = await _victim_and_attacker(bot)
        await open_ticket(bot, attacker, "Frage zur Rechnung")  # ticket 2
        posted = len(group.messages())
        await say(bot, attacker, LONGEST)  # a follow-up, forwarded to the group
        forwarded = group.messages()[posted:]
        assert len(forwarded) >= 2
        assert "#1 bitte hier antworten" in forwarded[-1].plain_text
        before = len(victim.messages())

        await reply_at_desk(bot, group, agent, forwarded[-1], "Wir prüfen das.")

        await _answer_goes_to_ticket_two(bot, victim, attacker, before)


@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_to_an_agents_earlier_answer_stays_in_its_ticket(  # R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    """Agents may also answer by replying to a colleague's answer: the same ticket, by ids."""
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        colleague = await agent_of(bot, 901, "Clara")
        customer = await bot.linked_user(8303, first_name="Anna")
        await open_ticket(bot, customer, "Hilfe beim Login")
        card = group.messages()[0]
        first = await reply_at_desk(bot, group, agent, card, "Welcher Nutzer?")
        message = first["message"]
        assert isinstance(message, dict)
        await group.send(
            colleague,
            "Und seit wann?",
            reply_to=int(message["message_id"]),
            thread=card.message_thread_id if group.is_forum else None,
        )
        await bot.settle()
        assert customer.last_message().plain_text.startswith(
            "💬 Service Desk · Clara · Ticket Nr. 1:"
        )
