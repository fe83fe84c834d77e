"""The outbox on the fakes (domain/services/notifications.py): a notice is queued with the
change, once per person, and delivered, retried, given up or released by its claim."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from domain.clock import FixedClock
from domain.model import Channel, Role
from domain.services import notifications
from domain.services.context import Context
from tests.conftest import Seed, link
from tests.fakes import FakeStore
from tests.unit.services.support import order

TELEGRAM = Channel.TELEGRAM


async def queue(ctx: Context, users: Sequence[int | None] = (), skip: int | None = None) -> None:
    async with ctx.uow() as uow:
        await notifications.tell(uow, ctx.now(), "acme", "changed", {}, users=users, skip=skip)
        await uow.commit()


async def test_a_notice_goes_once_to_who_ordered_and_the_admins_not_to_who_acted(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    second = await link(ctx, Role.ADMIN, "acme", "102")
    member = seed.acme_member.user_id
    await queue(ctx, users=[member, member, None], skip=second.user_id)
    assert [d["user_id"] for d in store.state.deliveries] == [member, seed.acme_admin.user_id]


async def test_nobody_to_tell_queues_nothing(ctx: Context, seed: Seed, store: FakeStore) -> None:
    await queue(ctx, skip=seed.acme_admin.user_id)
    assert store.state.notifications == []


async def test_a_claimed_delivery_is_sent_once(ctx: Context, seed: Seed, clock: FixedClock) -> None:
    await queue(ctx)
    claim = await notifications.claim_deliveries(ctx, TELEGRAM)
    [held] = claim.deliveries
    assert (held.attempts, held.user and held.user.external_id) == (1, "100")
    assert (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries == []  # held
    assert await notifications.delivered(ctx, held)
    assert not await notifications.delivered(ctx, held)  # settled already
    clock.set(clock.now() + timedelta(hours=1))
    assert (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries == []


async def test_a_failed_delivery_waits_for_its_backoff_and_a_lost_person_is_given_up(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    await queue(ctx)
    [held] = (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries
    due = await notifications.retry(ctx, held, "timeout")
    assert due - ctx.now() == timedelta(seconds=10)
    assert (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries == []
    clock.set(due)
    [again] = (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries
    assert again.attempts == 2
    await notifications.give_up(ctx, again, "blocked")
    assert store.state.deliveries[0]["state"] == "gone"
    assert [notifications.backoff(n).total_seconds() for n in (1, 2, 3, 30)] == [10, 20, 40, 900]


async def test_a_released_claim_is_due_at_once_and_an_expired_one_goes_to_another_worker(
    ctx: Context, seed: Seed, clock: FixedClock
) -> None:
    await queue(ctx)
    claim = await notifications.claim_deliveries(ctx, TELEGRAM)
    await notifications.release(ctx, claim.deliveries)
    await notifications.release(ctx, [])
    [again] = (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries
    assert again.attempts == 1  # a release does not count as an attempt
    clock.set(clock.now() + notifications.LEASE)
    [other] = (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries
    assert other.token != again.token
    assert not await notifications.delivered(ctx, again)  # the first worker lost its claim


async def test_a_persons_notices_go_out_in_order(ctx: Context, seed: Seed) -> None:
    await queue(ctx)
    await queue(ctx)
    [first] = (await notifications.claim_deliveries(ctx, TELEGRAM, limit=5)).deliveries
    await notifications.delivered(ctx, first)
    [second] = (await notifications.claim_deliveries(ctx, TELEGRAM, limit=5)).deliveries
    assert second.notification.id > first.notification.id


async def test_who_ordered_is_found_by_the_consents_and_the_kinds_by_id(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R5, R10
    sub_id = await order(ctx, seed.acme_admin)
    async with ctx.uow() as uow:
        assert await notifications.orderers(uow, sub_id) == [seed.acme_admin.user_id] * 2
        assert await notifications.orderers(uow, sub_id, [12345]) == []
        await notifications.tell_desk(uow, ctx.now(), "acme", "ticket.opened", {"ticket_id": 1})
        await notifications.tell_person(uow, ctx.now(), "acme", "ticket.taken", {}, 999)
        await uow.commit()
    [desk] = store.state.notifications
    assert await notifications.kinds_of(ctx, "acme", [desk.id, 999]) == {desk.id: "ticket.opened"}


async def test_a_notice_reaches_only_people_still_with_the_customer(
    ctx: Context, seed: Seed
) -> None:  # R24
    await queue(ctx)
    [held] = (await notifications.claim_deliveries(ctx, TELEGRAM)).deliveries
    assert notifications.reachable(held)
    assert held.user is not None
    held.user.customer_id = "globex"  # linked elsewhere since
    assert not notifications.reachable(held)
    held.user.role = Role.AGENT
    assert notifications.reachable(held)
