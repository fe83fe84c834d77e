"""Train the free-text parser on data/nlu.yml with the names of the live catalogue."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.nlu import training_data
from domain.nlu.parser import Parser
from domain.services.context import Context


async def train_parser(ctx: Context, path: Path = training_data.DEFAULT_PATH) -> Parser:
    """Training takes about a second; it runs in a worker thread, off the event loop."""
    async with ctx.uow(write=False) as uow:
        catalog = await uow.catalog.load()
    products = {sku: p.name for sku, p in catalog.products.items()}
    addons = {sku: a.name for sku, a in catalog.addons.items()}
    return await asyncio.to_thread(Parser.from_file, products, addons, path)
