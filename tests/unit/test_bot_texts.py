"""Handler-level formatting of money and dates in both languages (R3, R8, R10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.model import ConsentKind, Status
from domain.texts.i18n import Translator
from domain.texts.orders import entry, order_summary
from domain.views import AddonView, Quote, SubscriptionView

NBSP = "\u00a0"


def subscription(status: Status = Status.CANCELLED) -> SubscriptionView:
    copilot = AddonView(
        id=7,
        sku="COPILOT",
        name="Microsoft 365 Copilot",
        quantity=10,
        status=status,
        start_date=date(2026, 11, 1),
        provisioned_on=date(2026, 11, 3),
        end_date=date(2026, 11, 30),
        unit_price=Decimal("30.91"),
        monthly_total=Decimal("309.10"),
    )
    return SubscriptionView(
        id=1042,
        customer_id="acme",
        product_sku="M365-BUSINESS-STANDARD",
        product_name="Microsoft 365 Business Standard",
        quantity=1800,
        status=status,
        provisioned_on=date(2026, 11, 3),
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 30),
        unit_price=Decimal("13.92"),
        monthly_total=Decimal("25056.00"),
        version=3,
        addons=(copilot,),
    )


def test_my_orders_entry_in_german() -> None:
    assert entry(Translator("de"), subscription()).splitlines() == [
        "<b>Microsoft 365 Business Standard</b> (Nr. 1042)",
        "Menge: 1800 · Status: gekündigt",
        "Bereitstellung: 03.11.2026 · Start: 01.11.2026 · Ende: 30.11.2026",
        f"13,92{NBSP}€ netto pro Nutzer/Monat · Monatlich: 25.056,00{NBSP}€ netto",
        f"  + Microsoft 365 Copilot: 10 × 30,91{NBSP}€ = 309,10{NBSP}€ (gekündigt)",
    ]


def test_my_orders_entry_in_english() -> None:
    assert entry(Translator("en"), subscription()).splitlines() == [
        "<b>Microsoft 365 Business Standard</b> (no. 1042)",
        "Quantity: 1800 · Status: cancelled",
        "Provisioned: 3 Nov 2026 · Start: 1 Nov 2026 · End: 30 Nov 2026",
        "€13.92 net per user/month · Monthly: €25,056.00 net",
        "  + Microsoft 365 Copilot: 10 × €30.91 = €309.10 (cancelled)",
    ]


@pytest.mark.parametrize(("language", "dash"), [("de", "–"), ("en", "–")])
def test_missing_dates_show_a_dash(language: str, dash: str) -> None:
    view = subscription(Status.ORDERED)
    pending = SubscriptionView(**{**view.__dict__, "provisioned_on": None, "end_date": None})
    line = entry(Translator(language), pending).splitlines()[2]
    assert line.count(dash) == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", f"Monatlich gesamt: 250,56{NBSP}€ netto\nStartdatum: 01.12.2026"),
        ("en", "Monthly total: €250.56 net\nStart date: 1 Dec 2026"),
    ],
)
def test_the_order_summary_formats_money_and_start_date(language: str, expected: str) -> None:
    quote = Quote("X", "X", 18, Decimal("13.92"), Decimal("250.56"), date(2026, 12, 1))
    text = order_summary(Translator(language), quote)
    assert text.endswith(expected)  # Rasa's card: the consents are asked one by one


def test_the_telegram_order_summary_ends_in_the_consents_to_tick() -> None:  # R5
    quote = Quote("X", "X", 18, Decimal("13.92"), Decimal("250.56"), date(2026, 12, 1))
    ticked = {ConsentKind.TERMS: False, ConsentKind.MICROSOFT_ACCOUNT: True}
    text = order_summary(Translator("de"), quote, ticked)
    assert text.endswith(
        "Startdatum: 01.12.2026\n\n☐ AGB und Lizenzbedingungen akzeptiert\n"
        "☑ Anlage eines Microsoft-Kontos zugestimmt"
    )
