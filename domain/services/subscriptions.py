"""Change quantity (R11-R13), cancel and withdraw (R18-R20), provision, end (R21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.access import Action, asks_instead, authorize
from domain.commands import CancelSubscription, ChangeQuantity, WithdrawCancellation
from domain.model import (
    Actor,
    Channel,
    QuantityChange,
    Role,
    Status,
    Subscription,
    seats_in_cap,
)
from domain.services import notifications as notices
from domain.services.common import bump, commit_write, load_for_reading, load_for_write
from domain.services.context import Context
from domain.views import SubscriptionView, subscription_view

SYSTEM_ACTOR = Actor(Role.OPERATOR, Channel.SYSTEM, None, label="month-end job")
ENDED = notices.ENDED  # outbox: a cancelled subscription has ended (R21)


@dataclass(frozen=True)
class QuantityChanged:
    subscription: SubscriptionView
    old_quantity: int
    new_quantity: int
    # A reduction that was scheduled (issue 21): what it was, and whether it stands now
    reduction: tuple[int, date] | None = None
    reduction_kept: bool = False


async def prepare_change(ctx: Context, actor: Actor, subscription_id: int) -> SubscriptionView:
    """The subscription a change of quantity starts from, if the actor may change it or ask
    the admins for it (R23) and it still runs (R12); its version is what the confirmation must
    still find (R13)."""
    async with ctx.uow(write=False) as uow:
        sub = await load_for_reading(uow, actor, Action.VIEW, subscription_id)
        asks_instead(actor, Action.CHANGE, sub.customer_id)
        sub.check_changeable()
    return subscription_view(sub, ctx.today())


async def change_quantity(
    ctx: Context, actor: Actor, cmd: ChangeQuantity, *, dry_run: bool = False, notify: bool = True
) -> QuantityChanged:
    """Set a new total (R11), refused per R12, racing changes conflict (R13).

    With `dry_run` every check runs and the result is returned, but nothing is saved: the
    front ends show it as the summary before the user confirms. Who ordered it and the
    customer's admins are told (not `notify` when an approved request tells them instead).
    """
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.CHANGE, cmd.subscription_id, cmd.expected_version
        )
        catalogue = await uow.catalogue.load(fresh=True)  # seat caps as they are now (R12)
        product = catalogue.product(sub.product_sku)
        others = await uow.subscriptions.for_customer(customer.id)
        elsewhere = seats_in_cap(others, catalogue, product.seat_cap, ctx.today(), excluding=sub.id)
        old = sub.change_quantity(cmd.new_quantity, product, elsewhere)
        reduction, kept = _settle_reduction(sub, cmd)
        if dry_run:
            return QuantityChanged(
                subscription_view(sub, ctx.today()), old, cmd.new_quantity, reduction, kept
            )
        bump(sub)
        await uow.records.quantity_change(
            QuantityChange(sub.id or 0, None, old, cmd.new_quantity, actor, ctx.now())
        )
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "subscription.change_quantity",
                f"subscription:{sub.id}",
                old=old,
                new=cmd.new_quantity,
            )
        )
        if notify:
            await notices.tell(
                uow,
                ctx.now(),
                customer.id,
                notices.CHANGED,
                {
                    "subscription_id": sub.id,
                    "product_name": sub.product_name,
                    "old": old,
                    "new": cmd.new_quantity,
                    "monthly_total": str(sub.monthly_total),
                },
                users=await notices.orderers(uow, sub.id or 0),
                skip=actor.user_id,
            )
        if reduction is not None and not kept:
            await uow.records.audit(
                ctx.audit(
                    actor,
                    customer.id,
                    "subscription.withdraw_reduction",
                    f"subscription:{sub.id}",
                    quantity=reduction[0],
                    scheduled_for=str(reduction[1]),
                    because="change_quantity",
                )
            )
        await commit_write(ctx, uow, sub)
    return QuantityChanged(
        subscription_view(sub, ctx.today()), old, cmd.new_quantity, reduction, kept
    )


def _settle_reduction(
    sub: Subscription, cmd: ChangeQuantity
) -> tuple[tuple[int, date] | None, bool]:
    """A scheduled reduction under a new total (issue 21): kept unless the user said no or the
    new total is at or below it (then it has nothing left to do); never dropped unsaid."""
    if sub.scheduled_quantity is None or sub.scheduled_for is None:
        return None, False
    scheduled = (sub.scheduled_quantity, sub.scheduled_for)
    if cmd.keep_reduction is False or cmd.new_quantity <= sub.scheduled_quantity:
        sub.withdraw_reduction()
        return scheduled, False
    return scheduled, True


async def cancel_subscription(
    ctx: Context,
    actor: Actor,
    cmd: CancelSubscription,
    *,
    dry_run: bool = False,
    notify: bool = True,
) -> SubscriptionView:
    """Cancel the product with all add-ons to the last day of this month (R18, R19).

    `dry_run` returns the cancelled subscription without saving it: the confirmation screen
    names product, quantity, add-ons and end date from it (R20). Not `notify` when an approved
    request tells of it instead.
    """
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.CANCEL, cmd.subscription_id, cmd.expected_version
        )
        addons = sub.cancel(ctx.today(), ctx.now())
        if dry_run:
            return subscription_view(sub, ctx.today())
        bump(sub)
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "subscription.cancel",
                f"subscription:{sub.id}",
                end_date=str(sub.end_date),
                addons=[a.addon_sku for a in addons],
            )
        )
        if notify:
            await notices.tell(
                uow,
                ctx.now(),
                customer.id,
                notices.CANCELLED,
                {
                    "subscription_id": sub.id,
                    "product_name": sub.product_name,
                    "quantity": sub.quantity,
                    "end_date": sub.end_date.isoformat() if sub.end_date else None,
                    "addons": [a.addon_name for a in addons],
                },
                users=await notices.orderers(uow, sub.id or 0),
                skip=actor.user_id,
            )
        await commit_write(ctx, uow, sub)
    return subscription_view(sub, ctx.today())


async def withdraw_cancellation(
    ctx: Context, actor: Actor, cmd: WithdrawCancellation
) -> SubscriptionView:
    """Take a cancellation back while it still runs (R20)."""
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.CANCEL, cmd.subscription_id, cmd.expected_version
        )
        sub.withdraw_cancellation(ctx.today())
        bump(sub)
        await uow.records.audit(
            ctx.audit(
                actor, customer.id, "subscription.withdraw_cancellation", f"subscription:{sub.id}"
            )
        )
        await notices.tell(
            uow,
            ctx.now(),
            customer.id,
            notices.WITHDRAWN,
            {"subscription_id": sub.id, "product_name": sub.product_name},
            users=await notices.orderers(uow, sub.id or 0),
            skip=actor.user_id,
        )
        await commit_write(ctx, uow, sub)
    return subscription_view(sub, ctx.today())


async def mark_provisioned(ctx: Context, actor: Actor, subscription_id: int) -> SubscriptionView:
    """The provider has provisioned the licences (and add-ons waiting for it)."""
    authorize(actor, Action.PROVISION, None)
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.PROVISION, subscription_id, None
        )
        created = sub.status is Status.ORDERED
        addons = sub.provision(ctx.today())
        catalogue = await uow.catalogue.load()
        product = catalogue.products.get(sub.product_sku)
        bump(sub)
        payload = {
            "subscription_id": sub.id,
            "product_name": sub.product_name,
            "quantity": sub.quantity,
            "addons": [a.addon_name for a in addons],
            "provisioned_on": ctx.today().isoformat(),
            # the hint "book add-ons now" only where there are some to book (R15)
            "addons_offered": product is not None and bool(catalogue.addons_of(product)),
        }
        # Who ordered the licences, or booked the add-ons, and the admins (R10, R14)
        told = await notices.orderers(
            uow, sub.id or 0, () if created else [a.id for a in addons if a.id is not None]
        )
        kind = notices.PROVISIONED if created else notices.ADDONS_PROVISIONED
        await notices.tell(uow, ctx.now(), customer.id, kind, payload, users=told)
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "subscription.provision",
                f"subscription:{sub.id}",
                provisioned_on=str(sub.provisioned_on),
                addons=[a.addon_sku for a in addons],
            )
        )
        await commit_write(ctx, uow, sub)
    return subscription_view(sub, ctx.today())


async def end_expired(ctx: Context) -> list[int]:
    """Mark every cancellation whose end date has passed as ended (R21); returns their ids."""
    today = ctx.today()
    ended: list[int] = []
    async with ctx.uow() as uow:
        for sub in await uow.subscriptions.past_end_date(today):
            was = sub.status
            if sub.expire(today):
                bump(sub)
                ended.append(sub.id or 0)
                await uow.records.audit(
                    ctx.audit(
                        SYSTEM_ACTOR, sub.customer_id, "subscription.end", f"subscription:{sub.id}"
                    )
                )
                if was is not Status.ENDED and sub.status is Status.ENDED:
                    await notices.tell(
                        uow,
                        ctx.now(),
                        sub.customer_id,
                        ENDED,
                        {
                            "subscription_id": sub.id,
                            "product_name": sub.product_name,
                            "end_date": sub.end_date.isoformat() if sub.end_date else None,
                        },
                        users=await notices.orderers(uow, sub.id or 0),
                    )
        await uow.commit()
    return ended
