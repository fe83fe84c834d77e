"""An add-on changed or cancelled on its own (R17, R19), from its entry on the subscription
card, from the refusal of a lower product quantity (R12) and from typed text; de and en."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from domain.model import Role
from domain.services import orders
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order, press, say, screen, texts

E3 = "Nr. 1 · Microsoft 365 E3"


async def with_copilot(bot: Bot, user: EmulatedUser, de: bool = True) -> None:
    """E3 for 10 users, provisioned, with Copilot for all 10."""
    await order(bot, user, "Microsoft 365 E3", "10", de=de)
    await bot.provision(1)
    await say(bot, user, "/orders")
    await press(bot, user, E3 if de else "No. 1 · Microsoft 365 E3")
    await press(bot, user, "Add-On buchen" if de else "Book add-on")
    await press(bot, user, "Microsoft 365 Copilot")
    await press(bot, user, "☐ AGB akzeptieren" if de else "☐ Accept terms")
    await press(bot, user, "Add-On buchen" if de else "Book add-on")


async def test_lowering_below_the_add_on_offers_to_change_it_then_cancel_it(bot: Bot) -> None:
    admin = await bot.linked_user(7101)
    await with_copilot(bot, admin)
    card = await say(bot, admin, "/orders")
    card = await press(bot, admin, E3)
    assert "Microsoft 365 Copilot ändern" in card.buttons()  # the add-on's entry

    # R12: the refusal names the add-on and offers the way on.
    await press(bot, admin, "Menge ändern")
    refused = await say(bot, admin, "5")
    assert "Reduzieren oder kündigen Sie zuerst das Add-On" in refused.plain_text
    entry = await press(bot, admin, "Microsoft 365 Copilot ändern", refused)
    assert entry.plain_text.startswith("Add-On Microsoft 365 Copilot für Microsoft 365 E3")
    assert "Menge: 10 Nutzer" in entry.plain_text
    assert entry.buttons()[:2] == ["Menge ändern", "Add-On kündigen"]

    # R17: a new total for the add-on, at most the base quantity, summary old → new.
    ask = await press(bot, admin, "Menge ändern")
    assert "Aktuell 10 Nutzer, höchstens 10" in ask.plain_text
    refused = await say(bot, admin, "11")
    assert "höchstens 10" in refused.plain_text
    summary = await say(bot, admin, "4")
    confirm = summary.button("Add-On ändern")["callback_data"]
    assert "Menge: 10 → 4 Nutzer" in summary.plain_text
    assert "Monatlich gesamt: 309,10\u00a0€ → 123,64\u00a0€ netto" in summary.plain_text
    assert "4 × 30,91" not in "\n".join(texts(admin))  # nothing changed before the press
    done = await press(bot, admin, "Add-On ändern")
    assert (
        "✅ Die Menge des Add-Ons Microsoft 365 Copilot ist jetzt 4 (vorher 10)." in done.plain_text
    )
    assert "+ Microsoft 365 Copilot: 4 × 30,91\u00a0€ = 123,64\u00a0€" in done.plain_text
    await admin.press_data(summary.message_id, confirm)  # pressed again: nothing twice (R9)
    await bot.settle()
    async with bot.core.uow(write=False) as uow:
        history = await uow.records.history(1)
    assert [(h["from_quantity"], h["to_quantity"]) for h in history if h["addon_booking_id"]] == [
        (10, 4)
    ]

    # Now the product can go down to the add-on's 4.
    await press(bot, admin, "Menge ändern", done)
    lowered = await say(bot, admin, "5")
    assert "Menge: 10 → 5 Nutzer" in lowered.plain_text

    # R17, R19: the add-on cancelled on its own to the month end; the product runs on.
    card = await press(bot, admin, "‹ Zurück")
    entry = await press(bot, admin, "Microsoft 365 Copilot ändern", card)
    ask = await press(bot, admin, "Add-On kündigen")
    assert (
        "Damit kündigen Sie das Add-On für 4 Nutzer zum 30.11.2026. "
        "Microsoft 365 E3 läuft weiter." in ask.plain_text
    )
    cancelled = await press(bot, admin, "Ja, Add-On kündigen")
    assert (
        "✅ Die Kündigung des Add-Ons Microsoft 365 Copilot ist eingegangen. Enddatum: 30.11.2026."
        in cancelled.plain_text
    )
    assert "Status: ✅ bereitgestellt" in cancelled.plain_text
    assert "Microsoft 365 Copilot ändern" not in cancelled.buttons()  # nothing left to change
    status = await say(bot, admin, "/status")
    assert "   + Microsoft 365 Copilot: 4 · gekündigt" in status.plain_text.splitlines()


async def test_typed_text_cancels_an_add_on_not_the_product(bot: Bot) -> None:
    admin = await bot.linked_user(7102)
    await with_copilot(bot, admin)
    ask = await say(bot, admin, "Copilot kündigen")
    assert "Microsoft 365 Copilot kündigen?" in ask.plain_text
    assert "Damit kündigen Sie das Add-On für 10 Nutzer zum 30.11.2026." in ask.plain_text
    assert screen(admin).buttons()[0] == "Ja, Add-On kündigen"


async def test_an_add_on_is_changed_and_cancelled_in_english(bot: Bot) -> None:
    admin = await bot.linked_user(7103, language="en", first_name="John")
    await with_copilot(bot, admin, de=False)
    await say(bot, admin, "/orders")
    card = await press(bot, admin, "No. 1 · Microsoft 365 E3")
    entry = await press(bot, admin, "Change Microsoft 365 Copilot", card)
    assert entry.buttons()[:2] == ["Change quantity", "Cancel add-on"]
    await press(bot, admin, "Change quantity")
    summary = await say(bot, admin, "3")
    assert "Quantity: 10 → 3 users" in summary.plain_text
    done = await press(bot, admin, "Change add-on")
    assert "✅ The quantity of the add-on Microsoft 365 Copilot is now 3 (was 10)." in (
        done.plain_text
    )
    entry = await press(bot, admin, "Change Microsoft 365 Copilot", done)
    ask = await press(bot, admin, "Cancel add-on")
    assert "This cancels the add-on for 3 users as of 30 Nov 2026." in ask.plain_text
    cancelled = await press(bot, admin, "Yes, cancel add-on")
    assert "✅ The cancellation of the add-on Microsoft 365 Copilot has been received. " in (
        cancelled.plain_text
    )


async def test_a_member_sees_the_add_on_without_buttons_to_change_it(bot: Bot) -> None:  # R23
    admin = await bot.linked_user(7104)
    await with_copilot(bot, admin)
    member = await bot.linked_user(7105, role=Role.MEMBER, first_name="Mia")
    await say(bot, member, "/orders")
    card = await press(bot, member, E3)
    entry = await press(bot, member, "Microsoft 365 Copilot ändern", card)
    assert "Menge: 10 Nutzer" in entry.plain_text
    assert entry.buttons() == ["‹ Zurück", "Hauptmenü"]
    await member.press_data(entry.message_id, "az:1")  # a forged confirmation: refused (R24)
    await bot.settle()
    assert (await orders.order_status(bot.core, OPERATOR, 1)).addons[0].status.value == "ordered"
