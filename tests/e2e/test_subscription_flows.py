"""My orders, change quantity, add-ons, cancel and withdraw, status (R10-R20), de and en."""

from __future__ import annotations

from bot.notifier import deliver_once
from domain.model import Role
from tests.e2e.harness import Bot, order, press, say, screen, texts


async def test_my_orders_change_add_on_cancel_and_withdraw_in_german(bot: Bot) -> None:
    user = await bot.linked_user(2001)
    await order(bot, user, "Microsoft 365 Business Standard", "18")

    orders = await say(bot, user, "/orders")
    assert orders.plain_text.splitlines()[:5] == [
        "Meine Bestellungen · ACME GmbH",
        "",
        "Microsoft 365 Business Standard (Nr. 1)",
        "Menge: 18 · Status: ⏳ bestellt, wird bereitgestellt",
        "Bereitstellung: – · Start: 01.11.2026 · Ende: –",
    ]
    assert "Monatlich gesamt: 250,56\u00a0€ netto" in orders.plain_text

    view = await press(bot, user, "Nr. 1 · Microsoft 365 Business Standard")
    assert view.buttons()[:3] == ["Menge ändern", "Add-On buchen", "Kündigen"]
    # R14: add-ons wait for provisioning, and the bot says why.
    wait = await press(bot, user, "Add-On buchen")
    assert (
        "Add-Ons können Sie buchen, sobald Microsoft 365 Business Standard bereitgestellt ist."
        in wait.plain_text
    )

    # R11: change to a new total, summary old → new, confirm.
    await say(bot, user, "/orders")
    await press(bot, user, "Nr. 1 · Microsoft 365 Business Standard")
    ask = await press(bot, user, "Menge ändern")
    assert "Aktuell gebucht: 18 Lizenzen." in ask.plain_text
    summary = await say(bot, user, "40")
    assert "Menge: 18 → 40 Nutzer" in summary.plain_text
    assert "Monatlich gesamt: 250,56\u00a0€ → 556,80\u00a0€ netto" in summary.plain_text
    done = await press(bot, user, "Bestellung ändern")
    assert (
        "✅ Die Menge von Microsoft 365 Business Standard ist jetzt 40 (vorher 18)."
        in done.plain_text
    )

    # Provisioned by the service desk; then an add-on with the base quantity as default.
    await bot.provision(1)
    await say(bot, user, "/orders")
    await press(bot, user, "Nr. 1 · Microsoft 365 Business Standard")
    addons = await press(bot, user, "Add-On buchen")
    assert "• Microsoft 365 Copilot: 30,91\u00a0€" in addons.plain_text
    assert "Mein Add-On fehlt" in addons.buttons()
    summary = await press(bot, user, "Microsoft 365 Copilot")
    assert "Menge: 40 Nutzer" in summary.plain_text
    summary = await say(bot, user, "41")
    assert "höchstens 40" in summary.plain_text  # R17
    summary = await say(bot, user, "10")
    assert "Monatlich gesamt: 309,10\u00a0€ netto" in summary.plain_text
    await user.press(screen(user), "Add-On buchen")
    await bot.settle()
    assert "AGB und Lizenzbedingungen" in (list(bot.emu.callback_answers.values())[-1].text or "")
    await press(bot, user, "☐ AGB akzeptieren")
    booked = await press(bot, user, "Add-On buchen")
    assert "✅ Add-On Microsoft 365 Copilot ist gebucht: 10 Nutzer" in booked.plain_text
    assert "+ Microsoft 365 Copilot: 10 × 30,91\u00a0€ = 309,10\u00a0€" in booked.plain_text

    # R12: not below the add-on's quantity.
    await press(bot, user, "Menge ändern")
    refused = await say(bot, user, "9")
    assert "Das Add-On Microsoft 365 Copilot ist für 10 Nutzer gebucht." in refused.plain_text

    # R18-R20: cancel names product, quantity, add-ons and end date; then withdraw.
    await say(bot, user, "/orders")
    await press(bot, user, "Nr. 1 · Microsoft 365 Business Standard")
    ask = await press(bot, user, "Kündigen")
    assert (
        "Damit kündigen Sie alle 40 Lizenzen und das Add-On Microsoft 365 Copilot zum 30.11.2026."
        in ask.plain_text
    )
    cancelled = await press(bot, user, "Ja, kündigen")
    assert "Enddatum: 30.11.2026" in cancelled.plain_text
    assert "Status: gekündigt" in cancelled.plain_text
    assert cancelled.buttons()[0] == "Kündigung zurücknehmen"
    back = await press(bot, user, "Kündigung zurücknehmen")
    assert (
        "✅ Die Kündigung von Microsoft 365 Business Standard ist zurückgenommen" in back.plain_text
    )
    assert "Status: ✅ bereitgestellt" in back.plain_text

    status = await say(bot, user, "/status")
    assert status.plain_text.splitlines() == [
        "Status · ACME GmbH",
        "• Microsoft 365 Business Standard: 40 · ✅ bereitgestellt",
        "   + Microsoft 365 Copilot: 10 · ⏳ bestellt, wird bereitgestellt",
        "Monatlich gesamt: 865,90\u00a0€ netto",
    ]


