"""Money (R2, R3): exact decimals, cents, ROUND_HALF_UP, net EUR."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to cents, half up; refuses floats (they are never exact)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_total(unit_price: Decimal, quantity: int) -> Decimal:
    """Quantity × unit price, in cents (R3)."""
    return to_money(unit_price * quantity)


def discounted(list_price: Decimal, discount_percent: Decimal) -> Decimal:
    """List price less a percentage discount, rounded to cents."""
    return to_money(list_price * (HUNDRED - discount_percent) / HUNDRED)


def sum_money(amounts: Iterable[Decimal]) -> Decimal:
    return to_money(sum(amounts, Decimal(0)))


class PriceList:
    """A customer's prices (R2): explicit prices per SKU win, then a discount, then list price."""

    def __init__(
        self,
        explicit: Mapping[str, Decimal] | None = None,
        discount_percent: Decimal = Decimal(0),
    ) -> None:
        if not Decimal(0) <= discount_percent < HUNDRED:
            raise ValueError("discount must be at least 0 and below 100 percent")
        self.explicit = dict(explicit or {})
        self.discount_percent = discount_percent

    def unit_price(self, sku: str, list_price: Decimal) -> Decimal:
        if sku in self.explicit:
            return to_money(self.explicit[sku])
        if self.discount_percent:
            return discounted(list_price, self.discount_percent)
        return to_money(list_price)
