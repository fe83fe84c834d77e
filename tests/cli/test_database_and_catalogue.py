"""`licencebot db upgrade`, `catalog load` and `catalog show`."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.cli.conftest import ORDERED_SKU, Order
from tests.cli.support import (
    CATALOGUE,
    Cli,
    assert_refused,
    catalogue_data,
    listed_products,
    offers,
    product,
    stderr_lines,
    write_catalogue,
)

_COUNTS = re.compile(
    r"catalogue loaded: (\d+) products, (\d+) add-ons "
    r"\((\d+) new, (\d+) updated, (\d+) retired, (\d+) removed\)"
)


def _counts(stdout: str) -> tuple[int, ...]:
    match = _COUNTS.search(stdout)
    assert match, stdout
    return tuple(int(n) for n in match.groups())


def _tables(db_file: Path) -> set[str]:
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows}


def test_db_upgrade_creates_the_sqlite_file_and_can_run_twice(fresh_cli: Cli) -> None:
    assert not fresh_cli.db_file.exists()

    first = fresh_cli.ok("db", "upgrade")
    assert fresh_cli.db_file.is_file()
    tables = _tables(fresh_cli.db_file)
    assert "alembic_version" in tables
    assert len(tables) > 1

    second = fresh_cli.ok("db", "upgrade")
    assert first.stdout.strip() == second.stdout.strip() == "database is up to date"
    assert _tables(fresh_cli.db_file) == tables


def test_catalogue_load_in_a_fresh_directory_prints_the_counts(fresh_cli: Cli) -> None:
    data = catalogue_data()

    result = fresh_cli.ok("catalog", "load", str(CATALOGUE))

    products, addons = len(data["products"]), len(data["addons"])
    assert _counts(result.stdout) == (products, addons, products, 0, 0, 0)
    assert "retired (still has subscriptions)" not in result.stdout


def test_loading_the_catalogue_twice_is_idempotent(ordered_cli: Cli, order: Order) -> None:
    # The prepared database was loaded from the same file once already.
    result = ordered_cli.ok("catalog", "load", str(CATALOGUE))

    data = catalogue_data()
    products, addons = len(data["products"]), len(data["addons"])
    assert _counts(result.stdout) == (products, addons, 0, products, 0, 0)
    assert "retired (still" not in result.stdout
    shown = ordered_cli.json("catalog", "show", "--customer", "acme")
    assert offers(shown) == listed_products(data)
    [subscription] = ordered_cli.json("orders", "--customer", "acme")
    assert subscription["id"] == order.subscription_id
    assert (subscription["unit_price"], subscription["status"]) == ("13.92", "ordered")


def test_a_bad_catalogue_file_is_refused_with_line_and_field_and_keeps_the_old_one(
    cli: Cli, tmp_path: Path
) -> None:
    data = catalogue_data()
    # A valid change and a removal that must not be applied, then one mistake.
    product(data, "M365-E3")["price"] = "50.00"
    data["products"] = [p for p in data["products"] if p["sku"] != "TEAMS-ESSENTIALS"]
    data["products"][0]["price"] = 12.5  # unquoted and not two decimals
    bad = write_catalogue(tmp_path / "bad.yaml", data)
    line = next(
        n
        for n, text in enumerate(bad.read_text("utf-8").splitlines(), start=1)
        if text.strip() == "price: 12.5"
    )

    result = cli.run("catalog", "load", str(bad))

    assert_refused(result, 1, says=f"line {line}: products[0].price")
    assert "two decimals" in result.stderr
    assert result.stdout == ""
    shown = cli.json("catalog", "show", "--customer", "acme")
    assert offers(shown) == listed_products(catalogue_data())


def test_a_catalogue_file_with_several_mistakes_lists_one_line_per_mistake(
    cli: Cli, tmp_path: Path
) -> None:
    data = catalogue_data()
    data["products"][0]["price"] = 12.5
    product(data, "M365-E3")["max_quantity"] = 0
    bad = write_catalogue(tmp_path / "bad.yaml", data)

    result = cli.run("catalog", "load", str(bad))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert len(lines) == 2, result.stderr
    assert "products[0].price" in lines[0]
    assert "products[4].max_quantity" in lines[1]
    assert all(re.search(r"line \d+: ", line) for line in lines), result.stderr


def test_removing_products_retires_those_with_subscriptions_and_deletes_the_others(
    ordered_cli: Cli, order: Order, tmp_path: Path
) -> None:
    data = catalogue_data()
    gone = {ORDERED_SKU, "TEAMS-ESSENTIALS"}  # the first is booked by acme, the second not
    data["products"] = [p for p in data["products"] if p["sku"] not in gone]
    smaller = write_catalogue(tmp_path / "smaller.yaml", data)

    result = ordered_cli.ok("catalog", "load", str(smaller))

    remaining = len(data["products"])
    assert _counts(result.stdout) == (remaining, len(data["addons"]), 0, remaining, 1, 1)
    retired = [line for line in result.stdout.splitlines() if line.startswith("retired")]
    assert retired == [f"retired (still has subscriptions): {ORDERED_SKU}"]
    shown = ordered_cli.json("catalog", "show", "--customer", "acme")
    assert offers(shown) == listed_products(data)
    # The subscription on the retired product is still there.
    [subscription] = ordered_cli.json("orders", "--customer", "acme")
    assert subscription["id"] == order.subscription_id
    assert subscription["product_sku"] == ORDERED_SKU
    assert subscription["status"] == "ordered"
