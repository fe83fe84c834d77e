"""Book, change and cancel add-ons of a provisioned subscription (R14-R17)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain import errors
from domain.access import Action, asks_instead, authorize
from domain.commands import BookAddon, CancelAddon, ChangeAddon
from domain.model import Actor, Consent, ConsentKind, QuantityChange
from domain.pricing import monthly_total
from domain.services import notifications
from domain.services.common import bump, commit_write, load_for_reading, load_for_write
from domain.services.context import Context
from domain.views import (
    AddonOffer,
    AddonView,
    SubscriptionView,
    addon_view,
    product_offer,
    subscription_view,
)


@dataclass(frozen=True)
class AddonChoices:
    """What can be booked for a subscription: the product's add-ons at this customer's prices
    (R2, R15) and the quantities of those already running (R17)."""

    subscription: SubscriptionView
    offers: tuple[AddonOffer, ...]
    booked: dict[str, int]


async def addon_choices(ctx: Context, actor: Actor, subscription_id: int) -> AddonChoices:
    """The add-ons to choose from, once the subscription is provisioned (R14); for those who
    may book them or ask the admins for them (R23)."""
    async with ctx.uow(write=False) as uow:
        sub = await load_for_reading(uow, actor, Action.VIEW, subscription_id)
        asks_instead(actor, Action.ADDON, sub.customer_id)
        sub.check_addons_bookable()
        customer = await uow.customers.get(sub.customer_id)
        catalogue = await uow.catalogue.load()
    product = catalogue.product(sub.product_sku)
    offers = product_offer(catalogue, product, customer, None, ctx.today()).addons
    view = subscription_view(sub, ctx.today())
    return AddonChoices(view, offers, {a.sku: a.quantity for a in view.running_addons()})


@dataclass(frozen=True)
class AddonBooked:
    """What a screen shows after booking (or, in a dry run, before it)."""

    subscription: SubscriptionView  # with the booking; a dry run's is listed first
    addon: AddonView  # the booking itself


async def book_addon(
    ctx: Context, actor: Actor, cmd: BookAddon, *, dry_run: bool = False
) -> AddonBooked:
    """Book an add-on offered for the product (R15) once it is provisioned (R14).

    `dry_run` checks everything but the consent and saves nothing (for the summary).
    """
    if not cmd.terms_accepted and not dry_run:
        raise errors.ConsentMissing((ConsentKind.TERMS.value,))
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.ADDON, cmd.subscription_id, cmd.expected_version
        )
        catalogue = await uow.catalogue.load(fresh=True)  # the price stored is today's
        addon = catalogue.offered_addon(catalogue.product(sub.product_sku), cmd.addon_sku)
        price = customer.price_list.unit_price(addon.sku, addon.list_price)
        booking = sub.book_addon(addon, price, cmd.quantity, ctx.today(), ctx.now())
        if dry_run:
            pending = subscription_view(sub, ctx.today(), pending=booking)
            return AddonBooked(pending, addon_view(booking, ctx.today()))
        bump(sub)
        await uow.flush()
        await uow.records.consent(
            Consent(
                customer.id,
                ConsentKind.TERMS,
                ctx.terms_version,
                actor,
                ctx.now(),
                subscription_id=sub.id,
                addon_booking_id=booking.id,
            )
        )
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "addon.book",
                f"addon_booking:{booking.id}",
                subscription_id=sub.id,
                addon_sku=addon.sku,
                quantity=booking.quantity,
            )
        )
        await commit_write(ctx, uow, sub)
    return AddonBooked(subscription_view(sub, ctx.today()), addon_view(booking, ctx.today()))


@dataclass(frozen=True)
class AddonChanged:
    """An add-on's new total (or, in a dry run, what it would be): the summary and result."""

    subscription: SubscriptionView
    addon: AddonView  # with the new quantity
    old_quantity: int
    new_quantity: int

    @property
    def old_total(self) -> Decimal:
        return monthly_total(self.addon.unit_price, self.old_quantity)


