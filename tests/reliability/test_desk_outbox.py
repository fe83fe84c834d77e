"""Nothing between a customer and the service desk is lost when the Bot API is down (issue 19,
item 9): a new ticket's card, a customer's follow-up and an agent's answer are stored in the
outbox with the change and go out once when Telegram is back — not merely logged."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.services import tickets
from domain.services.accounts import OPERATOR
from tests.desk import MODES, agent_of, desk_bot, open_ticket, reply_at_desk
from tests.e2e.harness import Bot, say
from tests.reliability.conftest import held


async def _deliver(bot: Bot) -> int:
    assert bot.application is not None
    sent = await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    return sent


async def _quiet(bot: Bot, seconds: float = 90.0) -> None:
    """Until the bot has handled everything, through the limiter's back-off (longer than one
    settle while Telegram fails)."""
    assert bot.application is not None
    for _ in range(int(seconds * 10)):
        await bot.emu.settle()
        if bot.application.in_flight == 0:
            break
        await asyncio.sleep(0.1)
    await bot.settle()


async def _after_outage(bot: Bot, clock: FixedClock) -> None:
    """Telegram is back, the back-off passed: the workers' rounds (twice: never twice sent)."""
    bot.emu.recover()
    clock.set(clock.now() + timedelta(seconds=10))
    await _deliver(bot)
    await _deliver(bot)


@pytest.mark.parametrize("mode", MODES)
async def test_a_ticket_opened_while_the_bot_api_is_down_reaches_the_desk_once(  # R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        customer = await bot.linked_user(8401, first_name="Anna")
        await say(bot, customer, "/support")
        bot.emu.outage(502)  # beyond the limiter's retries
        await customer.send("Unser Drucker druckt nicht")
        await _quiet(bot)
        assert group.messages() == []
        [stored] = await tickets.list_tickets(bot.core, OPERATOR)

        await _after_outage(bot, clock)

        cards = [m for m in group.messages() if "Ticket Nr. 1" in m.plain_text]
        held(f"ticket opened in an outage ({mode})", 1, int(len(cards) == 1))
        assert len(cards) == 1 and "Unser Drucker druckt nicht" in cards[0].plain_text
        assert cards[0].buttons() == ["Übernehmen", "Erledigt"]
        if group.is_forum:
            assert list(group.topics().values()) == ["#1 · ACME GmbH"]
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert ticket.id == stored.id and ticket.desk_message_id == cards[0].message_id


@pytest.mark.parametrize("mode", MODES)
async def test_a_follow_up_and_an_answer_during_an_outage_arrive_once(  # R26
    mode: str, tmp_path: Path, clock: FixedClock
) -> None:
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        customer = await bot.linked_user(8402, first_name="Anna")
        await open_ticket(bot, customer, "VPN geht nicht")
        card = group.messages()[0]

        bot.emu.outage(502)
        await customer.send("Seit heute früh")
        await _quiet(bot)
        await group.send(
            agent,
            "Wir schauen nach.",
            reply_to=card,
            thread=card.message_thread_id if group.is_forum else None,
        )
        await _quiet(bot)
        await _after_outage(bot, clock)

        forwarded = [m for m in group.messages() if "Seit heute früh" in m.plain_text]
        answers = [m for m in customer.messages() if "Wir schauen nach." in m.plain_text]
        held(f"follow-up and answer in an outage ({mode})", 2, len(forwarded) + len(answers))
        assert len(forwarded) == 1 and len(answers) == 1
        assert answers[0].plain_text.startswith("💬 Service Desk · Bernd · Ticket Nr. 1:")
        [ticket] = await tickets.list_tickets(bot.core, OPERATOR)
        assert [m.text for m in ticket.messages] == [
            "VPN geht nicht",
            "Seit heute früh",
            "Wir schauen nach.",
        ]


async def test_the_customer_is_told_of_a_take_over_after_an_outage_once(  # R26
    tmp_path: Path, clock: FixedClock
) -> None:
    mode = "plain group"
    async with desk_bot(mode, tmp_path, clock) as (bot, group):
        agent = await agent_of(bot)
        customer = await bot.linked_user(8403, first_name="Anna")
        await open_ticket(bot, customer, "Lizenz fehlt")
        card = group.messages()[0]
        await reply_at_desk(bot, group, agent, card, "Moment bitte.")
        bot.emu.outage(502)
        await group.press(agent, card, "Übernehmen")
        await _quiet(bot)
        await _after_outage(bot, clock)
        taken = [m for m in customer.messages() if "bearbeitet jetzt" in m.plain_text]
        held(f"take-over told after an outage ({mode})", 1, int(len(taken) == 1))
        assert len(taken) == 1
