"""Products → details → order, as a customer admin sees it in the chat (R1-R9)."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.storage import tables
from tests.e2e.harness import Bot, order, order_summary, press, say, screen, texts
from tests.storage import read


async def count_subscriptions(bot: Bot) -> int:
    async with read(bot.core.db) as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(tables.subscriptions)) or 0
        )


async def test_an_admin_links_orders_and_sees_the_confirmation_in_german(bot: Bot) -> None:
    user = await bot.linked_user(1001)
    assert "Willkommen, Anna! Sie sind jetzt für ACME GmbH als Administrator angemeldet." in texts(
        user
    )
    menu = screen(user)
    assert menu.plain_text.startswith("Hauptmenü · ACME GmbH")
    assert menu.buttons() == [
        "Produkte",
        "Meine Bestellungen",
        "Status",
        "Service Desk",
        "💶 Kosten",  # admins only (issue 21)
        "⚙️ Einstellungen",
        "Hilfe",
        "Sprache / Language",
    ]

    products = await press(bot, user, "Produkte")
    assert products.message_id == menu.message_id  # edited in place
    assert "• Microsoft 365 Business Standard: 13,92\u00a0€" in products.plain_text
    details = await press(bot, user, "Microsoft 365 Business Standard")
    assert "Preis pro Nutzer: 13,92\u00a0€ netto / Monat" in details.plain_text
    assert "Microsoft 365 Copilot" in details.plain_text
    ask = await press(bot, user, "Bestellen")
    assert "Wie viele Lizenzen möchten Sie bestellen?" in ask.plain_text
    assert ask.buttons()[:4] == ["1", "5", "10", "25"]

    summary = await say(bot, user, "18")
    assert summary.plain_text.splitlines()[:5] == [
        "Microsoft 365 Business Standard",
        "Menge: 18 Nutzer",
        "Preis pro Nutzer: 13,92\u00a0€ netto / Monat",
        "Monatlich gesamt: 250,56\u00a0€ netto",
        "Startdatum: 01.11.2026",
    ]
    assert "☐ AGB und Lizenzbedingungen akzeptiert" in summary.plain_text

    # R5: without both consents nothing is ordered, and the alert says which is missing.
    await user.press(summary, "Bestellen")
    await bot.settle()
    alert = list(bot.emu.callback_answers.values())[-1]
    assert alert.show_alert
    assert alert.text is not None
    assert "AGB und Lizenzbedingungen" in alert.text
    assert "Anlage eines Microsoft-Kontos" in alert.text
    assert await count_subscriptions(bot) == 0

    summary = await press(bot, user, "☐ AGB akzeptieren")
    assert "☑ AGB und Lizenzbedingungen akzeptiert" in summary.plain_text
    summary = await press(bot, user, "☐ Microsoft-Konto")
    assert "☑ Anlage eines Microsoft-Kontos zugestimmt" in summary.plain_text
    done = await press(bot, user, "Bestellen")
    assert done.plain_text.startswith(
        "✅ Bestellung Nr. 1 ist eingegangen: 18 × Microsoft 365 Business Standard"
    )
    assert "monatlich 250,56\u00a0€ netto, Startdatum 01.11.2026" in done.plain_text
    assert await count_subscriptions(bot) == 1


async def test_a_double_tap_on_order_creates_one_order(bot: Bot) -> None:  # R9
    user = await bot.linked_user(1002)
    card = await order_summary(bot, user, "Microsoft 365 E3", "5")
    data = card.button("Bestellen")["callback_data"]
    await user.press_data(card.message_id, data)
    await user.press_data(card.message_id, data)
    await bot.settle()
    assert await count_subscriptions(bot) == 1
    assert "Nr. 1" in screen(user).plain_text


async def test_a_redelivered_update_is_processed_once(bot: Bot) -> None:  # R9, design 3
    user = await bot.linked_user(1003)
    card = await order_summary(bot, user, "Microsoft 365 E3", "5")
    update = await user.press(card, "Bestellen")
    await bot.settle()
    sent_before = len(bot.emu.calls)
    bot.emu.redeliver(update["update_id"])
    await bot.settle()
    assert await count_subscriptions(bot) == 1
    assert [c.method for c in bot.emu.calls[sent_before:]] == ["getUpdates"] * (
        len(bot.emu.calls) - sent_before
    )


async def test_a_quantity_in_words_is_read_like_digits(bot: Bot) -> None:  # R4
    # The same reading as the Rasa forms (domain/nlu/numbers.typed_quantity).
    user = await bot.linked_user(1014)
    await press(bot, user, "Produkte")
    await press(bot, user, "Microsoft 365 Business Basic")
    await press(bot, user, "Bestellen")
    assert "Menge: 15 Nutzer" in (await say(bot, user, "fünfzehn")).plain_text


async def test_letters_zero_negative_and_huge_quantities_get_a_reason(bot: Bot) -> None:  # R4
    user = await bot.linked_user(1004)
    await press(bot, user, "Produkte")
    await press(bot, user, "Microsoft 365 Business Basic")
    await press(bot, user, "Bestellen")
    assert "ganze Zahl" in (await say(bot, user, "viele")).plain_text
    for bad in ("0", "-5", "1000000000000", "301"):
        reply = await say(bot, user, bad)
        assert "Die Menge muss eine ganze Zahl zwischen 1 und 300 sein." in reply.plain_text
    assert await count_subscriptions(bot) == 0
    summary = await say(bot, user, "300")
    assert "Menge: 300 Nutzer" in summary.plain_text


async def test_a_booked_product_offers_change_quantity_instead(bot: Bot) -> None:  # R6
    user = await bot.linked_user(1005)
    await order(bot, user, "Microsoft 365 E3", "10")
    await say(bot, user, "/products")
    details = await press(bot, user, "Microsoft 365 E3")
    assert "Sie haben dieses Produkt bereits gebucht: 10 Lizenzen" in details.plain_text
    assert "Menge ändern" in details.buttons()
    assert "Bestellen" not in details.buttons()


async def test_the_draft_survives_a_restart(bot: Bot) -> None:  # design decision 1
    user = await bot.linked_user(1006)
    await press(bot, user, "Produkte")
    await press(bot, user, "Microsoft 365 E5")
    await press(bot, user, "Bestellen")
    await bot.restart()
    summary = await say(bot, user, "3")
    assert "Menge: 3 Nutzer" in summary.plain_text
    await press(bot, user, "☐ AGB akzeptieren")
    await press(bot, user, "☐ Microsoft-Konto")
    done = await press(bot, user, "Bestellen")
    assert "✅ Bestellung Nr. 1" in done.plain_text
