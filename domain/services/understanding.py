"""Understanding typed text: the free-text parser trained on data/nlu.yml, and the names of
the live catalogue (both front ends resolve products and add-ons through them)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from domain.nlu import training_data
from domain.nlu.names import CatalogueNames
from domain.nlu.parser import Parser
from domain.services.context import Context

# Trained parsers by (training data, catalogue names): a worker or test that starts the bot
# again with the same inputs reuses the model instead of training for another second.
_TRAINED: dict[str, Parser] = {}


async def train_parser(ctx: Context, path: Path = training_data.DEFAULT_PATH) -> Parser:
    """Training takes about a second; it runs in a worker thread, off the event loop."""
    async with ctx.uow(write=False) as uow:
        catalog = await uow.catalog.load()
    products = {sku: p.name for sku, p in catalog.products.items()}
    addons = {sku: a.name for sku, a in catalog.addons.items()}
    data = await asyncio.to_thread(path.read_bytes)
    names = repr(sorted(products.items()) + sorted(addons.items())).encode()
    key = hashlib.sha256(data + names).hexdigest()
    if key not in _TRAINED:
        _TRAINED[key] = await asyncio.to_thread(Parser.from_file, products, addons, path)
    return _TRAINED[key]


async def catalogue_names(ctx: Context) -> CatalogueNames:
    """Products and add-ons of the catalogue as it is now, by every name users type."""
    async with ctx.uow(write=False) as uow:
        catalog = await uow.catalog.load()
    return CatalogueNames.of(catalog)
