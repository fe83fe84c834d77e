"""The catalogue cached per process (domain/storage/catalogue_cache.py): the process that loads a
catalogue sees it at once, another process within the cache's time to live, and nobody ever
keeps a catalogue that was not committed (R1, R2)."""

from __future__ import annotations

import pytest

from domain.catalogue import parse_catalogue
from domain.services import catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.catalogue_cache import CatalogueCache
from domain.storage.database import Database
from tests.conftest import Seed

SMALL = """
version: 1
currency: EUR
seat_caps: []
addons: []
products:
  - sku: KEEP
    name: Keep
    description: {de: "Bleibt", en: "Stays"}
    price: "2.00"
"""


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _skus(ctx: Context) -> list[str]:
    return [offer.sku for offer in await catalogue.browse_catalogue(ctx, OPERATOR, "acme")]


async def test_the_process_that_loads_a_catalogue_shows_it_at_once(
    ctx: Context, seed: Seed
) -> None:  # R1: the catalogue lists every product the customer can order
    assert "M365-E3" in await _skus(ctx)  # cached now
    await catalogue.load_catalogue(ctx, OPERATOR, parse_catalogue(SMALL))
    assert await _skus(ctx) == ["KEEP"]


async def test_another_process_sees_a_new_catalogue_within_the_time_to_live(
    db: Database, ctx: Context, seed: Seed
) -> None:  # docs/decisions.md: a `catalog load` reaches running bots within the TTL
    ticks = Ticks()
    db.catalogue_cache = CatalogueCache(ttl=10, clock=ticks)
    before = await _skus(ctx)
    other = Database(db.url, schema=db.schema)  # the command line, say
    try:
        await catalogue.load_catalogue(
            Context(other, clock=ctx.clock), OPERATOR, parse_catalogue(SMALL)
        )
    finally:
        await other.dispose()
    ticks.now += 9
    assert await _skus(ctx) == before  # still this process's copy
    ticks.now += 1
    assert await _skus(ctx) == ["KEEP"]


async def test_a_catalogue_change_that_is_rolled_back_is_never_cached(
    ctx: Context, seed: Seed
) -> None:
    before = await _skus(ctx)
    async with ctx.uow() as uow:
        await uow.catalogue.replace(parse_catalogue(SMALL))
        inside = await uow.catalogue.load()
        assert sorted(inside.products) == ["KEEP"]  # the unit sees its own change
        await uow.rollback()
    assert await _skus(ctx) == before


async def test_a_read_that_raced_a_change_is_not_kept(
    db: Database, ctx: Context, seed: Seed
) -> None:
    cache = db.catalogue_cache
    async with ctx.uow(write=False) as uow:
        stale = await uow.catalogue.load()
    cache.invalidate()
    generation = cache.generation - 1  # the read began before the change
    cache.put(stale, generation, cache.now())
    assert cache.get() is None


async def test_an_order_is_checked_against_the_catalogue_as_it_is_now(
    db: Database, ctx: Context, seed: Seed
) -> None:  # R1, R2: a product retired by another process cannot be ordered from a stale copy
    from domain import errors
    from domain.commands import PlaceOrder
    from domain.services import orders

    ticks = Ticks()
    db.catalogue_cache = CatalogueCache(ttl=10, clock=ticks)
    assert "M365-E3" in await _skus(ctx)  # this process caches the full catalogue
    other = Database(db.url, schema=db.schema)
    try:
        await catalogue.load_catalogue(
            Context(other, clock=ctx.clock), OPERATOR, parse_catalogue(SMALL)
        )
    finally:
        await other.dispose()
    assert "M365-E3" in await _skus(ctx)  # the list may still show it for a few seconds
    order = PlaceOrder("acme", "M365-E3", 3, True, True, "stale-catalogue")
    with pytest.raises((errors.ProductNotFound, errors.ProductRetired)):
        await orders.place_order(ctx, seed.acme_admin, order)
    assert not (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions
