"""Provisioning rounds through the port (docs/provisioning.md): manual and simulated."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FixedClock
from domain.commands import BookAddon, PlaceOrder
from domain.model import Status
from domain.provisioning import ManualProvisioner, SimulatedProvisioner, provisioner
from domain.services import addons, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.provisioning import provision_due
from tests.conftest import Seed
from tests.storage import read


async def order(ctx: Context, seed: Seed, sku: str = "M365-E3") -> int:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", sku, 10, True, True, f"k-{sku}")
    )
    return placed.subscription.id


async def status(ctx: Context, sub_id: int) -> Status:
    return (await orders.order_status(ctx, OPERATOR, sub_id)).status


async def test_the_simulation_provisions_after_the_delay_and_tells_the_customer(
    ctx: Context, seed: Seed, clock: FixedClock
) -> None:  # R10
    sub_id = await order(ctx, seed)
    simulated = SimulatedProvisioner(timedelta(seconds=20))
    assert await provision_due(ctx, simulated) == []
    clock.set(clock.now() + timedelta(seconds=21))
    assert await provision_due(ctx, simulated) == [sub_id]
    assert await status(ctx, sub_id) is Status.PROVISIONED
    assert await provision_due(ctx, simulated) == []  # once
    async with read(ctx.db) as uow:
        [notice] = await uow.outbox.notices()
    assert notice.kind == "provisioned"


async def test_add_ons_booked_later_are_provisioned_in_a_later_round(
    ctx: Context, seed: Seed, clock: FixedClock
) -> None:  # R14
    sub_id = await order(ctx, seed)
    simulated = SimulatedProvisioner(timedelta(0))
    await provision_due(ctx, simulated)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, "COPILOT", True, 5))
    assert await provision_due(ctx, simulated) == [sub_id]
    view = await orders.order_status(ctx, OPERATOR, sub_id)
    assert [a.status for a in view.addons] == [Status.PROVISIONED]


async def test_manual_provisioning_leaves_it_to_the_service_desk(
    ctx: Context, seed: Seed, clock: FixedClock
) -> None:
    sub_id = await order(ctx, seed)
    clock.set(clock.now() + timedelta(days=3))
    assert await provision_due(ctx, ManualProvisioner()) == []
    assert await status(ctx, sub_id) is Status.ORDERED
    assert provisioner("manual", 20).name == "manual"
