"""Races between processes (R9, R13): real connections, real locks.

PostgreSQL is the production store with several workers; SQLite is checked the same way for
several processes on one machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from domain.commands import ChangeQuantity, PlaceOrder
from domain.model import Channel
from domain.services import orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.notifications import claim_deliveries
from domain.storage.database import Database
from tests.conftest import NOW, Seed
from tests.integration import race

PROCESSES = 4


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(
        PROCESSES, mp_context=multiprocessing.get_context("spawn")
    ) as executor:
        yield executor


async def test_twenty_concurrent_confirmations_create_one_order(
    ctx: Context, seed: Seed, pool: ProcessPoolExecutor
) -> None:  # R9
    cmd = PlaceOrder("acme", "M365-E3", 12, True, True, idempotency_key="double-tap")
    loop = asyncio.get_running_loop()
    futures = [
        loop.run_in_executor(
            pool, race.place_same_order, ctx.db.url, ctx.db.schema, NOW, seed.acme_admin, cmd, 5
        )
        for _ in range(PROCESSES)
    ]
    results = [r for chunk in await asyncio.gather(*futures) for r in chunk]
    assert len(results) == 20
    assert len({sub_id for sub_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    listed = await orders.list_orders(ctx, seed.acme_admin, "acme")
    assert [(s.product_sku, s.quantity) for s in listed.subscriptions] == [("M365-E3", 12)]
    async with ctx.uow(write=False) as uow:
        entries = await uow.records.audit_for("acme")
        consents = await uow.records.consents_for(listed.subscriptions[0].id)
    assert [e["action"] for e in entries].count("order.place") == 1
    assert len(consents) == 2


async def test_two_racing_changes_of_the_same_version_one_applies_one_conflicts(
    ctx: Context, seed: Seed, pool: ProcessPoolExecutor
) -> None:  # R13
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 18, True, True)
    )
    sub = placed.subscription
    loop = asyncio.get_running_loop()
    outcomes = await asyncio.gather(
        *(
            loop.run_in_executor(
                pool,
                race.change_quantity,
                ctx.db.url,
                ctx.db.schema,
                NOW,
                seed.acme_admin,
                ChangeQuantity(sub.id, quantity, expected_version=sub.version),
            )
            for quantity in (40, 25)
        )
    )
    assert sorted(outcomes) == ["applied", "conflict"]
    final = await orders.order_status(ctx, seed.acme_admin, sub.id)
    winner = 40 if outcomes[0] == "applied" else 25
    assert (final.quantity, final.version) == (winner, sub.version + 1)
    async with ctx.uow(write=False) as uow:
        history = await uow.records.history(sub.id)
    assert [(h["from_quantity"], h["to_quantity"]) for h in history] == [(18, winner)]


async def test_each_delivery_is_claimed_by_one_worker_only(ctx: Context, seed: Seed) -> None:
    # design decision 4: deliveries claimed with FOR UPDATE SKIP LOCKED on PostgreSQL
    for sku in ("M365-E3", "M365-E5", "EXO-P1"):
        placed = await orders.place_order(
            ctx, seed.acme_admin, PlaceOrder("acme", sku, 2, True, True)
        )
        await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    workers = [
        Context(Database(ctx.db.url, schema=ctx.db.schema), clock=ctx.clock) for _ in range(4)
    ]
    try:
        rounds = await asyncio.gather(
            *(claim_deliveries(w, Channel.TELEGRAM, limit=2) for w in workers for _ in range(2))
        )
    finally:
        for worker in workers:
            await worker.db.dispose()
    claimed = [d for claim in rounds for d in claim.deliveries]
    assert len(claimed) == len({d.id for d in claimed})
    # one notice at a time per person: the admin's first one only, until it is settled
    assert len(claimed) == 1
    [delivery] = claimed
    assert delivery.user is not None and delivery.user.external_id == "100"  # ACME's admin
    assert delivery.notification.payload["product_name"] == "Microsoft 365 E3"
    assert (await claim_deliveries(ctx, Channel.TELEGRAM)).deliveries == []  # R24: nobody else
