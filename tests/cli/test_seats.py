"""`licencebot usage`, `usage set`, `costs`, `hints run`, `month-end run` (issue 21): the
documented shapes and one-line refusals. The rules themselves are tested on both databases in
tests/integration/test_seats.py with a fixed clock."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from domain.dates import last_of_month
from tests.cli.conftest import ORDERED_QUANTITY, ORDERED_SKU, Order
from tests.cli.support import Cli, assert_refused, berlin_today

USAGE_KEYS = {"sku", "name", "paid", "assigned", "unassigned", "unit_price", "monthly_saving"}


def test_usage_of_a_provisioned_subscription_shows_assigned_seats_and_the_saving(
    ordered_cli: Cli, order: Order
) -> None:
    [waiting] = ordered_cli.json("usage", "--customer", "acme", "--json")
    assert (waiting["paid"], waiting["assigned"], waiting["monthly_saving"]) == (18, None, "0.00")

    ordered_cli.ok("provision", "--subscription", str(order.subscription_id))
    shown = ordered_cli.json(
        "usage", "set", "--customer", "acme", "--sku", ORDERED_SKU, "--assigned", "12", "--json"
    )
    [line] = ordered_cli.json("usage", "--customer", "acme", "--json")
    assert shown == [line]
    assert set(line) >= USAGE_KEYS
    assert {k: line[k] for k in USAGE_KEYS} == {
        "sku": ORDERED_SKU,
        "name": "Microsoft 365 Business Standard",
        "paid": ORDERED_QUANTITY,
        "assigned": 12,
        "unassigned": 6,
        "unit_price": "13.92",
        "monthly_saving": "83.52",  # 6 x 13.92
    }
    assert line["stale"] is False
    text = ordered_cli.ok("usage", "--customer", "acme").stdout
    assert "12 of 18" in text


def test_usage_refuses_bad_input_in_one_line(cli: Cli) -> None:
    assert_refused(cli.run("usage", "--json"), 1, says="--customer")
    assert_refused(
        cli.run("usage", "set", "--customer", "acme", "--sku", ORDERED_SKU, "--assigned", "-1"),
        2,
    )
    assert_refused(
        cli.run("usage", "set", "--customer", "acme", "--sku", "NOPE", "--assigned", "1"), 1
    )
    assert_refused(
        cli.run("usage", "set", "--customer", "nobody", "--sku", ORDERED_SKU, "--assigned", "1"),
        1,
    )


def test_costs_as_json_and_csv(ordered_cli: Cli, order: Order) -> None:
    before = f"{berlin_today():%Y-%m}"
    months = ordered_cli.json("costs", "--customer", "acme", "--months", "3", "--json")
    after = f"{berlin_today():%Y-%m}"  # the real clock may pass midnight meanwhile
    assert [m["projected"] for m in months] == [False, False, False, True]
    this_month = months[2]
    assert this_month["month"] in {before, after}
    assert this_month == {
        "month": this_month["month"],
        "total": "250.56",  # 18 x 13.92 (R3)
        "lines": [
            {
                "sku": ORDERED_SKU,
                "name": "Microsoft 365 Business Standard",
                "quantity": 18,
                "total": "250.56",
            }
        ],
        "projected": False,
    }
    assert months[3]["total"] == "250.56"  # nothing scheduled, nothing cancelled
    rows = list(
        csv.reader(io.StringIO(ordered_cli.ok("costs", "--customer", "acme", "--csv").stdout))
    )
    assert rows[0] == ["month", "sku", "name", "quantity", "total", "projected"]
    assert [
        this_month["month"],
        ORDERED_SKU,
        "Microsoft 365 Business Standard",
        "18",
        "250.56",
        "False",
    ] in rows
    assert_refused(ordered_cli.run("costs", "--customer", "acme", "--months", "0"), 2)
    assert_refused(ordered_cli.run("costs", "--customer", "acme", "--json", "--csv"), 2)


def test_the_rounds_run_once_on_a_given_day(cli: Cli) -> None:
    assert cli.json("hints", "run", "--today", "2026-12-26", "--json") == {"hinted": []}
    assert cli.json("month-end", "run", "--today", "2027-01-01", "--json") == {
        "ended": [],
        "reductions": [],
    }
    assert_refused(cli.run("hints", "run", "--today", "26.12.2026"), 2, says="YYYY-MM-DD")


def test_the_simulation_makes_the_demo_hint_appear_in_the_last_days_of_the_month(
    ordered_cli: Cli, order: Order
) -> None:  # README: how to see the hint in `make chat`
    ordered_cli.ok("provision", "--subscription", str(order.subscription_id))
    today = berlin_today()
    day = last_of_month(today) - timedelta(days=1)  # inside SEAT_HINT_DAYS (5) before the end
    simulated = {"PROVISIONER": "simulated"}
    hinted = ordered_cli.json("hints", "run", "--today", day.isoformat(), "--json", env=simulated)
    assert hinted == {"hinted": ["acme"]}
    again = ordered_cli.json("hints", "run", "--today", day.isoformat(), "--json", env=simulated)
    assert again == {"hinted": []}  # one per customer and month
    [line] = ordered_cli.json("usage", "--customer", "acme", "--json", env=simulated)
    assert line["assigned"] is not None
    assert 0 < line["unassigned"] <= ORDERED_QUANTITY // 2  # plausible: 15-50 % unassigned
