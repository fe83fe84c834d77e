"""Place an order (R5-R9), list "my orders" (R10) and one order's status."""

from __future__ import annotations

from dataclasses import dataclass

from domain import errors
from domain.access import Action, authorize
from domain.commands import PlaceOrder
from domain.model import (
    Actor,
    Consent,
    ConsentKind,
    check_orderable,
    missing_consents,
    new_subscription,
)
from domain.services.common import bump, load_for_reading
from domain.services.context import Context
from domain.views import OrdersOverview, SubscriptionView, overview, subscription_view


@dataclass(frozen=True)
class OrderPlaced:
    subscription: SubscriptionView
    created: bool  # False: the same confirmation arrived again (R9)


async def place_order(ctx: Context, actor: Actor, cmd: PlaceOrder) -> OrderPlaced:
    authorize(actor, Action.ORDER, cmd.customer_id)
    missing = missing_consents(cmd.terms_accepted, cmd.account_consent)
    if missing:
        raise errors.ConsentMissing(missing)
    try:
        return await _place(ctx, actor, cmd)
    except errors.Duplicate:
        # A concurrent twin won the race past the lock (only possible without row locks).
        if cmd.idempotency_key:
            async with ctx.uow(write=False) as uow:
                twin = await uow.subscriptions.by_key(cmd.customer_id, cmd.idempotency_key)
            if twin is not None:
                return OrderPlaced(subscription_view(twin, ctx.today()), created=False)
        raise


async def _place(ctx: Context, actor: Actor, cmd: PlaceOrder) -> OrderPlaced:
    today, now = ctx.today(), ctx.now()
    async with ctx.uow() as uow:
        customer = await uow.customers.get(cmd.customer_id, lock=True)
        if cmd.idempotency_key:
            twin = await uow.subscriptions.by_key(customer.id, cmd.idempotency_key)
            if twin is not None:
                return OrderPlaced(subscription_view(twin, today), created=False)
        catalogue = await uow.catalogue.load(fresh=True)  # the price stored is today's (R2)
        product = catalogue.orderable_product(cmd.product_sku)
        subs = list(await uow.subscriptions.for_customer(customer.id))
        for sub in subs:
            if sub.expire(today):
                bump(sub)
        check_orderable(catalogue, product, cmd.quantity, subs, today)
        sub = new_subscription(customer, product, cmd.quantity, today, now, cmd.idempotency_key)
        uow.subscriptions.add(sub)
        await uow.flush()
        for kind in (ConsentKind.TERMS, ConsentKind.MICROSOFT_ACCOUNT):
            await uow.records.consent(
                Consent(customer.id, kind, ctx.terms_version, actor, now, subscription_id=sub.id)
            )
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "order.place",
                f"subscription:{sub.id}",
                product_sku=product.sku,
                quantity=cmd.quantity,
                unit_price=str(sub.unit_price),
            )
        )
        await uow.commit()
        return OrderPlaced(subscription_view(sub, today), created=True)


async def list_orders(ctx: Context, actor: Actor, customer_id: str) -> OrdersOverview:
    """Every subscription of the customer with its add-ons and the monthly total (R10, R21)."""
    authorize(actor, Action.VIEW, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        subs = await uow.subscriptions.for_customer(customer_id)
    return overview(customer, subs, ctx.today())


async def order_status(ctx: Context, actor: Actor, subscription_id: int) -> SubscriptionView:
    async with ctx.uow(write=False) as uow:
        sub = await load_for_reading(uow, actor, Action.VIEW, subscription_id)
    return subscription_view(sub, ctx.today())
