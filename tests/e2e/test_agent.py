"""The service desk agent in the chat (R23, R24): `/customer` search, the customer card with
its orders, tickets and requests, marking provisioned, and refusals of everybody else."""

from __future__ import annotations

import re

from bot.emulator import EmulatedUser
from bot.notifier import deliver_once
from domain.commands import AddCustomer
from domain.licence_requests import RequestKind
from domain.model import Channel, Role, Status
from domain.services import accounts, licence_requests, orders
from domain.services.accounts import OPERATOR
from domain.services.licence_requests import AskRequest
from tests.e2e.harness import Bot, order, press, say, screen


async def agent_of(bot: Bot, user_id: int = 950, language: str = "de") -> EmulatedUser:
    agent = bot.emu.user(user_id, first_name="Bernd", last_name="Desk", language_code=language)
    await say(bot, agent, f"/start {await bot.invite(Role.AGENT, None)}")
    return agent


async def two_muellers(bot: Bot) -> None:
    for customer_id, name in (
        ("mueller-bau", "Müller Bau GmbH"),
        ("mueller-log", "Müller Logistik KG"),
    ):
        await accounts.add_customer(bot.core, OPERATOR, AddCustomer(customer_id, name))


def draft_of(data: str) -> int:
    """The draft number a button's data names (`gc:<draft>`, `go:<draft>` …)."""
    found = re.match(r"^[a-z]+:(\d+)", data)
    assert found is not None, data
    return int(found[1])


async def test_an_agent_finds_a_customer_by_id_by_a_misspelt_name_and_among_several(
    bot: Bot,
) -> None:  # R23
    await two_muellers(bot)
    agent = await agent_of(bot)
    assert screen(agent).buttons()[0] == "Kunde suchen"  # the agent's own menu
    scope = {"type": "chat", "chat_id": agent.id}
    listed = {c["command"]: c["description"] for c in bot.emu.commands(scope, "de")}
    assert listed["customer"] == "Kunde suchen (Service Desk)" and "orders" in listed
    assert "customer" in {c["command"] for c in bot.emu.commands(scope, "en")}
    assert "customer" not in {c["command"] for c in bot.emu.commands(None, "de")}  # interfaces.md

    by_id = await say(bot, agent, "/customer acme")
    assert by_id.plain_text.startswith("ACME GmbH · Kundennummer acme")
    assert by_id.buttons()[:4] == ["Bestellungen", "Tickets", "Anfragen", "Anfrage vorbereiten"]

    typo = await say(bot, agent, "/customer Acne")
    assert typo.plain_text.startswith("ACME GmbH · Kundennummer acme")
    assert (
        "Globex AG · Kundennummer globex" in (await say(bot, agent, "/customer Globx")).plain_text
    )

    several = await say(bot, agent, "/customer Muller")
    assert "2 Kunden passen zu „Muller“. Welchen meinen Sie?" in several.plain_text
    assert several.buttons()[:2] == [
        "Müller Bau GmbH (mueller-bau)",
        "Müller Logistik KG (mueller-log)",
    ]
    chosen = await press(bot, agent, "Müller Logistik KG (mueller-log)")
    assert chosen.plain_text.startswith("Müller Logistik KG · Kundennummer mueller-log")
    assert "0 laufende Abonnements" in chosen.plain_text


async def test_no_match_says_what_to_try_and_the_next_typed_text_searches_again(
    bot: Bot,
) -> None:  # R23
    agent = await agent_of(bot)
    none = await say(bot, agent, "/customer Xyzzy")
    assert "Kein Kunde passt zu „Xyzzy“" in none.plain_text
    assert "Kundennummer" in none.plain_text
    again = await say(bot, agent, "globex")
    assert again.plain_text.startswith("Globex AG · Kundennummer globex")

    typed = await say(bot, agent, "Globex")  # an agent's typed text names a customer
    assert typed.plain_text.startswith("Globex AG · Kundennummer globex")

    asked = await say(bot, agent, "/customer")
    assert "Welchen Kunden suchen Sie?" in asked.plain_text
    assert (await say(bot, agent, "ACME GmbH")).plain_text.startswith("ACME GmbH ·")


async def test_the_search_reads_in_english(bot: Bot) -> None:
    agent = await agent_of(bot, 951, language="en")
    assert screen(agent).buttons()[0] == "Find customer"
    card = await say(bot, agent, "/customer acme")
    assert card.plain_text.startswith("ACME GmbH · customer number acme")
    assert "0 running subscriptions" in card.plain_text
    none = await say(bot, agent, "/customer Xyzzy")
    assert "No customer matches “Xyzzy”" in none.plain_text


