"""The catalogue on the fakes (domain/services/catalogue.py): the customer's prices (R1, R2),
quotes (R3), and loading a file that retires what is in use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import errors
from domain.catalogue import read_catalogue
from domain.commands import AddCustomer
from domain.services import accounts, catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import CATALOGUE, Seed
from tests.fakes import FakeStore
from tests.unit.services.support import E3, STANDARD, actions, order


async def test_the_customer_sees_its_own_prices_and_what_is_booked(
    ctx: Context, seed: Seed
) -> None:  # R1, R2, R6
    await accounts.set_price(ctx, OPERATOR, "acme", STANDARD, Decimal("12.00"))
    sub_id = await order(ctx, seed.acme_admin, quantity=7)
    offers = {o.sku: o for o in await catalogue.browse_catalogue(ctx, seed.acme_member, "acme")}
    assert offers[STANDARD].unit_price == Decimal("12.00")
    booked = offers[STANDARD]
    assert (booked.booked_subscription_id, booked.booked_quantity) == (sub_id, 7)
    assert offers[E3].unit_price == Decimal("46.77") and offers[E3].booked_quantity is None
    details = await catalogue.product_details(ctx, seed.acme_member, "acme", E3)
    assert details.name == "Microsoft 365 E3" and details.addons


async def test_a_discount_applies_to_list_prices(ctx: Context, seed: Seed) -> None:  # R2
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("cheap", "Cheap", Decimal(10)))
    offers = {o.sku: o for o in await catalogue.browse_catalogue(ctx, OPERATOR, "cheap")}
    assert offers[STANDARD].unit_price == Decimal("12.53")  # 13.92 less 10 %, half up


async def test_a_quote_passes_the_orders_checks(ctx: Context, seed: Seed) -> None:  # R3, R4, R6
    quote = await catalogue.quote_order(ctx, seed.acme_member, "acme", STANDARD, 18)
    assert (quote.monthly_total, str(quote.start_date)) == (Decimal("250.56"), "2026-11-01")
    with pytest.raises(errors.InvalidQuantity):
        await catalogue.quote_order(ctx, seed.acme_member, "acme", STANDARD, 301)
    await order(ctx, seed.acme_admin)
    with pytest.raises(errors.AlreadySubscribed):
        await catalogue.quote_order(ctx, seed.acme_member, "acme", STANDARD, 3)
    with pytest.raises(errors.CustomerNotFound):  # R24
        await catalogue.quote_order(ctx, seed.globex_admin, "acme", STANDARD, 3)
    with pytest.raises(errors.ProductNotFound):
        await catalogue.product_details(ctx, seed.acme_admin, "acme", "NOPE")


async def test_loading_a_file_retires_products_in_use_and_removes_the_rest(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    await order(ctx, seed.acme_admin, E3, 2)
    spec = read_catalogue(CATALOGUE)
    smaller = spec.model_copy(
        update={"products": [p for p in spec.products if p.sku not in (E3, "M365-E5")]}
    )
    changes = await catalogue.load_catalogue(ctx, OPERATOR, smaller)
    assert (changes.retired, changes.removed, changes.added) == ((E3,), ("M365-E5",), ())
    stored = store.state.catalogue
    assert stored.products[E3].retired and "M365-E5" not in stored.products
    assert E3 not in [o.sku for o in await catalogue.browse_catalogue(ctx, seed.acme_admin, "acme")]
    with pytest.raises(errors.ProductRetired):
        await catalogue.quote_order(ctx, seed.acme_admin, "acme", E3, 1)
    assert actions(store)[-1] == "catalog.load"
    with pytest.raises(errors.PermissionDenied):  # operators only
        await catalogue.load_catalogue(ctx, seed.agent, spec)
