"""Edited messages are never new messages (issue 18, item 11; issue 19, item 4): an agent's
edited answer edits the customer's copy instead of reaching them again, and is stored once; a
customer's edit is not read as a new quantity or a new decline reason; a customer's edit of a
ticket message edits the service desk's copy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.licence_requests import RequestStatus
from domain.model import Role
from domain.services import licence_requests, tickets
from domain.services.accounts import OPERATOR
from tests.desk import MODES, agent_of, desk_bot, open_ticket, reply_at_desk
from tests.e2e.harness import Bot, press, running_bot, say, screen


@pytest.fixture
async def bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock) as running:
        yield running


@pytest.mark.parametrize("mode", MODES)
async def test_an_agents_edit_edits_the_customers_copy_and_is_stored_once(  # R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        customer = await bot.linked_user(8501, first_name="Anna")
        await open_ticket(bot, customer, "Bitte Lizenz zuweisen")
        sent = await reply_at_desk(bot, group, agent, group.messages()[0], "Erledigt bis Montg.")
        before = len(customer.messages())
        answer = customer.last_message()

        await group.edit(agent, sent, "Erledigt bis Montag.")
        await bot.settle()

        assert len(customer.messages()) == before  # no second delivery
        copy = next(m for m in customer.messages() if m.message_id == answer.message_id)
        assert "Erledigt bis Montag." in copy.plain_text
        assert copy.edit_date is not None
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert [m.text for m in ticket.messages] == [
            "Bitte Lizenz zuweisen",
            "Erledigt bis Montag.",
        ]


@pytest.mark.parametrize("mode", MODES)
async def test_a_customers_edit_of_a_ticket_message_edits_the_desks_copy(  # R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        customer = await bot.linked_user(8502, first_name="Anna")
        await open_ticket(bot, customer, "Drucker defekt")
        sent = await customer.send("Raum 12")
        await bot.settle()
        desk_before = len(group.messages())
        forwarded = group.last_message()

        await customer.edit(sent, "Raum 21")
        await bot.settle()

        assert len(group.messages()) == desk_before
        copy = next(m for m in group.messages() if m.message_id == forwarded.message_id)
        assert "Raum 21" in copy.plain_text and "Raum 12" not in copy.plain_text
        assert "Ticket Nr. 1" in customer.last_message().plain_text  # told it was applied
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert [m.text for m in ticket.messages] == ["Drucker defekt", "Raum 21"]


async def test_an_edited_quantity_is_not_a_new_quantity(bot: Bot) -> None:  # R4, R11
    user = await bot.linked_user(8503)
    await say(bot, user, "/products")
    await press(bot, user, "Microsoft 365 E3")
    await press(bot, user, "Bestellen")
    typed = await user.send("5")
    await bot.settle()
    summary = screen(user)
    assert "5" in summary.plain_text
    messages = len(user.messages())

    await user.edit(typed, "50")
    await bot.settle()

    new = user.messages()[messages:]
    assert [m.plain_text for m in new] == [
        "Geänderte Nachrichten übernehme ich nicht – es gilt, was Sie zuerst geschrieben haben. "
        "Schreiben Sie die Änderung bitte als neue Nachricht."
    ]
    assert "50" not in screen(user).plain_text


async def test_an_edited_command_does_not_run_again(bot: Bot) -> None:
    user = await bot.linked_user(8504)
    typed = await user.send("/status")
    await bot.settle()
    messages = len(user.messages())
    await user.edit(typed, "/forget_me")
    await bot.settle()
    assert len(user.messages()) == messages + 1
    assert "übernehme ich nicht" in user.last_message().plain_text


async def test_an_edited_message_is_not_a_decline_reason(bot: Bot) -> None:  # R23
    anna = await bot.linked_user(8511, first_name="Anna")
    mia = await bot.linked_user(8512, role=Role.MEMBER, first_name="Mia")
    await say(bot, mia, "/products")
    await press(bot, mia, "Microsoft 365 E3")
    await press(bot, mia, "Bestellen")
    await say(bot, mia, "3")
    await press(bot, mia, "Anfrage senden")
    await press(bot, anna, "Ablehnen", screen(anna))
    typed = await anna.send("x" * 501)  # too long: the reason is asked for again
    await bot.settle()

    await anna.edit(typed, "Budget erst im Januar")
    await bot.settle()

    assert "übernehme ich nicht" in anna.last_message().plain_text
    [request] = await licence_requests.list_requests(bot.core, OPERATOR)
    assert request.status is RequestStatus.PENDING and request.reason == ""