async def test_the_agent_sees_orders_tickets_and_requests_and_marks_provisioned(
    bot: Bot,
) -> None:  # R10, R23, R26
    admin = await bot.linked_user(8501, first_name="Anna")
    await bot.linked_user(8502, role=Role.MEMBER, first_name="Mia")
    await order(bot, admin, "Microsoft 365 E3", "5")
    await say(bot, admin, "/support")
    await say(bot, admin, "Bitte Rechnung per Post")
    mia = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8502")
    await licence_requests.ask(
        bot.core, mia, AskRequest("acme", RequestKind.ORDER, "M365-E5", 2), "Mia Muster"
    )
    agent = await agent_of(bot)

    card = await say(bot, agent, "/customer acme")
    for line in (
        "1 laufendes Abonnement",
        "⏳ 1 wartet auf Bereitstellung",
        "Monatlich gesamt: 233,85\xa0€ netto",
        "1 offenes Ticket",
        "1 Anfrage wartet auf die Administratoren",
    ):
        assert line in card.plain_text

    shown = await press(bot, agent, "Tickets")
    assert "Tickets · ACME GmbH" in shown.plain_text
    assert "• Nr. 1 · ⏳ offen · Bitte Rechnung per Post" in shown.plain_text
    await press(bot, agent, "‹ Zurück")
    shown = await press(bot, agent, "Anfragen")
    assert "Nr. 1 · ⏳ offen · Microsoft 365 E5, 2 Nutzer · von Mia Muster" in shown.plain_text
    await press(bot, agent, "‹ Zurück")

    listing = await press(bot, agent, "Bestellungen")
    assert "Bestellungen · ACME GmbH" in listing.plain_text
    assert "Microsoft 365 E3" in listing.plain_text
    entry = await press(bot, agent, "Nr. 1 · Microsoft 365 E3")
    old_button = entry.button("Als bereitgestellt markieren")["callback_data"]
    done = await press(bot, agent, "Als bereitgestellt markieren")
    assert "Bestellung Nr. 1 ist als bereitgestellt markiert. ACME GmbH wird im Chat" in (
        done.plain_text
    )
    assert "Als bereitgestellt markieren" not in done.buttons()
    view = await orders.order_status(bot.core, OPERATOR, 1)
    assert view.status is Status.PROVISIONED

    assert bot.application is not None
    # the admin who ordered; the member, who asked for nothing, is not told
    assert await deliver_once(bot.application, bot.core, "de") == 1
    await bot.settle()
    assert "Microsoft 365 E3 ist bereitgestellt: 5 Lizenzen (Bestellung Nr. 1)" in (
        admin.last_message().plain_text
    )

    # The old button pressed again: said plainly, nothing provisioned or notified twice.
    toast = await pressed(bot, agent, entry.message_id, old_button)
    said = "Die Bestellung ist bereits seit dem 24.11.2026 bereitgestellt."
    assert toast == said
    assert said in screen(agent).plain_text
    assert await deliver_once(bot.application, bot.core, "de") == 0


async def test_customers_and_strangers_cannot_use_customer(bot: Bot) -> None:  # R23, R24
    admin = await bot.linked_user(8503)
    member = await bot.linked_user(8504, role=Role.MEMBER)
    stranger = bot.emu.user(8505, first_name="Eve")
    for user in (admin, member):
        refused = await say(bot, user, "/customer globex")
        assert "können Sie das nicht selbst tun" in refused.plain_text
        assert "Globex" not in refused.plain_text
    unknown = await say(bot, stranger, "/customer globex")
    assert "Einladungslink" in unknown.plain_text
    assert "Globex" not in unknown.plain_text


async def test_forged_buttons_reveal_no_customer(bot: Bot) -> None:  # R24
    admin = await bot.linked_user(8506)
    await order(bot, admin, "Microsoft 365 E3", "5")  # subscription 1 of ACME
    agent = await agent_of(bot)
    globex_card = await say(bot, agent, "/customer globex")
    card = draft_of(globex_card.button("Bestellungen")["callback_data"])

    # ACME's subscription through Globex's card: out of date, nothing shown or provisioned.
    for data in (f"gs:{card}:1", f"gp:{card}:1"):
        assert "nicht mehr aktuell" in await pressed(bot, agent, globex_card.message_id, data)
        assert "Microsoft 365 E3" not in screen(agent).plain_text
    assert (await orders.order_status(bot.core, OPERATOR, 1)).status is Status.ORDERED

    # A card that does not exist, and the agent's card pressed in a customer's chat.
    assert "nicht mehr aktuell" in await pressed(bot, agent, globex_card.message_id, "gc:999999")
    menu = screen(admin)
    assert "nicht mehr aktuell" in await pressed(bot, admin, menu.message_id, f"gc:{card}")
    assert "Globex" not in "\n".join(m.plain_text for m in admin.messages())


async def pressed(bot: Bot, user: EmulatedUser, message_id: int, data: str) -> str:
    """Press forged data on a message; the toast the bot answered with."""
    update = await user.press_data(message_id, data)
    await bot.settle()
    return bot.emu.callback_answers[update["callback_query"]["id"]].text or ""
