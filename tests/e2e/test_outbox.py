"""Notifications through the outbox, end to end through the Bot API emulator: who is told of
what, in which language, exactly once; and a notice survives a Bot API outage (5xx, 429), a
chat that blocked the bot, and a worker that dies mid-delivery (issue 9, item 5)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.emulator import EmulatedUser
from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.commands import (
    BookAddon,
    CancelSubscription,
    ChangeQuantity,
    LinkUser,
    PlaceOrder,
    WithdrawCancellation,
)
from domain.licence_requests import RequestKind
from domain.model import Actor, Channel, Role
from domain.services import (
    accounts,
    addons,
    licence_requests,
    notifications,
    orders,
    subscriptions,
    tickets,
)
from domain.services.licence_requests import Approval, AskRequest
from domain.services.notifications import LEASE, claim_deliveries
from domain.services.tickets import OpenTicket
from tests.e2e.harness import Bot, running_bot, texts
from tests.storage import read


async def deliver(bot: Bot) -> int:
    assert bot.application is not None
    sent = await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    return sent


async def actor(bot: Bot, user: EmulatedUser) -> Actor:
    return await accounts.resolve_actor(bot.core, Channel.TELEGRAM, str(user.id))


def told(user: EmulatedUser, since: int = 0) -> list[str]:
    """What the bot sent this person since message number `since`."""
    return [m.plain_text for m in user.messages()[since:]]


async def customer_people(bot: Bot) -> tuple[EmulatedUser, ...]:
    anna = await bot.linked_user(9101, first_name="Anna")  # admin, German
    bob = await bot.linked_user(9102, language="en", first_name="Bob")  # admin, English
    mia = await bot.linked_user(9103, role=Role.MEMBER, first_name="Mia")  # member, German
    gus = await bot.linked_user(9104, customer="globex", first_name="Gus")  # someone else's
    return anna, bob, mia, gus


async def order_e3(bot: Bot, by: EmulatedUser, quantity: int = 4) -> int:
    placed = await orders.place_order(
        bot.core, await actor(bot, by), PlaceOrder("acme", "M365-E3", quantity, True, True)
    )
    return placed.subscription.id


async def test_the_life_cycle_tells_who_ordered_and_the_admins_once_in_their_language(
    bot: Bot, clock: FixedClock
) -> None:  # R10, R11, R14, R18-R21, R23, R24
    anna, bob, mia, gus = await customer_people(bot)
    sub = await order_e3(bot, anna)
    marks = {u.id: len(u.messages()) for u in (anna, bob, mia, gus)}

    await bot.provision(sub)  # Anna ordered; Bob is an admin; Mia is a member: not told
    assert await deliver(bot) == 2
    assert told(anna, marks[anna.id]) == [
        "✅ Microsoft 365 E3 ist bereitgestellt: 4 Lizenzen (Bestellung Nr. 1), "
        "Bereitstellungsdatum 24.11.2026. Add-Ons können Sie jetzt unter „Meine Bestellungen“ "
        "buchen."
    ]
    assert told(bob, marks[bob.id]) == [
        "✅ Microsoft 365 E3 is provisioned: 4 licences (order no. 1), provisioning date "
        "24 Nov 2026. You can now book add-ons under “My orders”."
    ]
    assert await deliver(bot) == 0  # each once

    # Anna changes the quantity: she sees her result; Bob is told
    before = {u.id: len(u.messages()) for u in (anna, bob)}
    await subscriptions.change_quantity(bot.core, await actor(bot, anna), ChangeQuantity(sub, 6))
    assert await deliver(bot) == 1
    assert told(anna, before[anna.id]) == []
    assert told(bob, before[bob.id]) == [
        "The quantity of Microsoft 365 E3 (order no. 1) was changed from 4 to 6. "
        "Monthly total: €280.62 net."
    ]

    # Bob books an add-on; once it is provisioned Bob (who booked) and Anna are told
    await addons.book_addon(bot.core, await actor(bot, bob), BookAddon(sub, "COPILOT", True, 2))
    await bot.provision(sub)
    before = {u.id: len(u.messages()) for u in (anna, bob)}
    assert await deliver(bot) == 2
    assert told(anna, before[anna.id]) == [
        "✅ Für Microsoft 365 E3 (Bestellung Nr. 1) ist bereitgestellt: Microsoft 365 Copilot, "
        "Bereitstellungsdatum 24.11.2026."
    ]
    assert told(bob, before[bob.id]) == [
        "✅ Provisioned for Microsoft 365 E3 (order no. 1): Microsoft 365 Copilot, "
        "provisioning date 24 Nov 2026."
    ]

    # Bob cancels, Anna (who ordered) hears it; Anna withdraws it, Bob hears that
    before = {u.id: len(u.messages()) for u in (anna, bob)}
    await subscriptions.cancel_subscription(
        bot.core, await actor(bot, bob), CancelSubscription(sub)
    )
    await subscriptions.withdraw_cancellation(
        bot.core, await actor(bot, anna), WithdrawCancellation(sub)
    )
    assert await deliver(bot) == 2
    assert told(anna, before[anna.id]) == [
        "Microsoft 365 E3 (Bestellung Nr. 1) ist gekündigt und endet am 30.11.2026. Bis dahin "
        "kann die Kündigung unter „Meine Bestellungen“ zurückgenommen werden.\n"
        "Mit gekündigt: Microsoft 365 Copilot."
    ]
    assert told(bob, before[bob.id]) == [
        "✅ The cancellation of Microsoft 365 E3 (order no. 1) has been withdrawn; the licences "
        "keep running."
    ]

    # cancelled again; the month end ends it (R21): both admins are told
    await subscriptions.cancel_subscription(
        bot.core, await actor(bot, anna), CancelSubscription(sub)
    )
    clock.set(clock.now() + timedelta(days=7))  # 1 Dec
    await subscriptions.end_expired(bot.core)
    before = {u.id: len(u.messages()) for u in (anna, bob)}
    assert await deliver(bot) == 3  # Bob: cancelled, ended; Anna: ended
    assert told(anna, before[anna.id]) == [
        "Die Kündigung ist wirksam: Microsoft 365 E3 (Bestellung Nr. 1) ist zum 30.11.2026 beendet."
    ]
    assert told(bob, before[bob.id])[1] == (
        "The cancellation has taken effect: Microsoft 365 E3 (order no. 1) ended on 30 Nov 2026."
    )
    assert told(mia, marks[mia.id]) == []  # a member who did not ask is not told
    assert told(gus, marks[gus.id]) == []  # R24
    assert await deliver(bot) == 0


async def test_request_decisions_tell_the_one_who_asked_with_the_reason(bot: Bot) -> None:  # R23
    anna, bob, mia, _ = await customer_people(bot)
    sub = await order_e3(bot, anna)
    await bot.provision(sub)
    await deliver(bot)
    agent = await bot.linked_user(9105, role=Role.AGENT, customer=None, language="en")
    mia_asks = await licence_requests.ask(
        bot.core,
        await actor(bot, mia),
        AskRequest("acme", RequestKind.CHANGE, subscription_id=sub, quantity=8),
        "Mia",
    )
    marks = {u.id: len(u.messages()) for u in (anna, bob, mia, agent)}

    await licence_requests.decline(
        bot.core, await actor(bot, anna), mia_asks.id, "Budget <erst> im Januar", "Anna"
    )
    assert await deliver(bot) == 2  # Mia who asked, Bob the other admin; not Anna
    assert told(mia, marks[mia.id]) == [
        "❌ Anfrage Nr. 1 (ACME GmbH) ist abgelehnt: Microsoft 365 E3 (Nr. 1): neue Menge 8.\n"
        "Begründung: Budget <erst> im Januar"
    ]
    assert told(bob, marks[bob.id]) == [
        "❌ Request no. 1 (ACME GmbH) has been declined: "
        "Microsoft 365 E3 (no. 1): new quantity 8.\nReason: Budget <erst> im Januar"
    ]
    assert told(anna, marks[anna.id]) == []

    # approved: Mia and Anna hear of the approval, and nobody of the change a second time
    again = await licence_requests.ask(
        bot.core,
        await actor(bot, mia),
        AskRequest("acme", RequestKind.CHANGE, subscription_id=sub, quantity=9),
        "Mia",
    )
    marks = {u.id: len(u.messages()) for u in (anna, bob, mia, agent)}
    await licence_requests.approve(
        bot.core, await actor(bot, bob), again.id, Approval(True, False), "Bob"
    )
    assert await deliver(bot) == 2
    assert told(mia, marks[mia.id]) == [
        "✅ Anfrage Nr. 2 (ACME GmbH) ist genehmigt: Microsoft 365 E3 (Nr. 1): neue Menge 9."
    ]
    assert told(anna, marks[anna.id]) == [
        "✅ Anfrage Nr. 2 (ACME GmbH) ist genehmigt: Microsoft 365 E3 (Nr. 1): neue Menge 9."
    ]
    assert told(bob, marks[bob.id]) == []

    # the service desk prepared a request; declined, the agent is told why, in English
    prepared = await licence_requests.ask(
        bot.core,
        await actor(bot, agent),
        AskRequest("acme", RequestKind.ORDER, product_sku="EXO-P1", quantity=3),
        "Sam (Service Desk)",
    )
    marks = {u.id: len(u.messages()) for u in (anna, bob, mia, agent)}
    await licence_requests.decline(
        bot.core, await actor(bot, anna), prepared.id, "Not needed", "Anna"
    )
    assert await deliver(bot) == 2
    [said] = told(agent, marks[agent.id])
    assert said.startswith("❌ Request no. 3 (ACME GmbH) has been declined: Exchange Online")
    assert said.endswith("3 users.\nReason: Not needed")
    assert told(mia, marks[mia.id]) == []


async def test_a_chat_that_blocked_the_bot_is_given_up_and_the_others_are_told(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    anna, bob, _, _ = await customer_people(bot)
    sub = await order_e3(bot, anna)
    bob.block()
    await bot.settle()
    await bot.provision(sub)
    before = len(anna.messages())
    with caplog.at_level(logging.WARNING, logger="bot.notifier"):
        assert await deliver(bot) == 1
    assert "ist bereitgestellt" in told(anna, before)[0]
    assert any("given up" in r.getMessage() and "blocked" in r.getMessage() for r in caplog.records)
    async with read(bot.core.db) as uow:
        [notice] = await uow.outbox.notices()
        states = {d["user_id"]: d["state"] for d in await uow.outbox.states(notice.id)}
    assert sorted(states.values()) == ["gone", "sent"]
    bob.unblock()
    await bot.settle()
    assert await deliver(bot) == 0  # given up is final for that notice
    assert not any("bereitgestellt" in t or "provisioned" in t for t in texts(bob))


async def test_a_notice_survives_a_bot_api_outage_and_goes_out_once(
    bot: Bot, clock: FixedClock
) -> None:
    anna = await bot.linked_user(9201)
    sub = await order_e3(bot, anna)
    await bot.provision(sub)
    bot.emu.outage(502)
    assert await deliver(bot) == 0  # the limiter's retries fail too: back-off
    assert await deliver(bot) == 0  # not due before its back-off
    bot.emu.recover()
    assert await deliver(bot) == 0
    clock.set(clock.now() + timedelta(seconds=10))
    assert await deliver(bot) == 1
    assert await deliver(bot) == 0
    assert [t for t in texts(anna) if "bereitgestellt:" in t] == [
        "✅ Microsoft 365 E3 ist bereitgestellt: 4 Lizenzen (Bestellung Nr. 1), "
        "Bereitstellungsdatum 24.11.2026. Add-Ons können Sie jetzt unter „Meine Bestellungen“ "
        "buchen."
    ]


async def test_flood_control_is_waited_out_and_the_notice_goes_out_once(
    bot: Bot, clock: FixedClock
) -> None:
    anna = await bot.linked_user(9301)
    bob = await bot.linked_user(9302, first_name="Bob")
    sub = await order_e3(bot, anna)
    await bot.provision(sub)
    bot.emu.fail_next("sendMessage", count=2, status=429, retry_after=1)
    assert await deliver(bot) == 2  # the limiter waited twice for a second
    bot.emu.outage(429, retry_after=1)  # flood control that outlasts the limiter's retries
    await subscriptions.change_quantity(bot.core, await actor(bot, bob), ChangeQuantity(sub, 5))
    assert await deliver(bot) == 0
    bot.emu.recover()
    clock.set(clock.now() + timedelta(seconds=1))
    assert await deliver(bot) == 1
    assert await deliver(bot) == 0
    said = texts(anna)
    assert sum("ist bereitgestellt" in t for t in said) == 1
    assert sum("wurde von 4 auf 5 geändert" in t for t in said) == 1


async def test_a_notice_that_cannot_be_said_is_kept_and_does_not_hold_up_the_next(
    bot: Bot, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await bot.linked_user(9351)
    async with bot.core.uow() as uow:  # written by a newer version this one cannot render
        await notifications.tell(uow, clock.now(), "acme", "something.new", {})
        await uow.commit()
    sub = await order_e3(bot, anna)
    await bot.provision(sub)
    with caplog.at_level(logging.WARNING, logger="bot.notifier"):
        assert await deliver(bot) == 1  # the provisioning notice, after the other failed
    assert any("something.new" in r.getMessage() for r in caplog.records)
    assert sum("ist bereitgestellt" in t for t in texts(anna)) == 1
    async with read(bot.core.db) as uow:
        first = (await uow.outbox.notices())[0]
        [kept] = await uow.outbox.states(first.id)
    assert (kept["state"], kept["attempts"]) == ("pending", 1)  # kept for a version that can
    assert kept["last_error"] == "UnknownNotice: something.new"


async def test_a_worker_killed_mid_delivery_leaves_the_notice_to_the_next(
    bot: Bot, clock: FixedClock
) -> None:
    anna = await bot.linked_user(9401)
    sub = await order_e3(bot, anna)
    await bot.provision(sub)
    bot.emu.outage(502)  # the send hangs in the limiter's retries ...
    assert bot.application is not None
    dying = asyncio.create_task(deliver_once(bot.application, bot.core, "de"))
    await asyncio.sleep(0.5)
    dying.cancel()  # ... when the worker dies: its claim stays behind
    with pytest.raises(asyncio.CancelledError):
        await dying
    bot.emu.recover()
    assert await deliver(bot) == 0  # still claimed by the dead worker
    clock.set(clock.now() + LEASE)  # the claim has expired
    await bot.restart()  # the new worker's first round sends it
    await arrives(anna, "ist bereitgestellt")
    assert await deliver(bot) == 0
    assert sum("ist bereitgestellt" in t for t in texts(anna)) == 1


async def test_notices_written_while_the_bot_was_down_go_out_after_the_restart(bot: Bot) -> None:
    anna = await bot.linked_user(9501)
    sub = await order_e3(bot, anna)
    await bot.stop()
    await subscriptions.mark_provisioned(bot.core, OPERATOR_ACTOR, sub)
    await bot.restart()  # the first round of the new worker sends it
    await arrives(anna, "ist bereitgestellt")
    assert await deliver(bot) == 0
    assert sum("ist bereitgestellt" in t for t in texts(anna)) == 1
    assert (await claim_deliveries(bot.core, Channel.TELEGRAM)).deliveries == []


async def arrives(user: EmulatedUser, needle: str, seconds: float = 10) -> None:
    """Until a message with `needle` is in the chat (sent by the worker's own round)."""
    for _ in range(int(seconds / 0.05)):
        if any(needle in t for t in texts(user)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{needle!r} did not arrive in {seconds} s")


OPERATOR_ACTOR = accounts.OPERATOR


async def test_a_rasa_ticket_reaches_the_desk_after_an_outage_once(
    tmp_path: Path, clock: FixedClock
) -> None:  # R26: tickets from the Rasa assistant are posted by the bot
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_bot(url, clock, service_desk_chat_id=-100777) as bot:
        group = bot.emu.group(-100777, "Service Desk")
        code = await bot.invite(Role.MEMBER, "acme")
        linked = await accounts.link_user(
            bot.core, Channel.RASA, LinkUser("rasa-1", code, display_name="Rita")
        )
        await tickets.open_ticket(
            bot.core, linked.user.as_actor(), OpenTicket("Bitte Rückruf", "Rasa", "de")
        )
        bot.emu.outage(502)
        assert await deliver(bot) == 0
        assert group.messages() == []
        bot.emu.recover()
        clock.set(clock.now() + timedelta(seconds=10))
        await deliver(bot)
        await deliver(bot)  # posted already: never twice
        [card] = group.messages()
        assert "Ticket Nr. 1" in card.plain_text and "Bitte Rückruf" in card.plain_text
