"""The screens both front ends show, rendered once in domain/texts as Telegram HTML (R1-R3,
R6, R10): products, details, my orders, status. The Rasa actions show them as plain text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.model import Status
from domain.texts import catalogue, orders
from domain.texts.i18n import Translator
from domain.texts.markup import plain
from domain.views import AddonOffer, AddonView, OrdersOverview, ProductOffer, SubscriptionView

DE, EN = Translator("de"), Translator("en")
NBSP = "\xa0"

E3 = ProductOffer(
    sku="M365-E3",
    name="Microsoft 365 E3",
    description={"de": "Office-Apps & Sicherheit <für Unternehmen>", "en": "Office apps"},
    unit_price=Decimal("46.77"),
    max_quantity=300,
    addons=(
        AddonOffer("COPILOT", "Microsoft 365 Copilot", {}, Decimal("30.91")),
        AddonOffer("EXO-ARCHIVE", "Exchange Online Archiving", {}, Decimal("3.36")),
    ),
)
E1 = ProductOffer("O365-E1", "Office 365 E1", {"de": "Web-Apps"}, Decimal("9.80"), 300, ())


def subscription(
    number: int, status: Status, *, addons: tuple[AddonView, ...] = ()
) -> SubscriptionView:
    return SubscriptionView(
        id=number,
        customer_id="acme",
        product_sku="M365-E3",
        product_name="Microsoft 365 E3",
        quantity=18,
        status=status,
        provisioned_on=date(2026, 11, 3) if status is not Status.ORDERED else None,
        start_date=date(2026, 11, 1),
        end_date=None,
        unit_price=Decimal("46.77"),
        monthly_total=Decimal("841.86"),
        version=1,
        addons=addons,
    )


def addon(status: Status) -> AddonView:
    return AddonView(
        id=7,
        sku="COPILOT",
        name="Microsoft 365 Copilot",
        quantity=10,
        status=status,
        start_date=date(2026, 11, 1),
        provisioned_on=None,
        end_date=None,
        unit_price=Decimal("30.91"),
        monthly_total=Decimal("309.10"),
    )


def test_the_product_list_names_prices_and_what_is_booked() -> None:  # R1, R2, R6
    booked = replace(
        E3, booked_subscription_id=12, booked_quantity=18, booked_status=Status.ORDERED
    )
    assert catalogue.products(DE, "Müller & Söhne", [booked, E1]) == "\n".join(
        [
            "<b>Produktübersicht</b> · Preise für Müller &amp; Söhne, netto pro Nutzer/Monat:",
            f"• Microsoft 365 E3: 46,77{NBSP}€ · gebucht: 18",
            f"• Office 365 E1: 9,80{NBSP}€",
        ]
    )


def test_the_product_list_shows_its_page_only_when_there_are_several() -> None:
    one_page = catalogue.products(EN, "ACME", [E1], page=0, pages=1)
    assert one_page.splitlines()[-1] == "• Office 365 E1: €9.80"
    assert catalogue.products(EN, "ACME", [E1], page=1, pages=3).endswith("\nPage 2 of 3")
    assert catalogue.products(DE, "ACME", []) == DE("products.empty")


def test_details_escape_catalogue_text_and_keep_the_bots_blank_lines() -> None:
    assert catalogue.details(DE, E3) == "\n".join(
        [
            "<b>Microsoft 365 E3</b>",
            "Office-Apps &amp; Sicherheit &lt;für Unternehmen&gt;",
            "",
            f"Preis pro Nutzer: 46,77{NBSP}€ netto / Monat",
            "Add-Ons: Microsoft 365 Copilot, Exchange Online Archiving",
        ]
    )
    assert catalogue.details(EN, E1).splitlines()[1] == "Web-Apps"  # no English: the first one


def test_details_of_a_booked_product_lead_to_a_change() -> None:  # R6
    booked = replace(
        E1, booked_subscription_id=3, booked_quantity=1, booked_status=Status.PROVISIONED
    )
    lines = catalogue.details(DE, booked).splitlines()
    assert lines[-3:] == [
        DE("details.no_addons"),
        "",
        DE("details.booked", quantity=1, status=DE.status(Status.PROVISIONED)),
    ]
    assert "<b>1 Lizenz</b>" in lines[-1]


def test_my_orders_lists_running_subscriptions_first_with_the_total() -> None:  # R10
    ended = subscription(3, Status.ENDED)
    running = subscription(9, Status.PROVISIONED, addons=(addon(Status.ORDERED),))
    overview = OrdersOverview("acme", "ACME <GmbH>", (ended, running), Decimal("1150.96"))
    assert orders.listed(overview) == [running, ended]
    text = orders.orders(DE, overview, orders.listed(overview))
    parts = text.split("\n\n")
    assert parts[0] == "<b>Meine Bestellungen</b> · ACME &lt;GmbH&gt;"
    assert parts[1] == orders.entry(DE, running)
    assert parts[2] == orders.entry(DE, ended)
    assert parts[3] == f"<b>Monatlich gesamt: 1.150,96{NBSP}€ netto</b>"
    assert len(parts) == 4
    paged = orders.orders(DE, overview, [running], page=0, pages=2)
    assert paged.split("\n\n")[-1] == "Seite 1 von 2"


def test_my_orders_without_orders_says_so() -> None:
    overview = OrdersOverview("acme", "ACME", (), Decimal("0.00"))
    assert orders.orders(EN, overview, []) == f"<b>My orders</b> · ACME\n\n{EN('orders.empty')}"


def test_the_status_shows_what_runs_with_add_ons() -> None:
    running = subscription(9, Status.PROVISIONED, addons=(addon(Status.ORDERED),))
    overview = OrdersOverview(
        "acme", "ACME", (running, subscription(3, Status.ENDED)), Decimal("1150.96")
    )
    assert plain(orders.status(DE, overview)).splitlines() == [
        "Status · ACME",
        f"• Microsoft 365 E3: 18 · {DE.status(Status.PROVISIONED)}",
        f"   + Microsoft 365 Copilot: 10 · {DE.status(Status.ORDERED)}",
        f"Monatlich gesamt: 1.150,96{NBSP}€ netto",
    ]
    nothing = OrdersOverview("acme", "ACME", (), Decimal("0.00"))
    assert orders.status(EN, nothing).splitlines()[1] == EN("status_screen.none")
