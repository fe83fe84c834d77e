"""Issue #10 through the emulator: the bot asks instead of guessing, and "ja" orders nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.storage import tables
from tests.e2e.harness import Bot, order, press, say, screen, texts
from tests.e2e.test_free_text import subscriptions
from tests.storage import read


async def drafts(bot: Bot) -> int:
    async with read(bot.core.db) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(tables.drafts)) or 0)


async def test_an_ambiguous_product_is_asked_about_and_the_choice_continues(bot: Bot) -> None:
    user = await bot.linked_user(7101)
    ask = await say(bot, user, "bestelle 5 E3")
    assert ask.plain_text == "Welches meinen Sie?"
    assert ask.buttons()[:2] == ["Microsoft 365 E3", "Office 365 E3"]
    assert await drafts(bot) == 0
    summary = await press(bot, user, "Office 365 E3", message=ask)
    assert "Office 365 E3" in summary.plain_text
    assert "Menge: 5 Nutzer" in summary.plain_text
    assert await subscriptions(bot) == []


async def test_an_uncertain_sentence_gets_did_you_mean_buttons_that_work(bot: Bot) -> None:
    user = await bot.linked_user(7102)
    ask = await say(bot, user, "Lizenzen")
    assert ask.plain_text == "Meinten Sie …?"
    assert "Meine Bestellungen" in ask.buttons()
    assert ask.buttons()[-1] == "Etwas anderes"
    listing = await press(bot, user, "Produkte und Preise ansehen", message=ask)
    assert "Microsoft 365 Business Basic" in listing.buttons()
    other = await say(bot, user, "Lizenzen")
    help_screen = await press(bot, user, "Etwas anderes", message=other)
    assert "Service Desk" in " ".join(help_screen.buttons())


async def test_drop_two_e5_seats_opens_the_change_from_40_to_38(bot: Bot) -> None:  # R11
    user = await bot.linked_user(7103)
    await order(bot, user, "Microsoft 365 E5", "40")
    summary = await say(bot, user, "drop two E5 seats")
    assert "Menge: 40 → 38 Nutzer" in summary.plain_text
    assert await subscriptions(bot) == [("M365-E5", 40, "ordered")]


async def test_a_bare_yes_at_the_main_menu_orders_nothing(bot: Bot) -> None:
    user = await bot.linked_user(7104)
    await say(bot, user, "ja")
    assert screen(user).plain_text.startswith("Hauptmenü")
    assert await drafts(bot) == 0
    assert await subscriptions(bot) == []


async def test_cancelling_a_product_not_booked_says_so_and_offers_the_booked_ones(
    bot: Bot,
) -> None:  # R20
    user = await bot.linked_user(7105)
    await order(bot, user, "Microsoft Teams Essentials", "4")
    await say(bot, user, "kündigen Sie bitte Business Premium")
    shown = texts(user)[-2:]
    assert shown[0] == "Microsoft 365 Business Premium haben Sie derzeit nicht gebucht."
    assert any("Microsoft Teams Essentials" in label for label in screen(user).buttons())
    assert "kündigen?" not in "\n".join(shown)
    assert await subscriptions(bot) == [("TEAMS-ESSENTIALS", 4, "ordered")]
