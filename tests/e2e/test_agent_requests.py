"""Licence requests the service desk prepares for a customer (R23): a new product, a quantity
change or an add-on at the customer's prices, sent to the customer's admins, who tick the
consents themselves (R5, R17) and confirm, or decline with a reason the agent sees."""

from __future__ import annotations

from decimal import Decimal

from bot.emulator import EmulatedUser, SentMessage
from domain.licence_requests import RequestStatus
from domain.model import Role, Status
from domain.services import accounts, licence_requests, orders
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order, press, say, screen
from tests.e2e.test_agent import agent_of


async def prepare(bot: Bot, agent: EmulatedUser, kind: str, customer: str = "acme") -> SentMessage:
    """/customer → "Prepare a request" → the kind: the next choice."""
    await say(bot, agent, f"/customer {customer}")
    await press(bot, agent, "Anfrage vorbereiten")
    return await press(bot, agent, kind)


async def test_a_new_product_is_summed_up_at_the_customers_price(bot: Bot) -> None:  # R2, R3
    await accounts.set_price(bot.core, OPERATOR, "acme", "M365-E5", Decimal("50.00"))
    agent = await agent_of(bot)
    products = await prepare(bot, agent, "Neues Produkt")
    assert "Microsoft 365 E5: 50,00\xa0€" in products.plain_text
    await press(bot, agent, "Microsoft 365 E5")
    refused = await say(bot, agent, "0")
    assert "Die Menge muss eine ganze Zahl zwischen 1 und" in refused.plain_text
    summary = await say(bot, agent, "10")
    for line in (
        "Anfrage für ACME GmbH",
        "Microsoft 365 E5\nMenge: 10 Nutzer",
        "Preis pro Nutzer: 50,00\xa0€ netto / Monat",
        "Monatlich gesamt: 500,00\xa0€ netto",
        "Startdatum: 01.11.2026",
        "Ohne ihre Zustimmung wird nichts bestellt.",
    ):
        assert line in summary.plain_text
    assert summary.buttons() == ["An die Administratoren senden", "‹ Zurück", "Hauptmenü"]
    sent = await licence_requests.list_requests(bot.core, OPERATOR, "acme")
    assert sent == []  # nothing sent yet


async def test_a_quantity_change_and_an_add_on_are_checked_like_the_writes(
    bot: Bot,
) -> None:  # R11, R12, R14, R17
    admin = await bot.linked_user(8601)
    await order(bot, admin, "Microsoft 365 E3", "5")
    agent = await agent_of(bot)
    none = await prepare(bot, agent, "Add-On")
    assert "ACME GmbH hat noch kein bereitgestelltes Abonnement" in none.plain_text  # R14

    await prepare(bot, agent, "Menge ändern")
    await press(bot, agent, "Nr. 1 · Microsoft 365 E3")
    same = await say(bot, agent, "5")
    assert "bereits 5 Lizenzen. Bitte geben Sie eine andere Gesamtanzahl ein." in (
        same.plain_text  # R12: an unchanged total is refused
    )
    assert "An die Administratoren senden" not in same.buttons()
    change = await press(bot, agent, "6")
    assert "Menge: 5 → 6 Nutzer" in change.plain_text
    assert "Monatlich gesamt: 233,85\xa0€ → 280,62\xa0€ netto" in change.plain_text

    await bot.provision(1)
    await prepare(bot, agent, "Add-On")
    await press(bot, agent, "Nr. 1 · Microsoft 365 E3")
    addon = await press(bot, agent, "Microsoft 365 Copilot")
    assert "Add-On Microsoft 365 Copilot für Microsoft 365 E3\nMenge: 5 Nutzer" in addon.plain_text
    too_many = await say(bot, agent, "9")  # R17: not more than the product's users
    assert "Menge: 5 Nutzer" in too_many.plain_text
    fewer = await say(bot, agent, "3")
    assert "Menge: 3 Nutzer" in fewer.plain_text


