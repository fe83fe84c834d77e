"""The provisioning port: where licences are really created, changed and cancelled.

The core hands a `ProvisioningJob` to a `Provisioner` and records what it answers; the adapter
decides how (a person, a simulation, Microsoft Partner Center). See docs/provisioning.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.dates import last_of_month
from domain.seats import SeatReport


class JobKind(StrEnum):
    CREATE = "create"  # a new subscription (with the add-ons booked before provisioning)
    ADDON = "addon"  # add-ons booked on a provisioned subscription


class Outcome(StrEnum):
    DONE = "done"  # provisioned now: the subscription (or add-on) becomes `provisioned`
    PENDING = "pending"  # not yet: asked again in the next round
    HANDED_OVER = "handed_over"  # people do it (the service desk marks it provisioned)


@dataclass(frozen=True)
class ProvisioningJob:
    subscription_id: int
    customer_id: str
    kind: JobKind
    product_sku: str
    quantity: int
    addon_skus: tuple[str, ...]
    ordered_at: datetime  # when the customer confirmed (the newest waiting add-on for ADDON)


class Provisioner(Protocol):
    """An adapter: `provision` is called once per round for each job still waiting;
    `seats` whenever someone looks at seat usage, and before a reduction is applied."""

    name: str

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome: ...

    async def seats(
        self, customer_id: str, paid: Mapping[str, int], today: date, now: datetime
    ) -> Sequence[SeatReport]:
        """Seats assigned to people per SKU in the customer's tenant (Graph `subscribedSkus`:
        `consumedUnits`), for the provisioned SKUs in `paid` (SKU -> seats paid); SKUs the
        adapter cannot tell are left out (the stored reports stand for them)."""
        ...


class ManualProvisioner:
    """The service desk provisions (in the chat or with `licencebot provision`)."""

    name = "manual"

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome:
        return Outcome.HANDED_OVER

    async def seats(
        self, customer_id: str, paid: Mapping[str, int], today: date, now: datetime
    ) -> Sequence[SeatReport]:
        return ()  # the service desk enters usage (`licencebot usage set`)


class SimulatedProvisioner:
    """Provisions every job `delay` after it was ordered: the whole life cycle without a
    partner system (the default of `licencebot chat`)."""

    name = "simulated"

    def __init__(self, delay: timedelta) -> None:
        self.delay = delay

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome:
        return Outcome.DONE if now - job.ordered_at >= self.delay else Outcome.PENDING

    async def seats(
        self, customer_id: str, paid: Mapping[str, int], today: date, now: datetime
    ) -> Sequence[SeatReport]:
        return [
            SeatReport(sku, simulated_assigned(customer_id, sku, seats, today), now, self.name)
            for sku, seats in paid.items()
        ]


def simulated_assigned(customer_id: str, sku: str, paid: int, today: date) -> int:
    """Plausible, repeatable usage: each customer, product and month starts with 15-50 % of
    the seats unassigned, and people are added as the month goes on (a third of the gap is
    closed by its last day), so most tenants with five or more seats keep some to spare."""
    digest = hashlib.sha256(f"{customer_id}:{sku}:{today:%Y-%m}".encode()).digest()
    share = 0.15 + 0.35 * digest[0] / 255  # unassigned on the 1st
    progress = (today.day - 1) / max(last_of_month(today).day - 1, 1)
    unassigned = round(paid * share * (1 - progress / 3))
    return max(min(paid - unassigned, paid), 0)


def provisioner(name: str, delay_seconds: float) -> Provisioner:
    """The adapter named by `PROVISIONER`."""
    if name == "simulated":
        return SimulatedProvisioner(timedelta(seconds=delay_seconds))
    if name == "manual":
        return ManualProvisioner()
    raise ValueError(f"unknown provisioner {name!r}: manual or simulated")
