"""Worker side of the concurrency tests: runs use cases in a separate process."""

from __future__ import annotations

import asyncio
from datetime import datetime

from domain import errors
from domain.clock import FixedClock
from domain.commands import ChangeQuantity, PlaceOrder
from domain.model import Actor
from domain.services import orders, subscriptions
from domain.services.context import Context
from domain.storage.database import Database


def _ctx(url: str, schema: str | None, now: datetime) -> Context:
    return Context(Database(url, schema=schema), clock=FixedClock(now))


def place_same_order(
    url: str, schema: str | None, now: datetime, actor: Actor, cmd: PlaceOrder, copies: int
) -> list[tuple[int, bool]]:
    """`copies` concurrent placements of the same order on their own connections."""

    async def main() -> list[tuple[int, bool]]:
        ctx = _ctx(url, schema, now)
        try:
            results = await asyncio.gather(
                *(orders.place_order(ctx, actor, cmd) for _ in range(copies))
            )
        finally:
            await ctx.db.dispose()
        return [(r.subscription.id, r.created) for r in results]

    return asyncio.run(main())


def change_quantity(
    url: str, schema: str | None, now: datetime, actor: Actor, cmd: ChangeQuantity
) -> str:
    """'applied' or 'conflict'."""

    async def main() -> str:
        ctx = _ctx(url, schema, now)
        try:
            await subscriptions.change_quantity(ctx, actor, cmd)
        except errors.VersionConflict:
            return "conflict"
        finally:
            await ctx.db.dispose()
        return "applied"

    return asyncio.run(main())