async def test_an_agent_prepared_order_is_accepted_with_the_admins_consents(
    bot: Bot,
) -> None:  # R5, R23
    admin = await bot.linked_user(8602, first_name="Anna")
    agent = await agent_of(bot)
    await prepare(bot, agent, "Neues Produkt")
    await press(bot, agent, "Microsoft 365 E5")
    summary = await say(bot, agent, "4")
    send = summary.button("An die Administratoren senden")["callback_data"]
    sent = await press(bot, agent, "An die Administratoren senden")
    assert "Anfrage Nr. 1 (Microsoft 365 E5, 4 Nutzer) ist an die Administratoren von ACME" in (
        sent.plain_text
    )
    card = admin.last_message()
    # The same button again (a double tap, an old message): one request and one card, said so.
    await agent.press_data(summary.message_id, send)
    await bot.settle()
    assert "Diese Anfrage ist bereits als Nr. 1 gesendet." in screen(agent).plain_text
    assert len(await licence_requests.list_requests(bot.core, OPERATOR, "acme")) == 1
    assert admin.last_message() is card

    assert "vom Service Desk vorbereitet" in card.plain_text
    assert "Microsoft 365 E5" in card.plain_text and "284,16" in card.plain_text
    await press(bot, admin, "Genehmigen", card)
    refused = await press(bot, admin, "Bestellen")
    assert "☐" in refused.plain_text  # R5: nothing ordered without both consents
    assert (await orders.list_orders(bot.core, OPERATOR, "acme")).subscriptions == ()
    await press(bot, admin, "☐ AGB akzeptieren")
    await press(bot, admin, "☐ Microsoft-Konto")
    placed = await press(bot, admin, "Bestellen")
    assert "Bestellung Nr. 1" in placed.plain_text

    subs = (await orders.list_orders(bot.core, OPERATOR, "acme")).subscriptions
    assert [(s.product_sku, s.quantity, s.status) for s in subs] == [("M365-E5", 4, Status.ORDERED)]
    (request,) = await licence_requests.list_requests(bot.core, OPERATOR, "acme")
    assert request.status is RequestStatus.APPROVED and request.decided_by_name == "Anna"
    shown = await say(bot, agent, "/customer acme")
    listing = await press(bot, agent, "Anfragen", shown)
    assert "Nr. 1 · ✅ genehmigt · Microsoft 365 E5, 4 Nutzer · von Bernd Desk" in (
        listing.plain_text
    )


async def test_an_agent_prepared_request_is_declined_with_a_reason_the_agent_sees(
    bot: Bot,
) -> None:  # R23
    admin = await bot.linked_user(8603, first_name="Anna")
    await bot.linked_user(8604, role=Role.MEMBER)
    agent = await agent_of(bot)
    await prepare(bot, agent, "Neues Produkt")
    await press(bot, agent, "Microsoft 365 E5")
    await press(bot, agent, "5")
    await press(bot, agent, "An die Administratoren senden")

    await press(bot, admin, "Ablehnen", admin.last_message())
    await say(bot, admin, "Budget erst im Januar")
    (request,) = await licence_requests.list_requests(bot.core, OPERATOR, "acme")
    assert request.status is RequestStatus.DECLINED
    assert (await orders.list_orders(bot.core, OPERATOR, "acme")).subscriptions == ()

    shown = await say(bot, agent, "/customer acme")
    listing = await press(bot, agent, "Anfragen", shown)
    assert "❌ abgelehnt" in listing.plain_text
    assert "Grund: Budget erst im Januar" in listing.plain_text
    assert screen(agent) is listing


async def test_an_admin_who_blocked_the_bot_finds_the_prepared_request_later(
    bot: Bot,
) -> None:  # R23: the agent is told where the request waits, in words that fit an agent
    anna = await bot.linked_user(8605, first_name="Anna")
    ben = await bot.linked_user(8606, first_name="Ben")
    ben.block()
    agent = await agent_of(bot)
    await prepare(bot, agent, "Neues Produkt")
    await press(bot, agent, "Microsoft 365 E5")
    await press(bot, agent, "5")
    sent = await press(bot, agent, "An die Administratoren senden")
    assert "Anfrage Nr. 1 (Microsoft 365 E5, 5 Nutzer) ist an die Administratoren" in (
        sent.plain_text
    )
    assert agent.last_message().plain_text == (
        "Ein Administrator von ACME GmbH ist im Chat nicht erreichbar (er erhält keine "
        "Nachrichten vom Bot). Anfrage Nr. 1 wartet unter den Anfragen des Kunden; der "
        "Administrator findet sie dort unter /requests."
    )
    assert "Einer Ihrer Administratoren" not in agent.last_message().plain_text
    assert anna.last_message().plain_text.startswith("📨 Anfrage Nr. 1")  # the other admin has it
    listing = await press(bot, agent, "Anfragen", sent)
    assert "Nr. 1 · ⏳ offen · Microsoft 365 E5, 5 Nutzer" in listing.plain_text
