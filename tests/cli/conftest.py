"""Prepared databases for the command-line tests, built once and copied per test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.cli.support import CATALOGUE, Cli, berlin_today, copy_database, place_order, sqlite_url

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every command-line test runs `licencebot` processes on the real clock (tests/dates.py)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.real_clock)


ORDERED_SKU = "M365-BUSINESS-STANDARD"
ORDERED_QUANTITY = 18


@dataclass(frozen=True)
class Order:
    """The one subscription in the `ordered_cli` database."""

    subscription_id: int
    start_date: date


@dataclass(frozen=True)
class Template:
    directory: Path
    order: Order | None = None


@pytest.fixture(scope="session")
def prepared_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The demo catalogue and customer acme, set up through the command line itself."""
    cli = Cli(tmp_path_factory.mktemp("prepared"))
    cli.ok("catalog", "load", str(CATALOGUE))
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")
    return Template(cli.cwd)


@pytest.fixture(scope="session")
def ordered_template(
    prepared_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Template:
    """As prepared, plus acme's admin ordered 18 x Microsoft 365 Business Standard."""
    directory = tmp_path_factory.mktemp("ordered")
    copy_database(prepared_template.directory, directory)
    start = berlin_today().replace(day=1)
    subscription_id = place_order(sqlite_url(directory), "acme", ORDERED_SKU, ORDERED_QUANTITY)
    return Template(directory, Order(subscription_id, start))


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Cli:
    """An empty working directory: no database yet."""
    return Cli(tmp_path)


@pytest.fixture
def cli(prepared_template: Template, tmp_path: Path) -> Cli:
    """The catalogue is loaded and customer acme exists (no orders)."""
    copy_database(prepared_template.directory, tmp_path)
    return Cli(tmp_path)


@pytest.fixture
def ordered_cli(ordered_template: Template, tmp_path: Path) -> Cli:
    """Like `cli`, and acme has one subscription in status ordered (see `order`)."""
    copy_database(ordered_template.directory, tmp_path)
    return Cli(tmp_path)


@pytest.fixture
def order(ordered_template: Template) -> Order:
    assert ordered_template.order is not None
    return ordered_template.order
