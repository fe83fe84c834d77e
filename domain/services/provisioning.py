"""Provisioning rounds: every waiting subscription and add-on goes to the provisioner; what it
has done is marked provisioned, which tells the customer's people (the outbox)."""

from __future__ import annotations

import logging

from domain import errors
from domain.model import Actor, Channel, Role, Status, Subscription
from domain.provisioning import JobKind, Outcome, Provisioner, ProvisioningJob
from domain.services.context import Context
from domain.services.subscriptions import mark_provisioned

log = logging.getLogger(__name__)


def job_of(sub: Subscription) -> ProvisioningJob:
    waiting = [a for a in sub.addons if a.status is Status.ORDERED]
    create = sub.status is Status.ORDERED
    ordered_at = sub.ordered_at if create else max(a.ordered_at for a in waiting)
    return ProvisioningJob(
        subscription_id=sub.id or 0,
        customer_id=sub.customer_id,
        kind=JobKind.CREATE if create else JobKind.ADDON,
        product_sku=sub.product_sku,
        quantity=sub.quantity,
        addon_skus=tuple(a.addon_sku for a in waiting),
        ordered_at=ordered_at,
    )


async def provision_due(ctx: Context, provisioner: Provisioner, limit: int = 100) -> list[int]:
    """One round; returns the subscriptions provisioned in it. Safe in several workers: a
    subscription another worker provisioned first is skipped (`AlreadyProvisioned`)."""
    async with ctx.uow(write=False) as uow:
        jobs = [job_of(s) for s in await uow.subscriptions.awaiting_provisioning(limit)]
    actor = Actor(Role.OPERATOR, Channel.SYSTEM, None, label=f"provisioning ({provisioner.name})")
    done: list[int] = []
    for job in jobs:
        if await provisioner.provision(job, ctx.now()) is not Outcome.DONE:
            continue
        try:
            await mark_provisioned(ctx, actor, job.subscription_id)
        except (errors.AlreadyProvisioned, errors.SubscriptionNotActive, errors.VersionConflict):
            log.info("subscription %s was provisioned or changed meanwhile", job.subscription_id)
            continue
        done.append(job.subscription_id)
    return done
