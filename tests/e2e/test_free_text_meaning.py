"""Issue 18 (findings 2, 5, 7) through the emulator: free text never does the opposite of what
it says, a question about costs opens no change, a clarification keeps what was understood,
and a number or a request typed at a question is handled there."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.model import Role
from domain.storage import tables
from tests.e2e.harness import Bot, order, order_summary, press, say, screen, texts
from tests.e2e.test_free_text import subscriptions
from tests.storage import read

COMPLAINT = (
    "Ich bin wirklich verärgert. Seit zwei Wochen warten wir auf die Bereitstellung, niemand "
    "meldet sich, und die Rechnung kam trotzdem pünktlich. So geht das nicht weiter, ich "
    "erwarte eine Erklärung."
)


async def drafts(bot: Bot) -> int:
    async with read(bot.core.db) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(tables.drafts)) or 0)


async def _cancelled(bot: Bot, user_id: int, product: str, sentence: str, de: bool = True):  # type: ignore[no-untyped-def]
    user = await bot.linked_user(user_id, language="de" if de else "en")
    await order(bot, user, product, "3", de=de)
    await say(bot, user, sentence)
    await press(bot, user, "Ja, kündigen" if de else "Yes, cancel")
    return user


async def test_taking_back_a_cancellation_by_text_offers_the_withdrawal(bot: Bot) -> None:  # R20
    user = await _cancelled(bot, 1801, "Office 365 E1", "kündige Office 365 E1")
    assert await subscriptions(bot) == [("O365-E1", 3, "cancelled")]
    card = await say(bot, user, "Kündigung von E1 zurücknehmen")
    assert "kündigen?" not in card.plain_text  # finding 2: never the cancellation again
    assert "Office 365 E1" in card.plain_text
    assert "Kündigung zurücknehmen" in card.buttons()
    assert await subscriptions(bot) == [("O365-E1", 3, "cancelled")]  # only the press writes
    await press(bot, user, "Kündigung zurücknehmen", message=card)
    assert await subscriptions(bot) == [("O365-E1", 3, "ordered")]


async def test_withdraw_the_cancellation_in_english(bot: Bot) -> None:  # R20
    user = await _cancelled(
        bot, 1802, "Microsoft Teams Essentials", "cancel teams essentials", de=False
    )
    assert await subscriptions(bot) == [("TEAMS-ESSENTIALS", 3, "cancelled")]
    card = await say(bot, user, "withdraw the cancellation for teams essentials")
    assert "Withdraw cancellation" in card.buttons()
    await press(bot, user, "Withdraw cancellation", message=card)
    assert await subscriptions(bot) == [("TEAMS-ESSENTIALS", 3, "ordered")]


async def test_taking_back_what_is_not_cancelled_says_so(bot: Bot) -> None:
    user = await bot.linked_user(1803)
    await order(bot, user, "Microsoft 365 Business Basic", "2")
    reply = await say(bot, user, "Kündigung von Business Basic zurücknehmen")
    assert "nicht gekündigt" in " ".join(texts(user)[-2:])
    assert "Kündigung zurücknehmen" not in reply.buttons()
    assert await subscriptions(bot) == [("M365-BUSINESS-BASIC", 2, "ordered")]


async def test_a_question_about_costs_shows_the_totals_and_opens_no_change(bot: Bot) -> None:
    user = await bot.linked_user(1804)
    await order(bot, user, "Microsoft 365 Business Premium", "4")
    before = await drafts(bot)
    for question in ("Was zahlen wir monatlich insgesamt?", "wie viele Lizenzen sind ungenutzt"):
        answer = await say(bot, user, question)
        assert "Kosten – ACME GmbH" in answer.plain_text, question
        assert "Microsoft 365 Business Premium" in answer.plain_text
        assert "Menge" not in answer.plain_text  # finding 7: no quantity change
        assert await drafts(bot) == before
    assert await subscriptions(bot) == [("M365-BUSINESS-PREMIUM", 4, "ordered")]


async def test_a_problem_and_a_complaint_are_offered_the_service_desk(bot: Bot) -> None:  # R26
    user = await bot.linked_user(1805)
    for message in ("Wir haben ein Problem mit Outlook und brauchen Hilfe", COMPLAINT):
        reply = await say(bot, user, message)
        assert "Service Desk" in reply.plain_text, message
        assert "Hilfe zum Bot" not in reply.plain_text


async def test_a_question_that_is_not_ours_offers_the_service_desk_and_the_menu(bot: Bot) -> None:
    user = await bot.linked_user(1806)
    reply = await say(bot, user, "Wie wird das Wetter morgen?")
    assert reply.plain_text.startswith("Dabei kann ich leider nicht helfen")
    assert reply.buttons()[0] == "Service Desk"
    assert "Hauptmenü" in reply.buttons()


async def test_gibberish_says_it_did_not_understand_and_shows_the_menu(bot: Bot) -> None:
    user = await bot.linked_user(1807)
    await say(bot, user, "asdfgh")
    assert "nicht sicher verstanden" in texts(user)[-2]
    assert screen(user).plain_text.startswith("Hauptmenü")
    assert "Meinten Sie …?" not in texts(user)[-2:]  # finding 7: no [Verabschiedung]


async def test_an_order_sentence_keeps_product_and_quantity_through_a_clarification(
    bot: Bot,
) -> None:  # finding 5
    user = await bot.linked_user(1808)
    reply = await say(bot, user, "3 Exchange Online Plan 1 bitte")
    if reply.plain_text == "Meinten Sie …?":
        reply = await press(bot, user, "Lizenzen bestellen", message=reply)
    assert "Exchange Online (Plan 1)" in reply.plain_text
    assert "Menge: 3 Nutzer" in reply.plain_text


async def test_a_number_typed_at_the_consents_is_the_new_quantity(bot: Bot) -> None:
    user = await bot.linked_user(1809)
    await order_summary(bot, user, "Microsoft 365 Business Basic", "5")
    summary = await say(bot, user, "'7")  # finding 5: the draft was lost
    assert "Menge: 7 Nutzer" in summary.plain_text
    assert "☑ AGB und Lizenzbedingungen akzeptiert" in summary.plain_text
    await press(bot, user, "Bestellen", message=summary)
    assert await subscriptions(bot) == [("M365-BUSINESS-BASIC", 7, "ordered")]


async def test_a_request_typed_at_the_quantity_question_is_understood(bot: Bot) -> None:
    user = await bot.linked_user(1810)
    await order(bot, user, "Office 365 E1", "2")
    listing = await say(bot, user, "/products")
    await press(bot, user, "Microsoft 365 Business Basic", message=listing)
    question = await press(bot, user, "Bestellen")
    assert "Menge" in question.plain_text or "Wie viele" in question.plain_text
    reply = await say(bot, user, "kündige office 365 E1")
    assert "Office 365 E1 kündigen?" in reply.plain_text  # finding 5
    assert "ganze Zahl" not in reply.plain_text
    assert await subscriptions(bot) == [("O365-E1", 2, "ordered")]


async def test_a_member_is_told_that_only_an_admin_takes_a_cancellation_back(bot: Bot) -> None:
    # R20, R23: there is no request kind for a withdrawal, so no button a member would press
    # only to be refused; the admin's card has it.
    admin = await _cancelled(bot, 1804, "Office 365 E1", "kündige Office 365 E1")
    member = await bot.linked_user(1805, role=Role.MEMBER)
    card = await say(bot, member, "Kündigung von E1 zurücknehmen")
    assert "Office 365 E1" in card.plain_text
    assert "Eine Kündigung zurücknehmen kann nur ein Administrator" in card.plain_text
    assert "Kündigung zurücknehmen" not in card.buttons()
    assert await subscriptions(bot) == [("O365-E1", 3, "cancelled")]
    own = await say(bot, admin, "Kündigung von E1 zurücknehmen")
    assert "Kündigung zurücknehmen" in own.buttons()
    assert "nur ein Administrator" not in own.plain_text
