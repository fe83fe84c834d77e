"""Retention on the fakes (domain/services/retention.py, docs/privacy.md): what has outlived
its time goes, what is still owed or recent stays, and an audit entry says how much (R25)."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FixedClock
from domain.conversation import ChatState
from domain.ports import Erased
from domain.services import retention, tickets
from domain.services.context import Context
from domain.services.retention import RetentionPolicy
from domain.services.tickets import OpenTicket
from tests.conftest import Seed
from tests.fakes import FakeStore

DAY = timedelta(days=1)


async def chat(ctx: Context, chat_id: int, update_id: int) -> None:
    async with ctx.uow() as uow:
        await uow.chats.claim_update(1, update_id, ctx.now(), chat_id)
        await uow.chats.save(ChatState(chat_id, "de"), ctx.now())
        await uow.chats.new_draft(chat_id, "order", {"sku": "M365-E3"}, ctx.now())
        await uow.commit()


async def test_only_what_outlived_its_retention_is_purged_and_audited(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    start = clock.now()
    await chat(ctx, 101, 1)
    ticket = await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", "", "de"))
    await tickets.resolve(ctx, seed.agent, ticket.id)  # tells the member: a notice
    clock.set(start + 8 * DAY)
    await chat(ctx, 102, 2)  # recent
    nothing_old = await retention.purge(ctx, RetentionPolicy(chat_days=90))
    assert nothing_old == Erased(updates=1)  # update ids live 7 days
    clock.set(start + 400 * DAY)
    erased = await retention.purge(ctx, RetentionPolicy())
    assert erased == Erased(chats=2, drafts=2, updates=1, tickets=1, ticket_messages=1)
    assert store.state.chats == {} and store.state.tickets == {}
    assert len(store.state.notifications) == 2  # still owed: never delivered
    assert [e.action for e in store.state.audit][-2:] == ["retention.purge", "retention.purge"]
    assert store.state.audit[-1].details["tickets"] == 1


async def test_delivered_notices_go_after_their_days_and_an_empty_purge_audits_nothing(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    start = clock.now()
    opened = await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", "", "de"))
    async with ctx.uow() as uow:
        [held] = await uow.outbox.claim(
            seed.acme_member.channel, 10, ctx.now(), ctx.now() + DAY, "t"
        )
        await uow.outbox.delivered(held.id, "t", ctx.now())
        await uow.commit()
    audited = len(store.state.audit)
    clock.set(start + 29 * DAY)
    assert await retention.purge(ctx, RetentionPolicy(updates_days=1)) == Erased()
    assert len(store.state.audit) == audited  # nothing purged: nothing to say
    clock.set(start + 31 * DAY)
    assert await retention.purge(ctx, RetentionPolicy()) == Erased(notices=1)
    assert store.state.notifications == [] and store.state.deliveries == []
    assert opened.id in store.state.tickets  # open tickets stay
