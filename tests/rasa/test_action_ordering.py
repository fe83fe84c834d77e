"""order_form and its actions: catalogue, product, quantity, consents, one order (R1-R9)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain import errors
from domain.commands import PlaceOrder
from domain.licence_requests import Origin, RequestKind, RequestStatus
from domain.model import Channel, Role
from domain.services import licence_requests, notifications, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import Approval
from domain.texts.i18n import Translator
from domain.texts.markup import plain
from domain.texts.notices import notice
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, ActionServer, Dialogue, linked, serve, stop_serving

pytestmark = QUIET
DE = Texts("de")
NBSP = "\xa0"


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


@pytest.fixture
async def anna(server: ActionServer, ctx: Context) -> Dialogue:
    """ACME's administrator, linked through Rasa."""
    return await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")


async def start_order(dialogue: Dialogue, product: str, **more: object) -> None:
    dialogue.user(f"{product} bestellen", "order_product", sets={"product": product, **more})
    await dialogue.activate("order_form")


async def test_a_product_is_named_by_sku_or_name_and_unknown_ones_get_close_matches(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await start_order(anna, "Business Standard")
    assert anna.slots["product"] == "M365-BUSINESS-STANDARD"
    assert anna.requested_slot == "quantity"
    question = await anna.run("action_ask_quantity")
    assert question.texts == [
        f"Microsoft 365 Business Standard kostet 13,92{NBSP}€ netto pro Nutzer/Monat. Wie viele "
        "Lizenzen möchten Sie bestellen? Bitte nennen Sie eine Zahl von 1 bis 300."
    ]

    anna.slots["product"] = None
    reply = await anna.answer("E7", "inform", {"product": "E7"})
    assert reply.texts == [
        "„E7“ habe ich in unserem Katalog nicht gefunden. Meinten Sie: Microsoft 365 E3, "
        "Microsoft 365 E5, Office 365 E1?"
    ]
    assert reply.slot("product") is None
    assert anna.requested_slot == "product"
    question = await anna.run("action_ask_product")
    assert question.texts[0].startswith("Welches Produkt möchten Sie bestellen? Zur Auswahl")
    assert "Microsoft 365 E3" in question.texts[0]

    # R6: a booked product is not ordered again
    booked = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    reply = await anna.answer("E3", "inform", {"product": "M365-E3"})
    refusal = errors.AlreadySubscribed(booked.subscription.id, 5, "ordered")
    assert reply.texts == [DE.refusal(refusal)]
    assert reply.slot("product") is None


async def test_quantities_are_read_as_typed_and_checked_by_the_domain(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-BUSINESS-BASIC", 100, True, True)
    )
    await start_order(anna, "M365-BUSINESS-STANDARD")
    out_of_range = DE("errors.invalid_quantity", minimum=1, maximum=300)
    seat_cap = DE(
        "errors.seat_cap_exceeded",
        cap_name="Microsoft 365 Business (Basic, Standard, Premium)",
        cap=300,
        in_use=100,
        available=200,
    )
    for typed, expected in (
        ("abc", DE("order.not_a_number")),
        ("5 Stück bitte", DE("order.not_a_number")),
        ("0", out_of_range),
        ("-5", out_of_range),
        (10**12, out_of_range),
        ("301", out_of_range),
        ("250", seat_cap),  # R4: Basic and Standard share 300 seats
    ):
        reply = await anna.answer(str(typed), "inform", {"quantity": typed})
        assert reply.texts == [expected], typed
        assert reply.slot("quantity") is None
        assert anna.requested_slot == "quantity"
    reply = await anna.answer("fünf", "inform", {"quantity": "fünf"})
    assert (reply.texts, reply.slot("quantity")) == ([], 5)
    assert anna.requested_slot == "terms_accepted"


async def test_a_refused_consent_leaves_the_order_and_nothing_is_ordered(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await start_order(anna, "M365-E5", quantity="3")
    assert anna.requested_slot == "terms_accepted"
    question = await anna.run("action_ask_terms_accepted")
    assert question.texts == [  # Telegram's summary card as plain text, then the question (R3)
        f"Microsoft 365 E5\nMenge: 3 Nutzer\nPreis pro Nutzer: 71,04{NBSP}€ netto / Monat\n"
        f"Monatlich gesamt: 213,12{NBSP}€ netto\nStartdatum: 01.11.2026",
        "Akzeptieren Sie unsere AGB und Lizenzbedingungen (https://example.com/agb)? Bitte "
        "antworten Sie mit Ja oder Nein.",
    ]
    # R5: "nein" is no consent: the order is left instead of asked again and again (issue 17)
    reply = await anna.answer("nein", "deny", {"terms_accepted": False})
    assert reply.texts == [DE("rasa.form_left")]
    assert anna.active_loop is None
    assert (await anna.run("action_place_order")).texts == [DE("rasa.nothing_done")]

    await start_order(anna, "M365-E5", quantity="3")
    await anna.answer("ja", "affirm", {"terms_accepted": True})
    assert anna.requested_slot == "account_consent"
    reply = await anna.answer("nein", "deny", {"account_consent": False})
    assert reply.texts == [DE("rasa.form_left")]
    assert (await anna.run("action_place_order")).texts == [DE("rasa.nothing_done")]
    assert not (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions


async def test_the_same_place_order_call_twice_places_one_order(
    server: ActionServer, anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await start_order(anna, "M365-E5", quantity="3")
    await anna.answer("ja", "affirm", {"terms_accepted": True})
    await anna.answer("ja", "affirm", {"account_consent": True})
    call = anna.body("action_place_order")
    first, again = await server.post(call), await server.post(call)
    (sub,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert first.texts[0].startswith(f"✅ Bestellung Nr. {sub.id} ist eingegangen: 3 × ")
    assert again.texts == [DE("order.already_placed", number=sub.id)]
    assert (
        first.slots()
        == again.slots()
        == dict.fromkeys(("product", "quantity", "terms_accepted", "account_consent"))
    )

    # the next run of the form is another order attempt: R6 refuses the same product
    anna.record("action_place_order", first)
    await start_order(anna, "E5")
    assert anna.slots["product"] is None
    assert len((await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions) == 1


async def test_values_left_from_an_unfinished_order_are_asked_again(anna: Dialogue) -> None:
    await start_order(anna, "M365-E5", quantity="3")
    await anna.answer("ja", "affirm", {"terms_accepted": True})
    anna.events.append({"event": "active_loop", "timestamp": 1.0, "name": None})  # left
    anna.active_loop = None
    anna.slots["requested_slot"] = None

    await start_order(anna, "O365-E1")
    assert anna.slots["product"] == "O365-E1"
    assert anna.slots["quantity"] is None
    assert anna.slots["terms_accepted"] is None  # an old consent is no consent for this order
    assert anna.requested_slot == "quantity"


async def test_a_member_is_refused_at_every_form_and_write_but_order_and_cancel(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:  # R23: a member's order and cancellation become requests (below and
    # test_action_cancel_requests.py); nothing else is asked for here
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    member = await linked(server, ctx, Role.MEMBER, "acme", "rasa-mia")
    role = DE("role.member")
    refusal = DE("errors.permission_denied_request", role=role)

    complete = {
        "product": "M365-E5",
        "subscription": str(placed.subscription.id),
        "addon": "COPILOT",
        "quantity": 3,
        "terms_accepted": True,
        "account_consent": True,
        "confirm_cancel": True,
    }
    member.events.append({"event": "active_loop", "timestamp": 2.0, "name": "order_form"})
    for action in (
        "action_change_quantity",
        "action_book_addon",
    ):
        member.slots.update(complete)
        reply = await member.run(action)
        assert reply.texts == [refusal], action
    for form in ("change_quantity_form", "addon_form"):
        member.user("E3", "inform", sets={"subscription": "M365-E3"})
        reply = await member.activate(form)
        assert reply.texts == [refusal], form
    (sub,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert (sub.quantity, sub.status.value, sub.addons) == (5, "ordered", ())
    assert await licence_requests.list_requests(ctx, OPERATOR) == []


async def test_a_members_order_becomes_a_request_the_admins_are_told_of(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:  # R23, R5
    member = await linked(server, ctx, Role.MEMBER, "acme", "rasa-mia")
    await start_order(member, "E5", quantity="3")
    assert member.active_loop is None  # product and quantity: the admin gives the consents
    assert (member.slots["product"], member.slots["quantity"]) == ("M365-E5", 3)
    reply = await member.run("action_place_order")  # Rasa's submit rule follows the form
    assert reply.texts == ["📨 Anfrage Nr. 1 ist bei Ihren Admins."]
    assert reply.texts == [plain(Translator("de")("request.sent", number=1))]  # as Telegram
    assert reply.slot("product") is None and reply.slot("quantity") is None
    assert (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions == ()
    (asked,) = await licence_requests.list_requests(ctx, OPERATOR)
    assert (asked.customer_id, asked.kind, asked.status, asked.origin) == (
        "acme",
        RequestKind.ORDER,
        RequestStatus.PENDING,
        Origin.MEMBER,
    )
    assert (asked.product_sku, asked.quantity) == ("M365-E5", 3)

    claim = await notifications.claim_deliveries(ctx, Channel.TELEGRAM)  # the admins are told
    told = [
        (d.user.external_id, notice(Translator("de"), d.notification))
        for d in claim.deliveries
        if d.user is not None
    ]
    assert told == [
        (
            "100",
            "📨 Neue Anfrage Nr. 1 (ACME GmbH): Microsoft 365 E5, 3 Nutzer. "
            "Sie entscheiden darüber unter /requests.",
        )
    ]

    await start_order(member, "M365-E5", quantity=3)  # the same again waits already
    reply = await member.run("action_place_order")
    assert reply.texts == [DE.refusal(errors.RequestPending(1))]
    assert len(await licence_requests.list_requests(ctx, OPERATOR)) == 1

    english = await linked(server, ctx, Role.MEMBER, "acme", "rasa-tom")
    english.slots["language"] = "en"
    await start_order(english, "M365-E3", quantity=2)
    reply = await english.run("action_place_order")
    assert reply.texts == ["📨 Request no. 2 is with your admins."]

    await licence_requests.approve(ctx, seed.acme_admin, 1, Approval(True, True), "Anna")
    (sub,) = (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions
    assert (sub.product_sku, sub.quantity) == ("M365-E5", 3)


async def test_catalogue_and_product_details_show_the_customers_prices(
    server: ActionServer, anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await orders.place_order(ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True))
    anna.user("Welche Produkte gibt es?", "list_products")
    listing = await anna.run("action_list_products")
    lines = listing.text.splitlines()
    assert lines[0] == "Produktübersicht · Preise für ACME GmbH, netto pro Nutzer/Monat:"
    assert f"• Microsoft 365 E3: 46,77{NBSP}€ · gebucht: 5" in lines

    anna.user("Was kostet E3?", "product_details", {"product": "M365-E3"}, {"product": "M365-E3"})
    details = await anna.run("action_product_details")
    text = details.text
    assert text.startswith("Microsoft 365 E3\n")
    assert f"Preis pro Nutzer: 46,77{NBSP}€ netto / Monat" in text
    assert "Microsoft 365 Copilot" in text
    assert "Sie haben dieses Produkt bereits gebucht: 5 Lizenzen" in text

    anna.user("Erzähl mir mehr", "product_details")  # no product now: the catalogue
    assert (await anna.run("action_product_details")).texts == listing.texts

    english = await linked(server, ctx, Role.MEMBER, "acme", "rasa-tom")
    english.slots["language"] = "en"
    english.user("Details of E7", "product_details", {"product": "E7"})
    reply = await english.run("action_product_details")
    assert reply.texts == [
        "I could not find “E7” in our catalogue. Did you mean: Microsoft 365 E3, "
        "Microsoft 365 E5, Office 365 E1?"
    ]
    english.user("which products?", "list_products")
    reply = await english.run("action_list_products")
    assert reply.texts[0].startswith("Products · prices for ACME GmbH")