async def change_addon(
    ctx: Context, actor: Actor, cmd: ChangeAddon, *, dry_run: bool = False
) -> AddonChanged:
    """A new total for one add-on, at most the base quantity (R17), against the version the
    user saw (R13). `dry_run` checks everything and saves nothing (the summary)."""
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.ADDON, cmd.subscription_id, cmd.expected_version
        )
        old = sub.change_addon(cmd.booking_id, cmd.new_quantity)
        booking = sub.booking(cmd.booking_id)
        if dry_run:
            view = subscription_view(sub, ctx.today())
            return AddonChanged(view, addon_view(booking, ctx.today()), old, cmd.new_quantity)
        bump(sub)
        await uow.records.quantity_change(
            QuantityChange(sub.id or 0, cmd.booking_id, old, cmd.new_quantity, actor, ctx.now())
        )
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "addon.change_quantity",
                f"addon_booking:{cmd.booking_id}",
                old=old,
                new=cmd.new_quantity,
            )
        )
        await notifications.tell(  # who ordered it and the admins, as for the product (R11)
            uow,
            ctx.now(),
            customer.id,
            notifications.ADDON_CHANGED,
            {
                "subscription_id": sub.id,
                "product_name": sub.product_name,
                "addon_name": booking.addon_name,
                "old": old,
                "new": cmd.new_quantity,
            },
            users=await notifications.orderers(uow, sub.id or 0),
            skip=actor.user_id,
        )
        await commit_write(ctx, uow, sub)
    view = subscription_view(sub, ctx.today())
    return AddonChanged(view, addon_view(booking, ctx.today()), old, cmd.new_quantity)


@dataclass(frozen=True)
class AddonCancelled:
    subscription: SubscriptionView
    addon: AddonView  # cancelled, with its end date


async def cancel_addon(
    ctx: Context, actor: Actor, cmd: CancelAddon, *, dry_run: bool = False
) -> AddonCancelled:
    """Cancel one add-on to the end of this month (R17, R19); the product runs on.
    `dry_run` returns the cancelled add-on without saving it (the confirmation question)."""
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.ADDON, cmd.subscription_id, cmd.expected_version
        )
        booking = sub.cancel_addon(cmd.booking_id, ctx.today())
        if dry_run:
            return AddonCancelled(
                subscription_view(sub, ctx.today()), addon_view(booking, ctx.today())
            )
        bump(sub)
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "addon.cancel",
                f"addon_booking:{booking.id}",
                end_date=str(booking.end_date),
            )
        )
        await notifications.tell(
            uow,
            ctx.now(),
            customer.id,
            notifications.ADDON_CANCELLED,
            {
                "subscription_id": sub.id,
                "product_name": sub.product_name,
                "addon_name": booking.addon_name,
                "end_date": booking.end_date.isoformat() if booking.end_date else None,
            },
            users=await notifications.orderers(uow, sub.id or 0),
            skip=actor.user_id,
        )
        await commit_write(ctx, uow, sub)
    return AddonCancelled(subscription_view(sub, ctx.today()), addon_view(booking, ctx.today()))


async def booked(
    ctx: Context, actor: Actor, customer_id: str, addon_sku: str, subscription_id: int | None
) -> list[tuple[SubscriptionView, AddonView]]:
    """Where an add-on runs for the customer (of subscription `subscription_id`, if given):
    what "Copilot kündigen" means (R17). None: `AddonNotBooked`, naming it."""
    async with ctx.uow(write=False) as uow:
        authorize(actor, Action.VIEW, customer_id)
        subs = await uow.subscriptions.for_customer(customer_id)
        catalogue = await uow.catalogue.load()
    found = []
    for sub in subs:
        if subscription_id is not None and sub.id != subscription_id:
            continue
        view = subscription_view(sub, ctx.today())
        found += [(view, a) for a in view.running_addons() if a.sku == addon_sku]
    if not found:
        addon = catalogue.addons.get(addon_sku)
        raise errors.AddonNotBooked(addon.name if addon else addon_sku)
    return found
