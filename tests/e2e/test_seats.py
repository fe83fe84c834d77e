"""Seats in the chat (issue 21): an admin sees assigned seats, gets the month-end hint on the
right day, schedules the reduction with one tap plus a confirmation, sees it in "my orders",
and the month-end round applies it; on SQLite and PostgreSQL. The tests' clock: 24 Nov 2026;
November's hint window (SEAT_HINT_DAYS = 5) opens on 25 Nov."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import notifier
from bot.emulator import EmulatedUser
from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.model import Channel, Role
from domain.services import accounts, orders, seats
from domain.services.accounts import OPERATOR
from domain.storage.database import Database
from tests.conftest import require_pg
from tests.e2e.harness import Bot, order, press, running_bot, say, screen

E3, SKU = "Microsoft 365 E3", "M365-E3"
HINT_DAY = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
NEXT_MONTH = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
HINT = (
    "Microsoft 365 E3: 8 von 20 Lizenzen sind niemandem zugewiesen. Zum 30.11.2026 auf 12 "
    "reduzieren spart 374,16\xa0€ im Monat."
)  # 8 x 46.77


@pytest.fixture(params=["sqlite", "postgresql"])
async def seat_bot(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Bot]:
    if request.param == "sqlite":
        async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock) as bot:
            yield bot
        return
    require_pg()
    from tests.conftest import PG_URL, _create_schema, _drop_schema

    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _create_schema(schema)
    try:
        async with running_bot(PG_URL, clock, schema=schema) as bot:
            yield bot
    finally:
        await _drop_schema(schema)


async def booked(bot: Bot, admin: EmulatedUser, assigned: int = 12) -> None:
    """20 x E3 ordered in the chat and provisioned; the tenant has `assigned` in use."""
    await order(bot, admin, E3, "20")
    await bot.provision(1)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, assigned)


def at(bot: Bot, when: datetime) -> None:
    assert isinstance(bot.core.clock, FixedClock)
    bot.core.clock.set(when)


async def notices(bot: Bot) -> None:
    assert bot.application is not None
    await deliver_once(bot.application, bot.core, "de")
    await bot.settle()


async def test_an_admin_sees_seats_takes_the_hint_and_the_month_end_reduces(
    seat_bot: Bot,
) -> None:
    bot = seat_bot
    anna = await bot.linked_user(9101)
    mia = await bot.linked_user(9102, role=Role.MEMBER, first_name="Mia")
    await booked(bot, anna)
    status = await say(bot, anna, "/status")
    assert "12 von 20 zugewiesen" in status.plain_text

    assert await seats.send_hints(bot.core) == []  # 24 Nov: too early
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    assert await seats.send_hints(bot.core) == ["acme"]
    await notices(bot)
    hint = anna.last_message()
    assert HINT in hint.plain_text
    assert hint.buttons() == ["Zum Monatsende auf 12 reduzieren", "Nicht jetzt"]
    assert not [m for m in mia.messages() if "niemandem zugewiesen" in m.plain_text]  # members

    summary = await press(bot, anna, "Zum Monatsende auf 12 reduzieren", hint)
    assert "Bisher: 20 Lizenzen" in summary.plain_text
    assert "Ab dem Monatsende: 12 Lizenzen (wirksam zum 30.11.2026)" in summary.plain_text
    assert "Ersparnis: 374,16\xa0€ im Monat netto" in summary.plain_text
    view = await orders.order_status(bot.core, OPERATOR, 1)
    assert view.scheduled_quantity is None  # looking is not scheduling
    card = await press(bot, anna, "✅ Reduktion einplanen")
    assert "✅ Eingeplant: Microsoft 365 E3 wird zum 30.11.2026 auf 12 reduziert" in card.plain_text
    assert "⏬ wird zum 30.11.2026 auf 12 reduziert" in card.plain_text
    assert "Reduktion auf 12 zurücknehmen" in card.buttons()
    assert "Zum Monatsende auf 12 reduzieren" not in card.buttons()  # scheduled already

    await say(bot, anna, "/orders")
    mine = await press(bot, anna, "Nr. 1 · Microsoft 365 E3")
    assert "⏬ wird zum 30.11.2026 auf 12 reduziert" in mine.plain_text
    assert "Lizenzen: 12 von 20 zugewiesen" in mine.plain_text
    assert "⏬ wird zum 30.11.2026 auf 12 reduziert" in (await say(bot, anna, "/status")).plain_text

    assert await seats.send_hints(bot.core) == []  # one hint per customer and month
    at(bot, NEXT_MONTH)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    [done] = await seats.apply_due_reductions(bot.core)
    assert done.reduction.new == 12
    await notices(bot)
    told = anna.last_message().plain_text
    assert told == (
        "Zum Monatsende reduziert: Microsoft 365 E3 (Bestellung Nr. 1) von 20 auf 12 Lizenzen. "
        "Monatlich jetzt 561,24\xa0€ netto, 374,16\xa0€ weniger."
    )
    assert (await orders.order_status(bot.core, OPERATOR, 1)).quantity == 12


async def test_the_admin_withdraws_the_reduction_and_nothing_changes_at_the_month_end(
    seat_bot: Bot,
) -> None:
    bot = seat_bot
    anna = await bot.linked_user(9201)
    await booked(bot, anna)
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    await seats.send_hints(bot.core)
    await notices(bot)
    await press(bot, anna, "Zum Monatsende auf 12 reduzieren", anna.last_message())
    await press(bot, anna, "✅ Reduktion einplanen")
    withdrawn = await press(bot, anna, "Reduktion auf 12 zurücknehmen")
    assert "✅ Die geplante Reduktion ist zurückgenommen." in withdrawn.plain_text
    assert "⏬" not in withdrawn.plain_text
    at(bot, NEXT_MONTH)
    assert await seats.apply_due_reductions(bot.core) == []
    assert (await orders.order_status(bot.core, OPERATOR, 1)).quantity == 20


async def test_not_now_changes_nothing(bot: Bot) -> None:
    anna = await bot.linked_user(9301)
    await booked(bot, anna)
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    await seats.send_hints(bot.core)
    await notices(bot)
    menu = await press(bot, anna, "Nicht jetzt", anna.last_message())
    assert menu.plain_text.startswith("Hauptmenü")
    assert list(bot.emu.callback_answers.values())[-1].text == (
        "In Ordnung, es bleibt alles, wie es ist."
    )
    assert (await orders.order_status(bot.core, OPERATOR, 1)).scheduled_quantity is None


async def test_a_reduction_below_the_seats_in_use_is_refused_in_words(bot: Bot) -> None:
    anna = await bot.linked_user(9401)
    await booked(bot, anna)
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    await seats.send_hints(bot.core)
    await notices(bot)
    hint = anna.last_message()
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 15)  # three people joined since
    refused = await press(bot, anna, "Zum Monatsende auf 12 reduzieren", hint)
    assert "15 Lizenzen sind Personen zugewiesen; weniger können wir nicht einplanen." in (
        refused.plain_text
    )
    assert (await orders.order_status(bot.core, OPERATOR, 1)).scheduled_quantity is None


async def test_costs_screen_and_csv(bot: Bot) -> None:
    anna = await bot.linked_user(9501)
    await booked(bot, anna)
    costs = await say(bot, anna, "/costs")
    text = costs.plain_text
    assert text.startswith("Kosten – ACME GmbH")
    assert "Dieser Monat (11/2026): 935,40\xa0€" in text  # 20 x 46.77
    assert "• Microsoft 365 E3: 20 × = 935,40\xa0€" in text
    assert "Nächster Monat (12/2026): 935,40\xa0€" in text
    assert "💡 Zum 30.11.2026 könnten Sie 374,16\xa0€ im Monat sparen" in text
    assert costs.buttons()[:2] == ["Als CSV-Datei", "Zum Monatsende auf 12 reduzieren"]

    await press(bot, anna, "Als CSV-Datei", costs)
    [document] = [m for m in anna.messages() if m.document is not None]
    assert document.document is not None
    assert document.document.file_name == "costs-acme-2026-11.csv"
    assert document.plain_text == "Kosten je Monat und Produkt (netto)"
    rows = list(
        csv.reader(io.StringIO(document.document.content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == [
        "Monat",
        "Artikelnummer",
        "Produkt",
        "Menge",
        "Betrag netto (EUR)",
        "Vorschau",
    ]
    assert ["2026-11", SKU, E3, "20", "935,40", ""] in rows
    assert ["2026-12", SKU, E3, "20", "935,40", "ja"] in rows


async def test_members_see_no_costs_button_and_settings_keep_a_buffer(bot: Bot) -> None:
    anna = await bot.linked_user(9601)
    mia = await bot.linked_user(9602, role=Role.MEMBER, first_name="Mia")
    assert "💶 Kosten" not in screen(mia).buttons()
    await booked(bot, anna)
    settings = await say(bot, anna, "/settings")
    assert "Hinweise zum Monatsende: an" in settings.plain_text
    assert "• Microsoft 365 E3: 0" in settings.plain_text
    for _ in range(3):
        settings = await press(bot, anna, "+1")
    assert "• Microsoft 365 E3: 3" in settings.plain_text
    usage = await seats.seat_overview(bot.core, OPERATOR, "acme")
    assert usage.lines[0].target == 15  # 12 in use + 3 spare
    off = await press(bot, anna, "Hinweise ausschalten")
    assert "Hinweise zum Monatsende: aus" in off.plain_text
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    assert await seats.send_hints(bot.core) == []  # the only admin turned hints off


async def test_a_later_change_asks_whether_the_scheduled_reduction_still_stands(
    bot: Bot,
) -> None:  # issue 21: Partner Center drops it silently, we ask
    anna = await bot.linked_user(9701)
    await booked(bot, anna)
    admin = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "9701")
    await seats.schedule_reduction(bot.core, admin, 1, 12)
    await say(bot, anna, "/orders")
    await press(bot, anna, "Nr. 1 · Microsoft 365 E3")
    await press(bot, anna, "Menge ändern")
    summary = await say(bot, anna, "25")
    assert (
        "Zum 30.11.2026 ist eine Reduktion auf 12 geplant. Soll sie bestehen bleiben?"
        in summary.plain_text
    )
    assert summary.buttons()[:2] == ["Ändern, Reduktion bleibt", "Ändern, Reduktion entfällt"]
    done = await press(bot, anna, "Ändern, Reduktion entfällt")
    assert "Die zum 30.11.2026 geplante Reduktion auf 12 entfällt." in done.plain_text
    view = await orders.order_status(bot.core, OPERATOR, 1)
    assert (view.quantity, view.scheduled_quantity) == (25, None)


@pytest.mark.parametrize(
    "typed", ["Was zahlen wir im Monat?", "Wie viele Lizenzen sind ungenutzt?"]
)
async def test_asking_in_words_shows_the_costs_screen(bot: Bot, typed: str) -> None:
    anna = await bot.linked_user(9801)
    await booked(bot, anna)
    answer = await say(bot, anna, typed)
    assert answer.plain_text.startswith("Kosten – ACME GmbH"), answer.plain_text
    assert "• Microsoft 365 E3: 12 von 20 zugewiesen" in answer.plain_text
    assert HINT in answer.plain_text  # 8 of 20 unassigned, what reducing saves
    assert "💡 Zum 30.11.2026 könnten Sie 374,16\xa0€ im Monat sparen" in answer.plain_text


async def test_no_hint_without_a_saving_beyond_the_buffer_and_one_a_month(seat_bot: Bot) -> None:
    bot = seat_bot
    anna = await bot.linked_user(9901)
    await booked(bot, anna, assigned=20)
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 20)
    assert await seats.send_hints(bot.core) == []  # every seat in use
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 17)
    await say(bot, anna, "/settings")
    for _ in range(3):
        await press(bot, anna, "+1")
    assert await seats.send_hints(bot.core) == []  # the three free seats are the buffer
    await press(bot, anna, "Microsoft 365 E3 −1")
    assert await seats.send_hints(bot.core) == ["acme"]
    assert await seats.send_hints(bot.core) == []  # one per customer and month
    await notices(bot)
    hints = [m for m in anna.messages() if "niemandem zugewiesen" in m.plain_text]
    assert len(hints) == 1
    assert "3 von 20 Lizenzen sind niemandem zugewiesen. Zum 30.11.2026 auf 19" in (
        hints[0].plain_text
    )  # 17 in use + 2 spare


@pytest.mark.parametrize(
    ("in_use", "told"), [(15, "von 20 auf 15 statt auf 12"), (20, "entfallen")]
)
async def test_the_month_end_re_checks_and_tells_the_admin(
    seat_bot: Bot, in_use: int, told: str
) -> None:
    bot = seat_bot
    anna = await bot.linked_user(9911)
    await booked(bot, anna)
    admin = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "9911")
    await seats.schedule_reduction(bot.core, admin, 1, 12)
    at(bot, NEXT_MONTH)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, in_use)  # people joined
    await seats.apply_due_reductions(bot.core)
    await notices(bot)
    assert told in anna.last_message().plain_text
    view = await orders.order_status(bot.core, OPERATOR, 1)
    assert (view.quantity, view.scheduled_quantity) == (min(in_use, 20), None)


async def test_two_workers_send_one_hint_and_reduce_once(seat_bot: Bot) -> None:
    bot = seat_bot
    anna = await bot.linked_user(9921)
    await booked(bot, anna)
    at(bot, HINT_DAY)
    await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
    other = dataclasses.replace(
        bot.core, db=Database(bot.core.db.url, schema=bot.core.db.schema)
    )  # a second worker: its own connections to the same database
    try:
        hinted = await asyncio.gather(seats.send_hints(bot.core), seats.send_hints(other))
        assert sorted(hinted[0] + hinted[1]) == ["acme"]
        await notices(bot)
        hint = anna.last_message()
        await press(bot, anna, "Zum Monatsende auf 12 reduzieren", hint)
        await press(bot, anna, "✅ Reduktion einplanen")
        at(bot, NEXT_MONTH)
        await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
        done = await asyncio.gather(
            seats.apply_due_reductions(bot.core), seats.apply_due_reductions(other)
        )
        assert len(done[0]) + len(done[1]) == 1
    finally:
        await other.db.dispose()
    await notices(bot)
    said = [m.plain_text for m in anna.messages()]
    first = [m.history[0].plain_text if m.history else m.plain_text for m in anna.messages()]
    assert len([t for t in first if "niemandem zugewiesen" in t]) == 1  # then edited: summary
    assert len([t for t in said if t.startswith("Zum Monatsende reduziert")]) == 1
    async with bot.core.uow(write=False) as uow:
        assert [(h["from_quantity"], h["to_quantity"]) for h in await uow.records.history(1)] == [
            (20, 12)
        ]


async def test_the_agents_customer_card_shows_the_same_figures(bot: Bot) -> None:
    anna = await bot.linked_user(9931)
    await booked(bot, anna)
    agent = await bot.linked_user(9932, role=Role.AGENT, customer=None, first_name="Bernd")
    card = await say(bot, agent, "/customer acme")
    assert "• Microsoft 365 E3: 12 von 20 zugewiesen" in card.plain_text
    assert HINT in card.plain_text


async def test_the_workers_daily_rounds_send_the_hint_and_reduce(bot: Bot) -> None:
    """bot/notifier.run: the hint round and the month end run once a day in every worker."""
    anna = await bot.linked_user(9941)
    await booked(bot, anna)
    assert bot.application is not None
    rounds = ((HINT_DAY, "niemandem zugewiesen"), (NEXT_MONTH, "Zum Monatsende reduziert"))
    for day, expected in rounds:
        at(bot, day)
        await seats.report_usage(bot.core, OPERATOR, "acme", SKU, 12)
        stop = asyncio.Event()
        worker = asyncio.create_task(notifier.run(bot.application, bot.core, "de", 3600, stop))
        try:
            for _ in range(500):  # the round's own progress: its notice reaches the chat
                await bot.settle()
                if expected in anna.last_message().plain_text:
                    break
                await asyncio.sleep(0.01)
        finally:
            stop.set()
            await worker
        assert expected in anna.last_message().plain_text
        if day == HINT_DAY:  # the admin takes the hint in November
            await press(bot, anna, "Zum Monatsende auf 12 reduzieren", anna.last_message())
            await press(bot, anna, "✅ Reduktion einplanen")
    assert (await orders.order_status(bot.core, OPERATOR, 1)).quantity == 12


async def test_the_order_card_offers_the_reduction_any_day(bot: Bot) -> None:
    anna = await bot.linked_user(9951)
    mia = await bot.linked_user(9952, role=Role.MEMBER, first_name="Mia")
    await booked(bot, anna)  # 24 Nov: no hint yet, but 8 seats unused
    await say(bot, anna, "/orders")
    card = await press(bot, anna, "Nr. 1 · Microsoft 365 E3")
    assert "Lizenzen: 12 von 20 zugewiesen" in card.plain_text
    summary = await press(bot, anna, "Zum Monatsende auf 12 reduzieren", card)
    assert "Ab dem Monatsende: 12 Lizenzen (wirksam zum 30.11.2026)" in summary.plain_text
    await say(bot, mia, "/orders")
    seen = await press(bot, mia, "Nr. 1 · Microsoft 365 E3")
    assert "Zum Monatsende auf 12 reduzieren" not in seen.buttons()  # R23: admins decide
