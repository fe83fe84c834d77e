"""The provisioning port: where licences are really created, changed and cancelled.

The core hands a `ProvisioningJob` to a `Provisioner` and records what it answers; the adapter
decides how (a person, a simulation, Microsoft Partner Center). See docs/provisioning.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


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
    """An adapter: `provision` is called once per round for each job still waiting."""

    name: str

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome: ...


class ManualProvisioner:
    """The service desk provisions (in the chat or with `licencebot provision`)."""

    name = "manual"

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome:
        return Outcome.HANDED_OVER


class SimulatedProvisioner:
    """Provisions every job `delay` after it was ordered: the whole life cycle without a
    partner system (the default of `licencebot chat`)."""

    name = "simulated"

    def __init__(self, delay: timedelta) -> None:
        self.delay = delay

    async def provision(self, job: ProvisioningJob, now: datetime) -> Outcome:
        return Outcome.DONE if now - job.ordered_at >= self.delay else Outcome.PENDING


def provisioner(name: str, delay_seconds: float) -> Provisioner:
    """The adapter named by `PROVISIONER`."""
    if name == "simulated":
        return SimulatedProvisioner(timedelta(seconds=delay_seconds))
    if name == "manual":
        return ManualProvisioner()
    raise ValueError(f"unknown provisioner {name!r}: manual or simulated")
