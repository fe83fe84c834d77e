"""`/forget_me` means it at the service desk too (issue 19, item 3): an agent is found by their
user id wherever the desk stored Telegram's live name at the time (take-overs, answers), the
bot's messages in the desk group lose a forgotten customer's name and words, and the outbox
keeps no free text about people (a decline's reason is read when the notice goes out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.licence_requests import RequestKind
from domain.services import licence_requests, tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import AskRequest
from domain.tickets import Author
from tests.conftest import Seed
from tests.desk import MODES, agent_of, desk_bot, open_ticket, reply_at_desk
from tests.e2e.harness import Bot, press, say


async def _forget(bot: Bot, user: object) -> None:
    from bot.emulator import EmulatedUser

    assert isinstance(user, EmulatedUser)
    await say(bot, user, "/forget_me")
    await press(bot, user, "Ja, löschen")
    await bot.settle()


@pytest.mark.parametrize("mode", MODES)
async def test_a_forgotten_agent_is_found_under_every_name_the_desk_stored(
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot, 900, "Bernd")
        customer = await bot.linked_user(8601, first_name="Anna")
        await open_ticket(bot, customer, "Teams-Lizenz fehlt")
        card = group.messages()[0]
        await group.press(agent, card, "Übernehmen")
        await bot.settle()
        agent.first_name = "Bernd B."  # renamed in Telegram since linking
        await reply_at_desk(bot, group, agent, card, "Ist freigeschaltet.")
        answer = customer.last_message()
        assert "Bernd B." in answer.plain_text

        await _forget(bot, agent)

        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert ticket.taken_by.startswith("Nutzer #")
        [answered] = [m for m in ticket.messages if m.author is Author.AGENT]
        assert answered.name == ticket.taken_by and answered.text == "Ist freigeschaltet."
        shown = [m.plain_text for m in group.messages()] + [
            m.plain_text for m in customer.messages()
        ]
        assert not any("Bernd" in text for text in shown)  # the bot's own messages, edited
        copy = next(m for m in customer.messages() if m.message_id == answer.message_id)
        assert ticket.taken_by in copy.plain_text


@pytest.mark.parametrize("mode", MODES)
async def test_a_forgotten_customers_name_and_words_leave_the_desk_group(
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        customer = await bot.linked_user(8602, first_name="Anna")
        await open_ticket(bot, customer, "Mein Kollege Herr Meier braucht E3")
        await say(bot, customer, "Er sitzt in Raum 12")
        assert any("Herr Meier" in m.plain_text for m in group.messages())

        await _forget(bot, customer)

        shown = " ".join(m.plain_text for m in group.messages())
        for trace in ("Anna", "Herr Meier", "Raum 12"):
            assert trace not in shown
        assert shown.count("Auf Wunsch der Person gelöscht") == 2  # the card, the message
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert ticket.user_name.startswith("Nutzer #") and ticket.user_name in shown


async def test_a_decline_reason_is_no_part_of_the_outbox_payload(  # R23
    ctx: Context, seed: Seed
) -> None:
    asked = await licence_requests.ask(
        ctx, seed.acme_member, AskRequest("acme", RequestKind.ORDER, "M365-E3", 2), "Mia"
    )
    reason = "Frau Schulz hat schon eine Lizenz"
    await licence_requests.decline(ctx, seed.acme_admin, asked.id, reason, "Anna")
    async with ctx.uow(write=False) as uow:
        notices = await uow.outbox.notices("acme")
    [declined] = [n for n in notices if n.kind == "request.declined"]
    assert declined.payload["request_id"] == asked.id
    assert reason not in repr([n.payload for n in notices])
    assert await licence_requests.reason_of(ctx, asked.id) == reason  # said when delivered
