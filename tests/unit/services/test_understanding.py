"""Typed text on the fakes (domain/services/understanding.py): the parser is trained from the
training data and the live catalogue's names, and kept for the next start."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from domain.catalogue import read_catalogue
from domain.services import catalogue, understanding
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import CATALOGUE, Seed


async def test_the_parser_knows_the_live_catalogue_and_is_cached(
    ctx: Context, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(understanding.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(understanding, "_TRAINED", {})
    parser = await understanding.train_parser(ctx)
    parsed = parser.parse("5 Lizenzen Microsoft 365 E3 bestellen")
    assert (parsed.intent, parsed.product_sku, parsed.quantity) == ("order_product", "M365-E3", 5)
    [entry] = await asyncio.to_thread(os.listdir, tmp_path)  # kept for the next start
    assert entry.startswith("parser-")
    assert await understanding.train_parser(ctx) is parser


async def test_names_follow_the_catalogue_as_it_is_now(ctx: Context, seed: Seed) -> None:
    names = await understanding.catalogue_names(ctx)
    assert names.product("Business Standard") == "M365-BUSINESS-STANDARD"
    spec = read_catalogue(CATALOGUE)
    renamed = [
        p.model_copy(update={"name": "Office Kompakt"}) if p.sku == "O365-E1" else p
        for p in spec.products
    ]
    await catalogue.load_catalogue(ctx, OPERATOR, spec.model_copy(update={"products": renamed}))
    assert (await understanding.catalogue_names(ctx)).product("Office Kompakt") == "O365-E1"