async def test_the_whole_flow_reads_in_english(bot: Bot) -> None:
    user = await bot.linked_user(2002, language="en", first_name="John")
    assert "Welcome, John! You are now signed in for ACME GmbH as administrator." in texts(user)
    menu = screen(user)
    assert menu.buttons()[:2] == ["Products", "My orders"]
    await order(bot, user, "Microsoft 365 E3", "3", de=False)
    done = screen(user)
    assert done.plain_text.startswith("✅ Order no. 1 has been received: 3 × Microsoft 365 E3")
    assert "€140.31 net per month, start date 1 Nov 2026" in done.plain_text
    orders = await say(bot, user, "/orders")
    assert "Quantity: 3 · Status: ⏳ ordered, being provisioned" in orders.plain_text
    assert "Monthly total: €140.31 net" in orders.plain_text
    await press(bot, user, "No. 1 · Microsoft 365 E3")
    ask = await press(bot, user, "Cancel")
    assert "This cancels the 3 licences as of 30 Nov 2026." in ask.plain_text
    cancelled = await press(bot, user, "Yes, cancel")
    assert "End date: 30 Nov 2026." in cancelled.plain_text


async def test_the_language_choice_is_stored(bot: Bot) -> None:
    user = await bot.linked_user(2003, language="de")
    await say(bot, user, "/language")
    menu = await press(bot, user, "English")
    assert menu.plain_text.startswith("Main menu · ACME GmbH")
    helped = (await say(bot, user, "/help")).plain_text
    assert helped.startswith("Help")
    assert "/tickets /requests" in helped and "What we store about you: /privacy." in helped
    await bot.restart()
    assert (await say(bot, user, "/menu")).plain_text.startswith("Main menu")


async def test_the_bot_registers_its_commands_in_german_and_english(bot: Bot) -> None:
    german = bot.emu.commands(language_code="de")
    english = bot.emu.commands(language_code="en")
    names = [
        "start",
        "menu",
        "products",
        "orders",
        "status",
        "support",
        "tickets",
        "requests",
        "language",
        "help",
        "privacy",
        "forget_me",
        "cancel",
        "costs",  # issue 21
        "settings",
    ]  # interfaces.md
    assert [c["command"] for c in german] == names
    assert [c["command"] for c in english] == names
    assert german[12]["description"] == "Aktuellen Schritt verlassen"
    assert english[12]["description"] == "Leave the current step"
    assert bot.emu.commands() == german  # German is the default


async def test_change_add_on_withdraw_and_status_read_in_english(bot: Bot) -> None:
    user = await bot.linked_user(2004, language="en", first_name="John")
    await order(bot, user, "Microsoft 365 Business Standard", "18", de=False)
    await say(bot, user, "/orders")
    await press(bot, user, "No. 1 · Microsoft 365 Business Standard")
    ask = await press(bot, user, "Change quantity")
    assert "Currently booked: 18 licences." in ask.plain_text
    summary = await say(bot, user, "40")
    assert "Quantity: 18 → 40 users" in summary.plain_text
    assert "Monthly total: €250.56 → €556.80 net" in summary.plain_text
    done = await press(bot, user, "Change order")
    assert (
        "✅ The quantity of Microsoft 365 Business Standard is now 40 (was 18)." in done.plain_text
    )
    wait = await press(bot, user, "Book add-on")
    assert "You can book add-ons as soon as Microsoft 365 Business Standard is provisioned." in (
        wait.plain_text
    )
    await bot.provision(1)
    await say(bot, user, "/orders")
    await press(bot, user, "No. 1 · Microsoft 365 Business Standard")
    addons = await press(bot, user, "Book add-on")
    assert "• Microsoft 365 Copilot: €30.91" in addons.plain_text
    summary = await press(bot, user, "Microsoft 365 Copilot")
    assert "Quantity: 40 users" in summary.plain_text
    assert "Start date: 1 Nov 2026" in summary.plain_text
    await press(bot, user, "☐ Accept terms")
    booked = await press(bot, user, "Book add-on")
    assert "✅ Add-on Microsoft 365 Copilot is booked: 40 users, €1,236.40 net per month." in (
        booked.plain_text
    )
    await press(bot, user, "Cancel")
    cancelled = await press(bot, user, "Yes, cancel")
    assert "Status: cancelled" in cancelled.plain_text
    back = await press(bot, user, "Withdraw cancellation")
    assert "✅ The cancellation of Microsoft 365 Business Standard has been withdrawn" in (
        back.plain_text
    )
    status = await say(bot, user, "/status")
    assert status.plain_text.splitlines() == [
        "Status · ACME GmbH",
        "• Microsoft 365 Business Standard: 40 · ✅ provisioned",
        "   + Microsoft 365 Copilot: 40 · ⏳ ordered, being provisioned",
        "Monthly total: €1,793.20 net",
    ]


async def test_provisioning_is_announced_in_the_chat_once(bot: Bot) -> None:
    admin = await bot.linked_user(2010)
    english = await bot.linked_user(2011, role=Role.ADMIN, language="en", first_name="Max")
    stranger = await bot.linked_user(2012, customer="globex", first_name="Gus")
    await order(bot, admin, "Microsoft 365 E3", "7")
    await bot.provision(1)
    assert bot.application is not None
    for _ in range(2):  # a second round finds nothing left: each notice goes out once
        await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    german = [t for t in texts(admin) if "bereitgestellt:" in t]
    assert german == [
        "✅ Microsoft 365 E3 ist bereitgestellt: 7 Lizenzen (Bestellung Nr. 1), "
        "Bereitstellungsdatum 24.11.2026. Add-Ons können Sie jetzt unter „Meine Bestellungen“ "
        "buchen."
    ]
    assert any("Microsoft 365 E3 is provisioned: 7 licences" in t for t in texts(english))
    assert not any("Microsoft 365 E3" in t for t in texts(stranger))  # R24
