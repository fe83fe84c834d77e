"""Helpers shared by the write use cases: load a subscription safely, commit safely."""

from __future__ import annotations

from domain import errors
from domain.access import Action, authorize_record
from domain.model import Actor, Customer, Subscription
from domain.ports import UnitOfWork
from domain.services.context import Context


async def load_for_write(
    ctx: Context,
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    subscription_id: int,
    expected_version: int | None,
) -> tuple[Customer, Subscription]:
    """The subscription, checked against the actor's customer and role (R24) and version (R13).

    The customer row is locked first, so concurrent writes for one customer queue up; another
    customer's subscription is reported exactly like a missing one.
    """
    customer_id = await uow.subscriptions.customer_of(subscription_id)
    if customer_id is None:
        raise errors.SubscriptionNotFound(subscription_id)
    authorize_record(actor, action, customer_id, errors.SubscriptionNotFound(subscription_id))
    customer = await uow.customers.get(customer_id, lock=True)
    sub = await uow.subscriptions.get(subscription_id)
    if sub is None:  # deleted meanwhile; subscriptions are never deleted, but be exact
        raise errors.SubscriptionNotFound(subscription_id)
    if sub.expire(ctx.today()):
        bump(sub)
    if expected_version is not None and sub.version != expected_version:
        raise errors.VersionConflict(sub.id or 0, sub.quantity, sub.version)
    return customer, sub


async def load_for_reading(
    uow: UnitOfWork, actor: Actor, action: Action, subscription_id: int
) -> Subscription:
    """The subscription if the actor may `action` on it (R24); another customer's is missing."""
    sub = await uow.subscriptions.get(subscription_id)
    if sub is None:
        raise errors.SubscriptionNotFound(subscription_id)
    authorize_record(actor, action, sub.customer_id, errors.SubscriptionNotFound(subscription_id))
    return sub


def bump(sub: Subscription) -> None:
    """Mark the aggregate changed: the optimistic lock compares the old version (R13)."""
    sub.version += 1


async def commit_write(ctx: Context, uow: UnitOfWork, sub: Subscription) -> None:
    """Commit; a racing writer that got there first becomes a VersionConflict (R13)."""
    subscription_id = sub.id or 0
    try:
        await uow.commit()
    except errors.StaleWrite:
        await uow.rollback()
        async with ctx.uow(write=False) as fresh:
            current = await fresh.subscriptions.get(subscription_id)
        raise errors.VersionConflict(
            subscription_id, current.quantity if current else 0, current.version if current else 0
        ) from None
