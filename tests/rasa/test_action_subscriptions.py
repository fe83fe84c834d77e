"""The whole way through the action server: link, order, change, add-on, cancel (R5-R24)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from actions.conversation import Texts
from domain import errors
from domain.commands import ChangeQuantity, PlaceOrder
from domain.model import Actor, Role
from domain.services import orders, subscriptions, understanding
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.views import SubscriptionView
from tests.conftest import Seed, link
from tests.rasa.action_server import (
    QUIET,
    ActionServer,
    Dialogue,
    linked,
    serve,
    stop_serving,
)

pytestmark = QUIET
DE = Texts("de")
NBSP = "\xa0"


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


async def order(dialogue: Dialogue, sku: str, quantity: int) -> None:
    """Through order_form: product and quantity in one sentence, then both consents."""
    dialogue.user(
        f"Ich möchte {quantity} {sku} bestellen",
        "order_product",
        entities={"product": sku, "quantity": str(quantity)},
        sets={"product": sku, "quantity": str(quantity)},
    )
    await dialogue.activate("order_form")
    await dialogue.answer("ja", "affirm", {"terms_accepted": True})
    await dialogue.answer("ja", "affirm", {"account_consent": True})
    assert dialogue.active_loop is None
    reply = await dialogue.run("action_place_order")
    assert "ist eingegangen" in reply.text, reply.texts


async def test_link_order_change_provision_addon_cancel(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:
    dialogue = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")

    # order: "5 E3", then the summary with the consents
    dialogue.user(
        "Ich möchte fünf E3 bestellen",
        "order_product",
        entities={"product": "M365-E3", "quantity": "fünf"},
        sets={"product": "M365-E3", "quantity": "fünf"},
    )
    reply = await dialogue.activate("order_form")
    assert reply.slots() == {"product": "M365-E3", "quantity": 5}
    assert dialogue.requested_slot == "terms_accepted"
    question = await dialogue.run("action_ask_terms_accepted")
    assert "Menge: 5 Nutzer\nPreis pro Nutzer: 46,77\xa0€" in question.text
    assert "Monatlich gesamt: 233,85\xa0€ netto\nStartdatum: 01.11.2026" in question.text
    await dialogue.answer("ja", "affirm", {"terms_accepted": True})
    assert dialogue.requested_slot == "account_consent"
    await dialogue.run("action_ask_account_consent")
    await dialogue.answer("ja", "affirm", {"account_consent": True})
    assert dialogue.active_loop is None
    placed = await dialogue.run("action_place_order")
    (sub,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert placed.texts == [
        f"✅ Bestellung Nr. {sub.id} ist eingegangen: 5 × Microsoft 365 E3, monatlich "
        "233,85\xa0€ netto, Startdatum 01.11.2026.\nWir stellen die Lizenzen bereit und melden "
        "uns hier, sobald sie bereitstehen."
    ]
    assert placed.slots() == dict.fromkeys(
        ("product", "quantity", "terms_accepted", "account_consent")
    )

    # change: "5 weitere E3" is a new total of 10 (R11)
    dialogue.user(
        "5 weitere E3",
        "change_quantity",
        entities={"product": "M365-E3", "quantity": "5"},
        sets={"subscription": "M365-E3", "quantity": "5"},
    )
    reply = await dialogue.activate("change_quantity_form")
    assert reply.slots() == {
        "subscription": str(sub.id),
        "subscription_version": sub.version,
        "quantity": 10,
        "confirm_change": None,
        "requested_slot": "confirm_change",
    }
    question = await dialogue.run("action_ask_confirm_change")  # R11: the summary first
    assert question.texts == [
        "Microsoft 365 E3\nMenge: 5 → 10 Nutzer\nPreis pro Nutzer: 46,77\xa0€ netto / Monat\n"
        "Monatlich gesamt: 233,85\xa0€ → 467,70\xa0€ netto",
        DE("rasa.ask.confirm_change"),
    ]
    assert (await orders.order_status(ctx, seed.acme_admin, sub.id)).quantity == 5
    await dialogue.answer("ja", "affirm")
    assert dialogue.active_loop is None
    changed = await dialogue.run("action_change_quantity")
    assert changed.texts == [
        "✅ Die Menge von Microsoft 365 E3 ist jetzt 10 (vorher 5). Monatlich: 467,70\xa0€ netto."
    ]

    # the service desk provisions (R14), then an add-on is asked for step by step
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    dialogue.user(
        "Copilot buchen", "book_addon", entities={"addon": "COPILOT"}, sets={"addon": "COPILOT"}
    )
    reply = await dialogue.activate("addon_form")
    assert reply.slots()["addon"] == "COPILOT"
    assert dialogue.requested_slot == "subscription"
    question = await dialogue.run("action_ask_subscription")
    assert f"Nr. {sub.id}: Microsoft 365 E3 (10 Lizenzen" in question.text
    await dialogue.answer("E3", "inform", {"subscription": "E3"})
    assert dialogue.slots["subscription"] == str(sub.id)
    question = await dialogue.run("action_ask_quantity")
    assert "Microsoft 365 Copilot für Microsoft 365 E3" in question.text
    assert "Höchstens 10" in question.text
    await dialogue.answer("acht", "inform", {"quantity": "acht"})
    assert dialogue.slots["quantity"] == 8
    assert dialogue.requested_slot == "terms_accepted"  # R17: the add-on's terms
    question = await dialogue.run("action_ask_terms_accepted")
    assert "Add-On Microsoft 365 Copilot für Microsoft 365 E3\nMenge: 8 Nutzer" in question.text
    reply = await dialogue.answer("ja", "affirm")  # Rasa maps "ja" for order_form only
    assert reply.slots()["terms_accepted"] is True
    assert dialogue.active_loop is None
    booked = await dialogue.run("action_book_addon")
    assert booked.texts[0].startswith("✅ Add-On Microsoft 365 Copilot ist gebucht: 8 Nutzer")

    # cancel with the explicit confirmation (R18-R20)
    dialogue.user(
        "E3 kündigen",
        "cancel_product",
        entities={"product": "M365-E3"},
        sets={"product": "M365-E3", "subscription": "M365-E3"},
    )
    await dialogue.activate("cancel_form")
    question = await dialogue.run("action_ask_confirm_cancel")
    assert question.texts == [  # Telegram's question as plain text, then yes or no (R18-R20)
        "Microsoft 365 E3 kündigen?\nDamit kündigen Sie alle 10 Lizenzen und das Add-On "
        "Microsoft 365 Copilot zum 30.11.2026. Bis dahin laufen sie weiter; bis zum Enddatum "
        "können Sie die Kündigung zurücknehmen.",
        "Soll ich so kündigen? Bitte antworten Sie mit Ja oder Nein.",
    ]
    await dialogue.answer("ja", "affirm", {"confirm_cancel": True})
    cancelled = await dialogue.run("action_cancel_subscription")
    assert cancelled.texts == [
        "Die Kündigung von Microsoft 365 E3 ist eingegangen. Enddatum: 30.11.2026."
    ]

    # what `licencebot orders --customer acme --json` prints
    overview = await orders.list_orders(ctx, seed.acme_admin, "acme")
    (result,) = [s.as_json() for s in overview.subscriptions]
    addon: dict[str, Any] = result.pop("addons")[0]
    assert result == {
        "id": sub.id,
        "product_sku": "M365-E3",
        "product_name": "Microsoft 365 E3",
        "quantity": 10,
        "status": "cancelled",
        "provisioned_on": "2026-11-24",
        "start_date": "2026-11-01",
        "end_date": "2026-11-30",
        "unit_price": "46.77",
        "monthly_total": "467.70",
        "scheduled_quantity": None,  # issue 21: cancelling drops a scheduled reduction
        "scheduled_for": None,
    }
    assert {k: v for k, v in addon.items() if k != "id"} == {
        "sku": "COPILOT",
        "name": "Microsoft 365 Copilot",
        "quantity": 8,
        "status": "cancelled",
        "start_date": "2026-11-01",
        "end_date": "2026-11-30",
        "unit_price": "30.91",
        "monthly_total": "247.28",
    }


@pytest.fixture
async def anna(server: ActionServer, ctx: Context) -> Dialogue:
    return await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")


async def place(ctx: Context, seed: Seed, customer: str, sku: str, quantity: int) -> int:
    actor = seed.acme_admin if customer == "acme" else seed.globex_admin
    placed = await orders.place_order(ctx, actor, PlaceOrder(customer, sku, quantity, True, True))
    return placed.subscription.id


async def test_another_customers_subscription_is_refused_like_an_unknown_one(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:  # R24
    theirs = await place(ctx, seed, "globex", "M365-E5", 7)
    answers = []
    for form in ("change_quantity_form", "addon_form", "cancel_form"):
        for typed in (str(theirs), "99999", f"Nr. {theirs}", theirs):
            anna.user(str(typed), "inform", sets={"subscription": typed})
            reply = await anna.activate(form)
            assert reply.slot("subscription") is None
            answers.append(reply.texts)
            anna.events.append({"event": "active_loop", "timestamp": 1.0, "name": None})
            anna.active_loop = None
    assert all(texts == [DE("errors.subscription_not_found")] for texts in answers)

    anna.user("E5", "inform", sets={"subscription": "M365-E5"})  # theirs, not ours
    reply = await anna.activate("cancel_form")
    assert reply.texts == [DE("free_text.not_booked", name="Microsoft 365 E5")]
    question = await anna.run("action_ask_subscription")
    assert question.texts == [DE("rasa.ask.no_subscriptions")]


async def test_orders_and_status_show_the_customers_subscriptions(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await place(ctx, seed, "globex", "M365-E5", 7)
    anna.user("Meine Bestellungen", "show_orders")
    assert (await anna.run("action_show_orders")).texts == [
        "Meine Bestellungen · ACME GmbH\n\n" + DE("orders.empty")
    ]
    e3 = await place(ctx, seed, "acme", "M365-E3", 18)
    await subscriptions.mark_provisioned(ctx, OPERATOR, e3)
    await place(ctx, seed, "acme", "O365-E1", 2)

    shown = (await anna.run("action_show_orders")).text
    assert shown.startswith(f"Meine Bestellungen · ACME GmbH\n\nMicrosoft 365 E3 (Nr. {e3})\n")
    assert "Menge: 18 · Status: ✅ bereitgestellt" in shown
    assert "Bereitstellung: 24.11.2026 · Start: 01.11.2026 · Ende: –" in shown
    assert shown.endswith(f"Monatlich gesamt: 861,30{NBSP}€ netto")
    assert "Globex" not in shown and "E5" not in shown

    anna.user("Wie viele E3 haben wir?", "order_status", {"product": "M365-E3"})
    reply = await anna.run("action_order_status")
    assert reply.texts == ["Sie haben 18 Lizenzen Microsoft 365 E3 (Status: ✅ bereitgestellt)."]
    anna.user("Und E5?", "order_status", {"product": "M365-E5"})
    reply = await anna.run("action_order_status")
    assert reply.texts == [DE("free_text.have_none", name="Microsoft 365 E5")]
    anna.user("Status", "order_status")
    reply = await anna.run("action_order_status")
    assert reply.texts == [
        "Status · ACME GmbH\n"
        "• Microsoft 365 E3: 18 · ✅ bereitgestellt\n"
        "• Office 365 E1: 2 · ⏳ bestellt, wird bereitgestellt\n"
        f"Monatlich gesamt: 861,30{NBSP}€ netto"
    ]


async def test_a_change_is_checked_by_the_domain_and_not_applied_twice(
    server: ActionServer, anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    e3 = await place(ctx, seed, "acme", "M365-E3", 18)
    anna.user("Menge ändern", "change_quantity")
    await anna.activate("change_quantity_form")
    assert anna.requested_slot == "subscription"
    question = await anna.run("action_ask_subscription")
    assert question.texts == [
        "Bei welcher Bestellung möchten Sie die Menge ändern? Bitte nennen Sie das Produkt oder "
        f"die Nummer:\n• Nr. {e3}: Microsoft 365 E3 (18 Lizenzen, ⏳ bestellt, wird bereitgestellt)"
    ]
    await anna.answer(f"Nr. {e3}", "inform", {"subscription": f"Nr. {e3}"})
    question = await anna.run("action_ask_quantity")
    assert question.texts[0].startswith("Microsoft 365 E3: Aktuell sind 18 Lizenzen gebucht.")
    for typed, expected in (
        ("18", DE("errors.quantity_unchanged", quantity=18)),
        ("zwei Dutzend", DE("order.not_a_number")),
        ("0", DE("errors.invalid_quantity", minimum=1, maximum=100_000)),
    ):
        reply = await anna.answer(typed, "inform", {"quantity": typed})
        assert reply.texts == [expected], typed
    reply = await anna.answer("2 weniger", "change_quantity", {"quantity": "2"})
    assert reply.slot("quantity") == 16
    assert anna.requested_slot == "confirm_change"
    await anna.answer("ja", "affirm")

    call = anna.body("action_change_quantity")
    done, again = await server.post(call), await server.post(call)
    assert done.texts == [
        "✅ Die Menge von Microsoft 365 E3 ist jetzt 16 (vorher 18). "
        f"Monatlich: 748,32{NBSP}€ netto."
    ]
    assert again.texts == [DE("rasa.change_already", name="Microsoft 365 E3", quantity=16)]
    assert again.slots() == {
        "subscription": None,
        "quantity": None,
        "confirm_change": None,
        "addon": None,
        "subscription_version": None,
    }


async def test_addon_refusals_name_the_reason(anna: Dialogue, ctx: Context, seed: Seed) -> None:
    e1 = await place(ctx, seed, "acme", "O365-E1", 4)
    anna.user("Copilot für E1", "book_addon", {"addon": "COPILOT"}, {"addon": "COPILOT"})
    anna.slots["subscription"] = None
    anna.user("E1", "inform", sets={"subscription": "O365-E1", "addon": "COPILOT"})
    reply = await anna.activate("addon_form")
    assert reply.texts == [DE("errors.addon_requires_provisioned", product_name="Office 365 E1")]
    assert reply.slots()["subscription"] is None

    await subscriptions.mark_provisioned(ctx, OPERATOR, e1)
    await anna.answer("E1", "inform", {"subscription": "E1"})
    question = await anna.run("action_ask_quantity")
    assert question.texts[0].startswith("Microsoft 365 Copilot für Office 365 E1")
    reply = await anna.answer("5", "inform", {"quantity": "5"})
    assert reply.texts == [DE("errors.addon_exceeds_base", base_quantity=4)]
    reply = await anna.answer("Intune", "inform", {"addon": "Intune Suite", "quantity": 2})
    assert reply.texts == [
        DE("errors.addon_not_offered", addon_sku="INTUNE-SUITE", product_name="Office 365 E1")
    ]
    reply = await anna.answer("Frobnicator", "inform", {"addon": "Frobnicator"})
    assert reply.texts[0].startswith("Das Add-On „Frobnicator“ habe ich nicht gefunden.")
    question = await anna.run("action_ask_addon")
    assert question.texts[0].startswith(
        "Welches Add-On möchten Sie für Office 365 E1 buchen? Im Angebot"
    )
    assert f"• Microsoft 365 Copilot: 30,91{NBSP}€" in question.text
    reply = await anna.answer("Copilot", "inform", {"addon": "Copilot", "quantity": 4})
    assert reply.slots() == {"addon": "COPILOT", "quantity": 4, "requested_slot": "terms_accepted"}
    reply = await anna.answer("nein", "deny")  # no consent: the booking is left (issue 17)
    assert reply.texts == [DE("rasa.form_left")]
    assert anna.active_loop is None
    assert (await anna.run("action_book_addon")).texts == [DE("rasa.nothing_done")]


async def test_a_cancellation_needs_an_explicit_yes(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    await place(ctx, seed, "acme", "M365-E3", 3)
    anna.user("E3 kündigen", "cancel_product", sets={"subscription": "M365-E3"})
    await anna.activate("cancel_form")
    # a guess of the classifier is no confirmation, however confident (issue 17)
    reply = await anna.answer("xyz", "affirm", {"confirm_cancel": True}, confidence=0.99)
    assert reply.texts == [DE("rasa.answer_yes_no")]
    assert reply.slot("confirm_cancel") is None
    reply = await anna.answer("ja", "affirm", {"confirm_cancel": True}, confidence=0.77)
    assert reply.texts == [DE("rasa.answer_yes_no")]
    assert anna.requested_slot == "confirm_cancel"
    reply = await anna.answer("nein", "deny", {"confirm_cancel": False})
    assert reply.texts == [DE("rasa.form_left")]
    assert anna.active_loop is None
    reply = await anna.run("action_cancel_subscription")
    assert reply.texts == [DE("rasa.nothing_done")]
    anna.slots.update(subscription="M365-E3", subscription_version=1, confirm_cancel=False)
    reply = await anna.run("action_cancel_subscription")
    assert reply.texts == [DE("rasa.cancel_not_confirmed")]
    (sub,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert sub.status.value == "ordered"


@pytest.fixture
async def other_admin(ctx: Context, seed: Seed) -> Actor:
    """A second administrator of ACME, on Telegram."""
    return await link(ctx, Role.ADMIN, "acme", "telegram-ben")


async def test_a_change_made_while_the_form_was_open_is_not_overwritten(
    anna: Dialogue, ctx: Context, seed: Seed, other_admin: Actor
) -> None:  # R13
    e3 = await place(ctx, seed, "acme", "M365-E3", 18)
    anna.user("E3 auf 20", "change_quantity", sets={"subscription": "M365-E3", "quantity": "20"})
    reply = await anna.activate("change_quantity_form")
    assert reply.slots() == {
        "subscription": str(e3),
        "subscription_version": 1,
        "quantity": 20,
        "confirm_change": None,
        "requested_slot": "confirm_change",
    }
    await anna.answer("ja", "affirm")

    await subscriptions.change_quantity(ctx, other_admin, ChangeQuantity(e3, 25))
    reply = await anna.run("action_change_quantity")

    assert reply.texts == [DE.refusal(errors.VersionConflict(e3, 25, 2))]
    assert (await orders.order_status(ctx, seed.acme_admin, e3)).quantity == 25
    assert reply.slots() == {
        "subscription": None,
        "quantity": None,
        "confirm_change": None,
        "addon": None,
        "subscription_version": None,
    }


async def test_a_cancellation_confirmed_on_an_old_state_is_not_applied(
    anna: Dialogue, ctx: Context, seed: Seed, other_admin: Actor
) -> None:  # R13, R20
    e3 = await place(ctx, seed, "acme", "M365-E3", 18)
    anna.user("E3 kündigen", "cancel_product", sets={"subscription": "M365-E3"})
    await anna.activate("cancel_form")
    question = await anna.run("action_ask_confirm_cancel")
    assert "alle 18 Lizenzen" in question.text
    await anna.answer("ja", "affirm", {"confirm_cancel": True})

    await subscriptions.change_quantity(ctx, other_admin, ChangeQuantity(e3, 30))
    reply = await anna.run("action_cancel_subscription")

    assert reply.texts == [DE.refusal(errors.VersionConflict(e3, 30, 2))]
    stored = await orders.order_status(ctx, seed.acme_admin, e3)
    assert (stored.quantity, stored.status.value, stored.end_date) == (30, "ordered", None)


async def test_a_form_notices_a_change_made_since_it_chose_the_subscription(
    anna: Dialogue, ctx: Context, seed: Seed, other_admin: Actor
) -> None:  # R13
    e3 = await place(ctx, seed, "acme", "M365-E3", 18)
    anna.user("Menge von E3 ändern", "change_quantity", sets={"subscription": "M365-E3"})
    await anna.activate("change_quantity_form")
    assert anna.slots["subscription_version"] == 1
    await subscriptions.change_quantity(ctx, other_admin, ChangeQuantity(e3, 25))

    reply = await anna.answer("20", "inform", {"quantity": "20"})
    assert reply.texts == [DE.refusal(errors.VersionConflict(e3, 25, 2))]
    assert anna.requested_slot == "subscription"  # asked again, then seen at its new version
    await anna.answer("E3", "inform", {"subscription": "E3"})
    assert anna.slots["subscription_version"] == 2
    await anna.answer("20", "inform", {"quantity": "20"})
    await anna.answer("ja", "affirm")
    changed = await anna.run("action_change_quantity")
    assert changed.texts[0].startswith("✅ Die Menge von Microsoft 365 E3 ist jetzt 20 (vorher 25)")


async def provisioned(ctx: Context, seed: Seed, sku: str, quantity: int) -> SubscriptionView:
    number = await place(ctx, seed, "acme", sku, quantity)
    return await subscriptions.mark_provisioned(ctx, OPERATOR, number)


async def test_an_add_on_is_booked_by_its_name_for_a_product_named_by_its_name(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:  # R15, R17
    standard = await provisioned(ctx, seed, "M365-BUSINESS-STANDARD", 10)
    anna.slots.update(
        {
            "subscription": "Business Standard",
            "subscription_version": standard.version,
            "addon": "Exchange Online Archiving",
            "quantity": 4,
            "terms_accepted": True,
        }
    )
    reply = await anna.run("action_book_addon")

    (addon,) = (await orders.order_status(ctx, seed.acme_admin, standard.id)).addons
    assert (addon.sku, addon.quantity) == ("EXO-ARCHIVE", 4)
    assert reply.texts == [
        DE("addons.done", name=addon.name, quantity=4, total=DE.money(addon.monthly_total))
    ]


async def test_an_unknown_add_on_is_called_unknown(
    anna: Dialogue, ctx: Context, seed: Seed
) -> None:
    standard = await provisioned(ctx, seed, "M365-BUSINESS-STANDARD", 10)
    anna.slots.update(
        {
            "subscription": str(standard.id),
            "subscription_version": standard.version,
            "addon": "Exchange Archiv Plus",
            "quantity": 4,
            "terms_accepted": True,
        }
    )
    reply = await anna.run("action_book_addon")

    close = (await understanding.catalogue_names(ctx)).close_addons("Exchange Archiv Plus")
    assert close[0] == "Exchange Online Archiving"
    assert reply.texts == [
        DE("rasa.unknown_addon", value="Exchange Archiv Plus", suggestions=", ".join(close))
    ]
    assert (await orders.order_status(ctx, seed.acme_admin, standard.id)).addons == ()
    assert reply.slots()["addon"] is None


@pytest.mark.parametrize("terms", [False, None, "nein"])
async def test_the_domain_refuses_an_add_on_without_the_terms(
    anna: Dialogue, ctx: Context, seed: Seed, terms: object
) -> None:  # R17
    standard = await provisioned(ctx, seed, "M365-BUSINESS-STANDARD", 10)
    anna.slots.update(
        {
            "subscription": str(standard.id),
            "subscription_version": standard.version,
            "addon": "EXO-ARCHIVE",
            "quantity": 4,
            "terms_accepted": terms,
        }
    )
    reply = await anna.run("action_book_addon")

    assert reply.texts == [DE("rasa.addon_terms_missing")]
    assert (await orders.order_status(ctx, seed.acme_admin, standard.id)).addons == ()
