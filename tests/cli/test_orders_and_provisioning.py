"""`licencebot orders --json` (the documented shape) and `licencebot provision`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.cli.conftest import ORDERED_QUANTITY, ORDERED_SKU, Order
from tests.cli.support import Cli, assert_refused, berlin_today, book_addon, catalogue_data, product

SUBSCRIPTION_KEYS = {
    "id", "product_sku", "product_name", "quantity", "status", "provisioned_on", "start_date",
    "end_date", "unit_price", "monthly_total", "addons", "scheduled_quantity", "scheduled_for",
}  # fmt: skip
ADDON_KEYS = {
    "id", "sku", "name", "quantity", "status", "start_date", "end_date", "unit_price",
    "monthly_total",
}  # fmt: skip


def _one_subscription(cli: Cli) -> dict[str, Any]:
    listed = cli.json("orders", "--customer", "acme")
    assert isinstance(listed, list)
    assert len(listed) == 1, listed
    [subscription] = listed
    assert isinstance(subscription, dict)
    return subscription


def test_orders_of_a_new_customer_are_an_empty_json_list(cli: Cli) -> None:
    result = cli.ok("orders", "--customer", "acme", "--json")

    assert json.loads(result.stdout) == []
    assert result.stderr == ""


def test_orders_as_json_has_exactly_the_documented_shape(ordered_cli: Cli, order: Order) -> None:
    subscription = _one_subscription(ordered_cli)

    assert set(subscription) == SUBSCRIPTION_KEYS
    assert subscription == {
        "id": order.subscription_id,
        "product_sku": ORDERED_SKU,
        "product_name": "Microsoft 365 Business Standard",
        "quantity": ORDERED_QUANTITY,
        "status": "ordered",
        "provisioned_on": None,
        "start_date": order.start_date.isoformat(),
        "end_date": None,
        "unit_price": "13.92",
        "monthly_total": "250.56",  # 18 x 13.92
        "addons": [],
        "scheduled_quantity": None,  # issue 21: no reduction scheduled
        "scheduled_for": None,
    }
    assert isinstance(subscription["id"], int)
    assert product(catalogue_data(), ORDERED_SKU)["price"] == "13.92"


def test_orders_as_text_show_the_subscription_and_the_monthly_total(ordered_cli: Cli) -> None:
    result = ordered_cli.ok("orders", "--customer", "acme")

    assert result.stdout.splitlines()[0] == "ACME GmbH (acme)"
    assert "Microsoft 365 Business Standard" in result.stdout
    assert "250.56" in result.stdout
    assert "monthly total:" in result.stdout


def test_provision_marks_the_subscription_provisioned_today(ordered_cli: Cli, order: Order) -> None:
    before = berlin_today()
    shown = ordered_cli.json("provision", "--subscription", str(order.subscription_id))
    after = berlin_today()

    assert set(shown) == SUBSCRIPTION_KEYS
    assert (shown["id"], shown["status"]) == (order.subscription_id, "provisioned")
    subscription = _one_subscription(ordered_cli)
    assert subscription == shown
    assert subscription["status"] == "provisioned"
    assert subscription["provisioned_on"] in {before.isoformat(), after.isoformat()}
    assert date.fromisoformat(subscription["provisioned_on"])
    assert subscription["start_date"] == order.start_date.isoformat()
    assert subscription["monthly_total"] == "250.56"


def test_provisioning_twice_is_refused_with_one_line(ordered_cli: Cli, order: Order) -> None:
    first = ordered_cli.ok("provision", "--subscription", str(order.subscription_id))
    assert f"subscription {order.subscription_id} " in first.stdout
    assert "provisioned on" in first.stdout

    again = ordered_cli.run("provision", "--subscription", str(order.subscription_id))

    # The wording is "The order has been provisioned since <date>." (no word "already").
    assert_refused(again, 1, says="provisioned since")


def test_orders_as_json_list_booked_addons_in_the_documented_shape(
    ordered_cli: Cli, order: Order
) -> None:
    ordered_cli.ok("provision", "--subscription", str(order.subscription_id))
    book_addon(ordered_cli.database_url, "acme", order.subscription_id, "EXO-ARCHIVE")

    [addon] = _one_subscription(ordered_cli)["addons"]

    assert set(addon) == ADDON_KEYS
    assert isinstance(addon["id"], int)
    assert {k: v for k, v in addon.items() if k not in ("id", "start_date")} == {
        "sku": "EXO-ARCHIVE",
        "name": "Exchange Online Archiving",
        "quantity": ORDERED_QUANTITY,
        "status": "ordered",
        "end_date": None,
        "unit_price": "3.36",
        "monthly_total": "60.48",  # 18 x 3.36
    }
    assert date.fromisoformat(addon["start_date"]).day == 1

    # Provisioning again picks up the add-on that waited for it.
    ordered_cli.ok("provision", "--subscription", str(order.subscription_id))
    [addon_after] = _one_subscription(ordered_cli)["addons"]
    assert addon_after["status"] == "provisioned"
