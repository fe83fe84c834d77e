"""The real Rasa stack for tests/rasa_e2e (skipped unless `make rasa-e2e` runs them)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from domain.catalogue import read_catalogue
from domain.commands import AddCustomer
from domain.services import accounts, catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database
from domain.storage.migrate import upgrade
from tests.rasa_e2e.stack import ROOT, Report, Stack, rasa_bin, running_stack

T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if rasa_bin() is not None:
        return
    skip = pytest.mark.skip(reason="needs the Rasa environment: run `make rasa-e2e`")
    for item in items:
        if "rasa_e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    rasa = rasa_bin()
    assert rasa is not None
    workdir: Path = tmp_path_factory.mktemp("rasa_e2e")
    report = Report()
    for started in running_stack(rasa, workdir, report):
        run(seed(started.database_url))
        yield started


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """A use case against the stack's database, from the (synchronous) tests."""
    return asyncio.run(coroutine)


def context(database_url: str) -> Context:
    """The database as the action server sees it (the real clock, as that process reads)."""
    return Context(Database(database_url))


async def seed(database_url: str) -> None:
    ctx = context(database_url)
    try:
        await upgrade(ctx.db)
        shipped = read_catalogue(ROOT / "data" / "catalog.yaml")
        await catalogue.load_catalogue(ctx, OPERATOR, shipped)
        await accounts.add_customer(ctx, OPERATOR, AddCustomer("acme", "ACME GmbH"))
        await accounts.add_customer(ctx, OPERATOR, AddCustomer("globex", "Globex AG"))
    finally:
        await ctx.db.dispose()
