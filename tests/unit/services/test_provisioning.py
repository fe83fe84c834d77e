"""Provisioning rounds on the fakes (domain/services/provisioning.py, docs/provisioning.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clock import FixedClock
from domain.commands import BookAddon
from domain.model import Status
from domain.provisioning import (
    JobKind,
    ManualProvisioner,
    Outcome,
    ProvisioningJob,
    SimulatedProvisioner,
)
from domain.services import addons
from domain.services.context import Context
from domain.services.provisioning import job_of, provision_due
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import ARCHIVE, kinds, order


class Refusing:
    """A provisioner that has done nothing yet, and remembers what it was asked."""

    name = "refusing"

    def __init__(self) -> None:
        self.asked: list[ProvisioningJob] = []

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome:
        self.asked.append(job)
        return Outcome.PENDING

    async def seats(self, *args: object) -> tuple[()]:
        return ()


async def test_a_round_provisions_what_the_adapter_has_done_once_and_tells_the_customer(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:  # R10
    sub_id = await order(ctx, seed.acme_admin)
    simulated = SimulatedProvisioner(timedelta(seconds=20))
    assert await provision_due(ctx, simulated) == []  # not yet
    clock.set(clock.now() + timedelta(seconds=21))
    assert await provision_due(ctx, simulated) == [sub_id]
    assert await provision_due(ctx, simulated) == []  # once
    sub = store.state.subscriptions[sub_id]
    assert (sub.status, str(sub.provisioned_on)) == (Status.PROVISIONED, "2026-11-24")
    assert kinds(store) == ["provisioned"]
    assert store.state.audit[-1].actor.label == "provisioning (simulated)"


async def test_add_ons_booked_later_are_a_job_of_their_own(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R14
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True, 4))
    [waiting] = store.state.subscriptions.values()
    job = job_of(waiting)
    assert (job.kind, job.addon_skus, job.quantity) == (JobKind.ADDON, (ARCHIVE,), 10)
    assert await provision_due(ctx, SimulatedProvisioner(timedelta(0))) == [sub_id]
    [booking] = store.state.subscriptions[sub_id].addons
    assert booking.status is Status.PROVISIONED
    assert kinds(store)[-1] == "addons.provisioned"


async def test_manual_and_pending_adapters_leave_the_subscription_waiting(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    sub_id = await order(ctx, seed.acme_admin)
    refusing = Refusing()
    assert await provision_due(ctx, ManualProvisioner()) == []
    assert await provision_due(ctx, refusing) == []
    assert [(j.subscription_id, j.kind) for j in refusing.asked] == [(sub_id, JobKind.CREATE)]
    assert store.state.subscriptions[sub_id].status is Status.ORDERED
    assert kinds(store) == []
