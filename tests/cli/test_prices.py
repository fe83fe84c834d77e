"""`licencebot price set`: a customer's own price (R2), seen through `catalog show`."""

from __future__ import annotations

from tests.cli.support import Cli, assert_refused, catalogue_data, product


def _price_of(cli: Cli, sku: str) -> str:
    shown = cli.json("catalog", "show", "--customer", "acme")
    [price] = [str(o["unit_price"]) for o in shown if o["sku"] == sku]
    return price


def test_price_set_changes_the_customers_price_and_clear_restores_it(cli: Cli) -> None:
    list_price = str(product(catalogue_data(), "M365-E3")["price"])  # what acme pays so far

    cli.ok("price", "set", "--customer", "acme", "--sku", "M365-E3", "--price", "40.00")
    assert _price_of(cli, "M365-E3") == "40.00"

    cli.ok("price", "set", "--customer", "acme", "--sku", "M365-E3", "--clear")
    assert _price_of(cli, "M365-E3") == list_price


def test_price_set_for_an_unknown_sku_is_refused_with_one_line(cli: Cli) -> None:
    result = cli.run("price", "set", "--customer", "acme", "--sku", "NO-SUCH", "--price", "1.00")

    assert_refused(result, 1, says="NO-SUCH")
