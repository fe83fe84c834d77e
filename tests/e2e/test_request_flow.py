"""Members ask, admins decide, in the chat (R23): the request card, approving with the
consents, declining with a reason, the first decision winning, and the refusals (R24)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.emulator import EmulatedUser
from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.licence_requests import RequestStatus
from domain.model import Channel
from domain.model import Role as R
from domain.services import accounts, licence_requests, orders
from domain.services.accounts import OPERATOR
from domain.storage import tables
from tests.conftest import PgSchema
from tests.e2e.harness import Bot, order, press, running_bot, say, screen, texts
from tests.storage import read

E3 = "Microsoft 365 E3"


def alert(bot: Bot) -> str:
    answer = list(bot.emu.callback_answers.values())[-1]
    assert answer.show_alert
    return answer.text or ""


async def subscriptions(bot: Bot) -> list[tuple[str, int]]:
    overview = await orders.list_orders(bot.core, OPERATOR, "acme")
    return [(s.product_sku, s.quantity) for s in overview.subscriptions]


async def status_of(bot: Bot, request_id: int) -> RequestStatus:
    listed = await licence_requests.list_requests(bot.core, OPERATOR)
    [found] = [r for r in listed if r.id == request_id]
    return found.status


async def member_orders(bot: Bot, member: EmulatedUser, product: str, quantity: str) -> str:
    """Products → product → Order → quantity: the member's summary; then Send request."""
    await say(bot, member, "/products")
    await press(bot, member, product)
    await press(bot, member, "Bestellen")
    summary = await say(bot, member, quantity)
    assert summary.buttons() == ["Anfrage senden", "‹ Zurück", "Hauptmenü"]  # no consents
    shown = summary.plain_text  # the message is edited in place next
    sent = await press(bot, member, "Anfrage senden")
    return f"{shown}\n---\n{sent.plain_text}"


