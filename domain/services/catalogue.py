"""Browse the catalogue with the customer's prices (R1, R2), details, quotes (R3), loading."""

from __future__ import annotations

from domain.access import Action, authorize
from domain.catalogue import CatalogueSpec
from domain.dates import first_of_month
from domain.model import Actor, Status, Subscription, check_orderable
from domain.ports import CatalogueChanges
from domain.services.context import Context
from domain.views import ProductOffer, Quote, product_offer, quote


def _booked(subs: list[Subscription], sku: str, ctx: Context) -> Subscription | None:
    today = ctx.today()
    for sub in subs:
        if sub.product_sku == sku and sub.effective_status(today) is not Status.ENDED:
            return sub
    return None


async def browse_catalogue(ctx: Context, actor: Actor, customer_id: str) -> list[ProductOffer]:
    """Every orderable product at this customer's price, with what is already booked (R6)."""
    authorize(actor, Action.VIEW, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        catalogue = await uow.catalogue.load()
        subs = list(await uow.subscriptions.for_customer(customer_id))
    return [
        product_offer(catalogue, p, customer, _booked(subs, p.sku, ctx), ctx.today())
        for p in catalogue.listed()
    ]


async def product_details(ctx: Context, actor: Actor, customer_id: str, sku: str) -> ProductOffer:
    authorize(actor, Action.VIEW, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        catalogue = await uow.catalogue.load()
        product = catalogue.orderable_product(sku)
        subs = list(await uow.subscriptions.for_customer(customer_id))
    return product_offer(catalogue, product, customer, _booked(subs, sku, ctx), ctx.today())


async def quote_order(
    ctx: Context, actor: Actor, customer_id: str, sku: str, quantity: int
) -> Quote:
    """The order form's figures (R3, R7), after the checks a real order would pass (R4, R6)."""
    authorize(actor, Action.VIEW, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        catalogue = await uow.catalogue.load()
        product = catalogue.orderable_product(sku)
        subs = await uow.subscriptions.for_customer(customer_id)
    check_orderable(catalogue, product, quantity, subs, ctx.today())
    return quote(product, customer, quantity, first_of_month(ctx.today()))


async def load_catalogue(ctx: Context, actor: Actor, spec: CatalogueSpec) -> CatalogueChanges:
    """Upsert the catalogue file; products in use are retired, not deleted."""
    authorize(actor, Action.ADMINISTER, None)
    async with ctx.uow() as uow:
        changes = await uow.catalogue.replace(spec)
        await uow.records.audit(
            ctx.audit(
                actor,
                None,
                "catalog.load",
                "catalog",
                added=list(changes.added),
                retired=list(changes.retired),
                removed=list(changes.removed),
            )
        )
        await uow.commit()
    return changes
