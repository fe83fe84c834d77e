"""Money rules R2, R3: exact decimals, cents, ROUND_HALF_UP, customer price lists."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.pricing import PriceList, discounted, monthly_total, sum_money, to_money

CENT = Decimal("0.01")


# --- to_money (R3) --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half up, not half even
        ("2.675", "2.68"),
        ("0.004", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # banker's rounding would give 0.02
        ("13.92", "13.92"),
        ("13.9", "13.90"),
        ("-0.005", "-0.01"),  # half away from zero
        (Decimal("1.234999"), "1.23"),
        (7, "7.00"),
    ],
)
def test_money_is_rounded_to_cents_half_up(value: Decimal | int | str, expected: str) -> None:
    # R3
    result = to_money(value)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_money_always_has_exactly_two_decimals() -> None:  # R3
    assert to_money(5).as_tuple().exponent == -2
    assert to_money(Decimal("5.1")).as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, 13.92, 2.675, 0.0])
def test_floats_are_refused_as_money(value: float) -> None:  # R3: floats are never exact
    with pytest.raises(TypeError):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["NaN", "sNaN", "Infinity", "-Infinity", "inf", Decimal("NaN"), Decimal("Infinity")]
)
def test_nan_and_infinity_are_refused_as_money(value: str | Decimal) -> None:  # R3
    with pytest.raises(ValueError, match="not an amount"):
        to_money(value)


@pytest.mark.parametrize("value", ["", "abc", "13,92", "1e", "€13.92"])
def test_text_that_is_no_number_is_refused_as_money(value: str) -> None:  # R3
    with pytest.raises(ValueError, match="not an amount"):
        to_money(value)


# --- monthly_total (R3) ---------------------------------------------------------------------------
def test_monthly_total_of_18_business_standard_users() -> None:  # R3 (example of the spec)
    assert monthly_total(Decimal("13.92"), 18) == Decimal("250.56")


def test_monthly_total_of_40_business_standard_users() -> None:  # R3, R11 (18 -> 40)
    total = monthly_total(Decimal("13.92"), 40)
    assert total == Decimal("556.80")
    assert str(total) == "556.80"


def test_monthly_total_of_large_quantities_is_exact() -> None:  # R3
    assert monthly_total(Decimal("71.04"), 100_000) == Decimal("7104000.00")
    assert str(monthly_total(Decimal("71.04"), 100_000)) == "7104000.00"
    assert monthly_total(Decimal("0.01"), 99_999) == Decimal("999.99")


def test_monthly_total_rounds_a_sub_cent_unit_price_half_up() -> None:  # R3
    # 3 × 0.335 = 1.005 -> 1.01
    assert monthly_total(Decimal("0.335"), 3) == Decimal("1.01")


def test_sum_of_monthly_totals_is_exact() -> None:  # R3
    amounts = [Decimal("0.10")] * 10 + [Decimal("250.56")]
    assert sum_money(amounts) == Decimal("251.56")
    assert sum_money([]) == Decimal("0.00")


# --- discounts (R2) -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("list_price", "percent", "expected"),
    [
        ("13.92", "10", "12.53"),  # 12.528
        ("6.66", "15", "5.66"),  # 5.661
        ("10.05", "50", "5.03"),  # 5.025, half up
        ("24.51", "0", "24.51"),
        ("71.04", "12.5", "62.16"),
        ("0.20", "99.99", "0.00"),  # 0.00002
    ],
)
def test_discounted_price_is_rounded_to_cents_half_up(
    list_price: str, percent: str, expected: str
) -> None:  # R2, R3
    assert discounted(Decimal(list_price), Decimal(percent)) == Decimal(expected)


# --- PriceList precedence (R2) --------------------------------------------------------------------
def test_customer_without_price_list_pays_list_price() -> None:  # R2
    assert PriceList().unit_price("M365-BUSINESS-STANDARD", Decimal("13.92")) == Decimal("13.92")


def test_discount_applies_to_list_price() -> None:  # R2
    prices = PriceList(discount_percent=Decimal(10))
    assert prices.unit_price("M365-BUSINESS-STANDARD", Decimal("13.92")) == Decimal("12.53")


def test_explicit_price_wins_over_discount() -> None:  # R2
    prices = PriceList(
        explicit={"M365-BUSINESS-STANDARD": Decimal("11.00")}, discount_percent=Decimal(10)
    )
    assert prices.unit_price("M365-BUSINESS-STANDARD", Decimal("13.92")) == Decimal("11.00")
    # Other products still get the discount.
    assert prices.unit_price("M365-E5", Decimal("71.04")) == Decimal("63.94")


def test_explicit_price_wins_over_list_price_even_when_higher() -> None:  # R2
    prices = PriceList(explicit={"M365-E3": Decimal("50.00")})
    assert prices.unit_price("M365-E3", Decimal("46.77")) == Decimal("50.00")
    assert prices.unit_price("M365-E5", Decimal("71.04")) == Decimal("71.04")


def test_explicit_price_is_rounded_to_cents() -> None:  # R2, R3
    prices = PriceList(explicit={"EXO-P1": Decimal("4.405")})
    assert prices.unit_price("EXO-P1", Decimal("4.40")) == Decimal("4.41")


def test_price_list_keeps_its_own_copy_of_explicit_prices() -> None:  # R2
    explicit = {"EXO-P1": Decimal("4.00")}
    prices = PriceList(explicit=explicit)
    explicit["EXO-P1"] = Decimal("1.00")
    assert prices.unit_price("EXO-P1", Decimal("4.40")) == Decimal("4.00")


@pytest.mark.parametrize("percent", ["-1", "-0.01", "100", "150"])
def test_discount_outside_0_to_below_100_percent_is_refused(percent: str) -> None:  # R2
    with pytest.raises(ValueError, match="discount"):
        PriceList(discount_percent=Decimal(percent))


@pytest.mark.parametrize("percent", ["0", "0.5", "99.99"])
def test_discount_from_0_to_below_100_percent_is_accepted(percent: str) -> None:  # R2
    assert PriceList(discount_percent=Decimal(percent)).discount_percent == Decimal(percent)


# --- properties -----------------------------------------------------------------------------------
unit_prices = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("99999.9999"), places=4, allow_nan=False
)
quantities = st.integers(min_value=1, max_value=100_000)


@given(unit_prices, quantities)
def test_monthly_total_is_quantity_times_unit_price_rounded_half_up(
    unit: Decimal, quantity: int
) -> None:  # R3
    total = monthly_total(unit, quantity)
    assert total == (unit * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    assert total.as_tuple().exponent == -2
    assert abs(total - unit * quantity) <= Decimal("0.005")


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2),
    st.decimals(min_value=Decimal(0), max_value=Decimal("99.99"), places=2),
)
def test_discounted_price_is_never_above_list_price_nor_negative(
    list_price: Decimal, percent: Decimal
) -> None:  # R2
    price = PriceList(discount_percent=percent).unit_price("X", list_price)
    assert Decimal(0) <= price <= list_price
    assert price.as_tuple().exponent == -2