async def test_a_members_order_is_ordered_when_an_admin_approves_with_the_consents(
    bot: Bot,
) -> None:  # R23, R5
    anna = await bot.linked_user(8501, first_name="Anna")
    ben = await bot.linked_user(8502, language="en", first_name="Ben")
    mia = await bot.linked_user(8503, role=R.MEMBER, first_name="Mia")
    shown = await member_orders(bot, mia, E3, "12")
    assert "Menge: 12 Nutzer" in shown and "Monatlich gesamt: 561,24\xa0€ netto" in shown
    assert "senden Sie dies als Anfrage an die Administratoren" in shown
    assert "📨 Anfrage Nr. 1 ist bei Ihren Admins." in shown
    assert await subscriptions(bot) == []  # nothing ordered before an admin approves

    card = screen(anna)  # every admin gets the card, in their language
    assert card.plain_text.startswith("📨 Anfrage Nr. 1 von Mia")
    assert "Menge: 12 Nutzer" in card.plain_text and "561,24\xa0€" in card.plain_text
    assert card.buttons() == ["Genehmigen", "Ablehnen"]
    assert screen(ben).plain_text.startswith("📨 Request no. 1 from Mia")
    assert "Monthly total: €561.24 net" in screen(ben).plain_text
    assert (
        "⏳ 1 Anfrage wartet auf Ihre Entscheidung" in (await say(bot, anna, "/status")).plain_text
    )

    approval = await press(bot, anna, "Genehmigen", card)
    assert "☐ AGB und Lizenzbedingungen akzeptiert" in approval.plain_text
    assert "☐ Anlage eines Microsoft-Kontos zugestimmt" in approval.plain_text
    back = await press(bot, anna, "‹ Zurück")  # nothing is decided by looking
    assert back.buttons() == ["Genehmigen", "Ablehnen", "Hauptmenü"]
    await press(bot, anna, "Genehmigen")
    await press(bot, anna, "☐ AGB akzeptieren")
    await press(bot, anna, "Bestellen")
    assert "Anlage eines Microsoft-Kontos" in alert(bot)  # R5: nothing without both
    assert await subscriptions(bot) == []
    await press(bot, anna, "☐ Microsoft-Konto")
    done = await press(bot, anna, "Bestellen")
    assert "✅ Anfrage Nr. 1 von Mia ist genehmigt." in done.plain_text
    assert "Bestellung Nr. 1 ist eingegangen: 12 × Microsoft 365 E3" in done.plain_text
    assert await subscriptions(bot) == [("M365-E3", 12)]
    anna_id = (await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8501")).user_id
    async with read(bot.core.db) as uow:  # the approving admin's consents are stored (R5)
        given: list[int | None] = list(await uow.session.scalars(select(tables.consents.c.user_id)))
    assert given == [anna_id, anna_id]

    late = await press(bot, ben, "Approve")  # the first decision wins
    assert "Request no. 1 has already been decided (✅ approved, by Anna)" in late.plain_text
    assert await subscriptions(bot) == [("M365-E3", 12)]
    mine = await say(bot, mia, "/requests")
    assert "Nr. 1 · ✅ genehmigt · Microsoft 365 E3, 12 Nutzer · von Mia" in mine.plain_text


async def test_a_members_change_is_declined_with_a_reason_the_member_can_read(
    bot: Bot,
) -> None:  # R23, R11
    anna = await bot.linked_user(8511, first_name="Anna")
    await order(bot, anna, E3, "5")
    ben = await bot.linked_user(8513, first_name="Ben")
    mia = await bot.linked_user(8512, role=R.MEMBER, first_name="Mia")
    await say(bot, mia, "/orders")
    await press(bot, mia, "Nr. 1 · Microsoft 365 E3")
    await press(bot, mia, "Menge ändern")
    summary = await say(bot, mia, "8")
    assert "Menge: 5 → 8 Nutzer" in summary.plain_text
    assert summary.buttons() == ["Anfrage senden", "‹ Zurück", "Hauptmenü"]
    assert "Administratoren Ihres Unternehmens; sie entscheiden darüber." in summary.plain_text
    assert "AGB" not in summary.plain_text  # a change needs no consent (R5), of nobody
    await press(bot, mia, "Anfrage senden")
    assert (
        "⏳ 1 Ihrer Anfragen wartet auf eine Entscheidung"
        in (await say(bot, mia, "/status")).plain_text
    )

    card = screen(anna)
    assert "Menge: 5 → 8 Nutzer" in card.plain_text
    asked = await press(bot, anna, "Ablehnen", card)
    assert "Warum lehnen Sie Anfrage Nr. 1 ab?" in asked.plain_text
    too_long = await say(bot, anna, "x" * 501)
    assert "Der Grund ist zu lang (501 Zeichen); höchstens 500 Zeichen." in too_long.plain_text
    done = await say(bot, anna, "Budget erst im Januar")
    declined = "❌ Anfrage Nr. 1 ist abgelehnt. Wir teilen Mia den Grund im Chat mit."
    assert declined in done.plain_text
    assert await subscriptions(bot) == [("M365-E3", 5)]  # nothing changed

    mine = await say(bot, mia, "/requests")
    assert "❌ abgelehnt" in mine.plain_text and "Grund: Budget erst im Januar" in mine.plain_text
    late = await press(bot, ben, "Genehmigen")  # the other admin's card
    assert "bereits entschieden (❌ abgelehnt, von Anna)" in late.plain_text
    reply = await say(bot, anna, "noch ein Grund")  # the reason step is over: free text
    assert "abgelehnt" not in reply.plain_text


async def test_a_members_add_on_is_booked_when_an_admin_accepts_the_terms(
    bot: Bot,
) -> None:  # R23, R17
    anna = await bot.linked_user(8521, first_name="Anna")
    await order(bot, anna, "Microsoft 365 Business Standard", "20")
    await bot.provision(1)
    mia = await bot.linked_user(8522, role=R.MEMBER, first_name="Mia")
    await say(bot, mia, "/orders")
    await press(bot, mia, "Nr. 1 · Microsoft 365 Business Standard")
    await press(bot, mia, "Add-On buchen")
    await press(bot, mia, "Microsoft 365 Copilot")
    summary = await say(bot, mia, "10")
    assert "Menge: 10 Nutzer" in summary.plain_text and "☐" not in summary.plain_text
    await press(bot, mia, "Anfrage senden")

    approval = await press(bot, anna, "Genehmigen")
    assert "☐ AGB und Lizenzbedingungen akzeptiert" in approval.plain_text
    assert "Microsoft-Konto" not in approval.plain_text  # R17: only the terms
    await press(bot, anna, "Add-On buchen")
    assert "AGB und Lizenzbedingungen" in alert(bot)
    await press(bot, anna, "☐ AGB akzeptieren")
    done = await press(bot, anna, "Add-On buchen")
    assert "✅ Anfrage Nr. 1 von Mia ist genehmigt." in done.plain_text
    assert "Add-On Microsoft 365 Copilot ist gebucht: 10 Nutzer" in done.plain_text
    [sub] = (await orders.list_orders(bot.core, OPERATOR, "acme")).subscriptions
    assert [(a.sku, a.quantity) for a in sub.addons] == [("COPILOT", 10)]


async def _two_admins_at_once(bot: Bot) -> None:
    anna = await bot.linked_user(8531, first_name="Anna")
    ben = await bot.linked_user(8532, first_name="Ben")
    mia = await bot.linked_user(8533, role=R.MEMBER, first_name="Mia")
    await member_orders(bot, mia, E3, "3")
    for admin in (anna, ben):
        await press(bot, admin, "Genehmigen")
        await press(bot, admin, "☐ AGB akzeptieren")
        await press(bot, admin, "☐ Microsoft-Konto")
    await anna.press(screen(anna), "Bestellen")  # both press before either is answered
    await ben.press(screen(ben), "Bestellen")
    await bot.settle()
    said = [screen(anna).plain_text, screen(ben).plain_text]
    approved = [t for t in said if "ist genehmigt" in t]
    told = [t for t in said if "Über Anfrage Nr. 1 ist bereits entschieden (✅ genehmigt" in t]
    assert (len(approved), len(told)) == (1, 1), said
    assert await subscriptions(bot) == [("M365-E3", 3)]  # ordered once
    assert await status_of(bot, 1) is RequestStatus.APPROVED


async def test_two_admins_deciding_at_once_one_wins_the_other_is_told(bot: Bot) -> None:  # R23
    await _two_admins_at_once(bot)


async def test_two_admins_deciding_at_once_on_postgresql(
    pg_schema: PgSchema, clock: FixedClock
) -> None:  # R23: concurrent turns, the customer's row makes them queue
    async with running_bot(pg_schema.url, clock, schema=pg_schema.schema) as bot:
        await _two_admins_at_once(bot)


async def test_only_an_admin_of_the_customer_decides_and_others_learn_nothing(
    bot: Bot,
) -> None:  # R23, R24
    anna = await bot.linked_user(8541, first_name="Anna")
    mia = await bot.linked_user(8542, role=R.MEMBER, first_name="Mia")
    gus = await bot.linked_user(8543, customer="globex", first_name="Gus")
    await member_orders(bot, mia, E3, "4")
    approval = await press(bot, anna, "Genehmigen")
    draft_press = approval.button("☐ AGB akzeptieren")["callback_data"]

    said = []
    for forged in ("ra:1", "rd:1", "ry:1", draft_press):  # a member pressing an admin's buttons
        await mia.press_data(screen(mia).message_id, forged)
        await bot.settle()
        said.append(list(bot.emu.callback_answers.values())[-1].text or "")
    assert said[:2] == ["Als Mitglied können Sie das nicht selbst tun."] * 2
    assert "nicht mehr aktuell" in said[2] and "nicht mehr aktuell" in said[3]  # not hers
    shown = "\n".join(texts(mia))
    assert "Warum lehnen Sie" not in shown and "☐ AGB" not in shown

    for forged in ("ra:1", "rd:1", "rv:1", "ry:1", "ra:99999"):  # another customer's request
        await gus.press_data(screen(gus).message_id, forged)
        await bot.settle()
    shown = "\n".join(texts(gus))
    assert "Diese Anfrage wurde nicht gefunden." in shown
    assert "Mia" not in shown and E3 not in shown and "ACME" not in shown
    assert await status_of(bot, 1) is RequestStatus.PENDING  # nothing changed
    assert await subscriptions(bot) == []


async def test_a_request_is_sent_once(bot: Bot) -> None:  # R23
    anna = await bot.linked_user(8551, first_name="Anna")
    mia = await bot.linked_user(8552, role=R.MEMBER, first_name="Mia")
    await press(bot, mia, "Produkte")
    await press(bot, mia, E3)
    await press(bot, mia, "Bestellen")
    summary = await say(bot, mia, "6")
    send = summary.button("Anfrage senden")["callback_data"]
    await press(bot, mia, "Anfrage senden")
    await mia.press_data(summary.message_id, send)  # the old screen's button again
    await bot.settle()
    assert "Diese Anfrage ist bereits gesendet (Nr. 1)" in screen(mia).plain_text
    shown = await member_orders(bot, mia, E3, "6")  # the same request from the start
    assert "Ihre Anfrage Nr. 1 dazu wartet bereits auf die Entscheidung" in shown
    cards = [t for t in texts(anna) if t.startswith("📨 Anfrage")]
    assert len(cards) == 1
    assert [r.id for r in await licence_requests.list_requests(bot.core, OPERATOR)] == [1]


@pytest.mark.parametrize("language", ["de", "en"])
async def test_cancel_leaves_the_reason_and_the_request_stays_open(bot: Bot, language: str) -> None:
    anna = await bot.linked_user(8561, first_name="Anna", language=language)
    mia = await bot.linked_user(8562, role=R.MEMBER, first_name="Mia")
    await member_orders(bot, mia, E3, "2")
    await press(bot, anna, "Ablehnen" if language == "de" else "Decline")
    await say(bot, anna, "/cancel")
    await say(bot, anna, "zu teuer")
    assert await status_of(bot, 1) is RequestStatus.PENDING


async def test_an_admin_who_blocked_the_bot_finds_the_request_later(bot: Bot) -> None:  # R23
    anna = await bot.linked_user(8571, first_name="Anna")
    ben = await bot.linked_user(8572, first_name="Ben")
    mia = await bot.linked_user(8573, role=R.MEMBER, first_name="Mia")
    ben.block()
    shown = await member_orders(bot, mia, E3, "2")
    assert "📨 Anfrage Nr. 1 ist bei Ihren Admins." in shown
    assert texts(mia)[-1] == (
        "Einer Ihrer Administratoren erhält keine Nachrichten vom Bot; er findet die Anfrage "
        "unter /requests."
    )
    assert screen(anna).plain_text.startswith("📨 Anfrage Nr. 1 von Mia")
    assert not any(t.startswith("📨") for t in texts(ben))


async def test_a_request_without_any_admin_in_the_chat_waits_for_one(bot: Bot) -> None:  # R23
    mia = await bot.linked_user(8581, role=R.MEMBER, first_name="Mia")
    shown = await member_orders(bot, mia, E3, "2")
    assert "Ihr Unternehmen hat im Chat noch keinen Administrator" in shown
    anna = await bot.linked_user(8582, first_name="Anna")
    listing = await say(bot, anna, "/requests")
    assert "Nr. 1 · ⏳ offen · Microsoft 365 E3, 2 Nutzer · von Mia" in listing.plain_text
    card = await press(bot, anna, "Nr. 1 entscheiden")
    assert card.plain_text.startswith("📨 Anfrage Nr. 1 von Mia")
    await press(bot, anna, "Ablehnen")
    await say(bot, anna, "Nicht nötig")
    assert await status_of(bot, 1) is RequestStatus.DECLINED
    assert "entscheiden" not in " ".join(screen(mia).buttons())
    assert (await say(bot, mia, "/requests")).buttons() == ["Hauptmenü"]  # members ask only


async def deliver_notices(bot: Bot) -> int:
    assert bot.application is not None
    sent = await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    return sent


def said_to(bot: Bot, user: EmulatedUser) -> str:
    """What a press got: the alert or toast, and the screen."""
    answer = list(bot.emu.callback_answers.values())[-1].text or ""
    return f"{answer}\n{screen(user).plain_text}"


async def test_a_member_withdraws_a_pending_request_and_the_admins_cards_say_so(
    bot: Bot,
) -> None:  # R23
    anna = await bot.linked_user(8591, first_name="Anna")
    ben = await bot.linked_user(8592, language="en", first_name="Ben")
    mia = await bot.linked_user(8593, role=R.MEMBER, first_name="Mia")
    await member_orders(bot, mia, E3, "12")
    sent = screen(mia)
    assert sent.buttons() == ["↩️ Zurückziehen", "Meine Anfragen", "Hauptmenü"]
    withdraw = sent.button("↩️ Zurückziehen")["callback_data"]
    card = screen(anna)
    marks = {u.id: len(u.messages()) for u in (anna, ben, mia)}

    done = await press(bot, mia, "↩️ Zurückziehen", sent)
    assert "↩️ Anfrage Nr. 1 ist zurückgezogen." in done.plain_text
    assert await status_of(bot, 1) is RequestStatus.WITHDRAWN
    assert await deliver_notices(bot) == 2  # both admins, not Mia who sees it on her screen
    assert [m.plain_text for m in anna.messages()[marks[anna.id] :]] == [
        "↩️ Anfrage Nr. 1 (ACME GmbH) ist zurückgezogen: Microsoft 365 E3, 12 Nutzer. "
        "Es ist nichts mehr zu entscheiden."
    ]
    assert [m.plain_text for m in ben.messages()[marks[ben.id] :]] == [
        "↩️ Request no. 1 (ACME GmbH) has been withdrawn: Microsoft 365 E3, 12 users. "
        "There is nothing left to decide."
    ]
    assert len(mia.messages()) == marks[mia.id]  # her screen was edited, nothing new

    await press(bot, anna, "Genehmigen", card)  # the card pressed after the withdrawal
    late = said_to(bot, anna)
    assert "Anfrage Nr. 1 wurde von Mia zurückgezogen; es ist nichts mehr zu entscheiden." in late
    assert "☐ AGB" not in late
    await press(bot, ben, "Decline")
    assert "Request no. 1 was withdrawn by Mia" in said_to(bot, ben)
    assert await subscriptions(bot) == []  # nothing ordered
    await mia.press_data(sent.message_id, withdraw)  # the button once more
    await bot.settle()
    assert "Anfrage Nr. 1 wurde von Mia zurückgezogen" in said_to(bot, mia)

    mine = await say(bot, mia, "/requests")
    assert "Nr. 1 · ↩️ zurückgezogen · Microsoft 365 E3, 12 Nutzer · von Mia" in mine.plain_text
    assert mine.buttons() == ["Hauptmenü"]  # nothing left to withdraw
    shown = await member_orders(bot, mia, E3, "12")  # asking again is a new request
    assert "📨 Anfrage Nr. 2 ist bei Ihren Admins." in shown


async def test_only_the_member_who_asked_withdraws_and_only_while_it_waits(
    bot: Bot,
) -> None:  # R23, R24
    anna = await bot.linked_user(8594, first_name="Anna")
    mia = await bot.linked_user(8595, role=R.MEMBER, first_name="Mia")
    lea = await bot.linked_user(8596, role=R.MEMBER, first_name="Lea")
    gus = await bot.linked_user(8597, customer="globex", role=R.MEMBER, first_name="Gus")
    await member_orders(bot, mia, E3, "3")
    await press(bot, anna, "Genehmigen", screen(anna))
    await press(bot, anna, "☐ AGB akzeptieren")
    await press(bot, anna, "☐ Microsoft-Konto")
    await press(bot, anna, "Bestellen")
    assert await subscriptions(bot) == [("M365-E3", 3)]
    await mia.press_data(screen(mia).message_id, "rw:1")  # decided: too late to withdraw
    await bot.settle()
    decided = "Über Anfrage Nr. 1 ist bereits entschieden (✅ genehmigt, von Anna)"
    assert decided in said_to(bot, mia)
    assert await status_of(bot, 1) is RequestStatus.APPROVED

    await member_orders(bot, mia, "Microsoft 365 E5", "2")
    for other in (lea, gus, anna):  # another member, another customer, an admin: not theirs
        await other.press_data(screen(other).message_id, "rw:2")
        await bot.settle()
        shown = said_to(bot, other)
        assert "Diese Anfrage wurde nicht gefunden." in shown
        assert "Mia" not in shown and "E5" not in shown
    assert await status_of(bot, 2) is RequestStatus.PENDING

    mine = await say(bot, mia, "/requests")  # only the open one has the button
    assert mine.buttons() == ["Nr. 2 zurückziehen", "Hauptmenü"]
    done = await press(bot, mia, "Nr. 2 zurückziehen", mine)
    assert "↩️ Anfrage Nr. 2 ist zurückgezogen." in done.plain_text
    assert await status_of(bot, 2) is RequestStatus.WITHDRAWN
    assert await subscriptions(bot) == [("M365-E3", 3)]
