"""Loading the catalogue into storage, details and quotes (R1-R3, R6, R15) on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import errors
from domain.catalogue import parse_catalogue
from domain.commands import PlaceOrder
from domain.services import catalogue, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed

SMALL = """
version: 1
currency: EUR
seat_caps: []
addons:
  - sku: EXTRA
    name: Extra
    description: {de: "Zusatz", en: "Extra"}
    price: "1.00"
products:
  - sku: KEEP
    name: Keep
    description: {de: "Bleibt", en: "Stays"}
    price: "2.00"
    addons: [EXTRA]
"""


async def test_loading_twice_changes_nothing(ctx: Context, seed: Seed, catalogue_text: str) -> None:
    before = await catalogue.browse_catalogue(ctx, OPERATOR, "acme")
    changes = await catalogue.load_catalogue(ctx, OPERATOR, parse_catalogue(catalogue_text))
    assert (changes.added, changes.retired, changes.removed) == ((), (), ())
    assert await catalogue.browse_catalogue(ctx, OPERATOR, "acme") == before


async def test_removed_products_in_use_are_retired_others_deleted(
    ctx: Context, seed: Seed, catalogue_text: str
) -> None:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    changes = await catalogue.load_catalogue(ctx, OPERATOR, parse_catalogue(SMALL))
    assert "M365-E3" in changes.retired
    assert "M365-E5" in changes.removed
    assert [o.sku for o in await catalogue.browse_catalogue(ctx, OPERATOR, "acme")] == ["KEEP"]
    # The running subscription keeps its product name and price.
    status = await orders.order_status(ctx, seed.acme_admin, placed.subscription.id)
    assert (status.product_name, status.unit_price) == ("Microsoft 365 E3", Decimal("46.77"))
    with pytest.raises(errors.ProductRetired):
        await orders.place_order(
            ctx, seed.globex_admin, PlaceOrder("globex", "M365-E3", 1, True, True)
        )
    # Loading the full file again brings it back.
    back = await catalogue.load_catalogue(ctx, OPERATOR, parse_catalogue(catalogue_text))
    assert "M365-E3" in back.updated
    assert any(o.sku == "M365-E3" for o in await catalogue.browse_catalogue(ctx, OPERATOR, "acme"))


async def test_details_show_description_add_ons_and_the_booked_quantity(
    ctx: Context, seed: Seed
) -> None:  # R1, R6, R15
    offer = await catalogue.product_details(ctx, seed.acme_member, "acme", "M365-BUSINESS-PREMIUM")
    assert offer.description["de"]
    assert offer.description["en"]
    assert offer.booked_quantity is None
    assert "INTUNE-SUITE" in {a.sku for a in offer.addons}
    assert offer.max_quantity == 300
    await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-BUSINESS-PREMIUM", 7, True, True)
    )
    offer = await catalogue.product_details(ctx, seed.acme_member, "acme", "M365-BUSINESS-PREMIUM")
    assert (offer.booked_quantity, offer.booked_status and offer.booked_status.value) == (
        7,
        "ordered",
    )


async def test_a_quote_shows_unit_price_total_and_start_date(ctx: Context, seed: Seed) -> None:
    # R3, R7
    q = await catalogue.quote_order(ctx, seed.acme_member, "acme", "M365-BUSINESS-STANDARD", 18)
    assert (q.unit_price, q.monthly_total, q.start_date) == (
        Decimal("13.92"),
        Decimal("250.56"),
        date(2026, 11, 1),
    )
    with pytest.raises(errors.InvalidQuantity):
        await catalogue.quote_order(ctx, seed.acme_member, "acme", "M365-BUSINESS-STANDARD", 0)


async def test_the_catalogue_is_in_file_order(ctx: Context, seed: Seed) -> None:  # R1
    skus = [o.sku for o in await catalogue.browse_catalogue(ctx, seed.acme_member, "acme")]
    assert skus[:3] == ["M365-BUSINESS-BASIC", "M365-BUSINESS-STANDARD", "M365-BUSINESS-PREMIUM"]
    assert len(skus) == 11
