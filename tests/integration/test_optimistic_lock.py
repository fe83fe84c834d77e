"""One optimistic lock for every versioned aggregate (R13, docs/decisions.md): a write over a
version another writer has stored since this one read it is refused as `StaleWrite`, for a
subscription, a ticket and a licence request alike, and nothing of it is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, update

from domain import errors
from domain.commands import PlaceOrder
from domain.services import orders, tickets
from domain.services.common import bump
from domain.services.context import Context
from domain.services.tickets import OpenTicket
from domain.storage import tables
from domain.storage.uow import SqlUnitOfWork
from tests.conftest import Seed
from tests.integration.test_requests import member_asks


async def another_writer_was_first(uow: SqlUnitOfWork, table: Table, row_id: int) -> None:
    """What a racing writer leaves behind: the row's version moved past the one read."""
    await uow.session.execute(
        update(table).where(table.c.id == row_id).values(version=table.c.version + 1)
    )


async def test_a_stale_subscription_write_is_refused(ctx: Context, seed: Seed) -> None:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 10, True, True, "k")
    )
    sub_id = placed.subscription.id
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        sub = await uow.subscriptions.get(sub_id)
        assert sub is not None
        await another_writer_was_first(uow, tables.subscriptions, sub_id)
        sub.quantity = 99
        bump(sub)
        with pytest.raises(errors.StaleWrite):
            await uow.commit()
    async with ctx.uow(write=False) as uow:
        stored = await uow.subscriptions.get(sub_id)
    assert stored is not None
    assert stored.quantity == 10


async def test_a_stale_ticket_write_is_refused(ctx: Context, seed: Seed) -> None:
    view = await tickets.open_ticket(ctx, seed.acme_admin, OpenTicket("Hilfe", "Start", "de"))
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        ticket = await uow.tickets.get(view.id)
        assert ticket is not None
        await another_writer_was_first(uow, tables.tickets, view.id)
        ticket.resolve(ctx.now())
        with pytest.raises(errors.StaleWrite):
            await uow.tickets.save(ticket)
    async with ctx.uow(write=False) as uow:
        stored = await uow.tickets.get(view.id)
    assert stored is not None
    assert stored.is_open


async def test_a_stale_licence_request_write_is_refused(ctx: Context, seed: Seed) -> None:
    request_id = await member_asks(ctx, seed)
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        request = await uow.requests.get(request_id)
        assert request is not None
        await another_writer_was_first(uow, tables.licence_requests, request_id)
        request.decline(seed.acme_admin, "Anna", "Nein", ctx.now())
        with pytest.raises(errors.StaleWrite):
            await uow.requests.save(request)
    async with ctx.uow(write=False) as uow:
        stored = await uow.requests.get(request_id)
    assert stored is not None
    assert stored.status.value == "pending"
