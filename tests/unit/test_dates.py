"""Date rules R7, R8, R19: first/last of month and "today" in the provider's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import DEFAULT_TIMEZONE, first_of_month, last_of_month, local_today
from domain.model import AddonBooking, Status, Subscription

BERLIN = ZoneInfo("Europe/Berlin")

# Last day of each month, January to December.
DAYS_2027 = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
DAYS_2028 = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTHS = [(2027, m, DAYS_2027[m - 1]) for m in range(1, 13)] + [
    (2028, m, DAYS_2028[m - 1]) for m in range(1, 13)
]


def test_default_timezone_is_berlin() -> None:  # R8
    assert DEFAULT_TIMEZONE == "Europe/Berlin"


# --- first_of_month (R7) --------------------------------------------------------------------------
@pytest.mark.parametrize(("year", "month", "last"), MONTHS)
def test_start_date_is_the_first_of_the_month_for_any_day_of_it(
    year: int, month: int, last: int
) -> None:  # R7
    for day in (1, 15, last):
        assert first_of_month(date(year, month, day)) == date(year, month, 1)


# --- last_of_month (R19) --------------------------------------------------------------------------
@pytest.mark.parametrize(("year", "month", "last"), MONTHS)
def test_end_date_is_the_last_day_of_the_month_for_any_day_of_it(
    year: int, month: int, last: int
) -> None:  # R19
    for day in (1, 15, last):
        assert last_of_month(date(year, month, day)) == date(year, month, last)


def test_end_date_in_february_of_a_leap_year_is_the_29th() -> None:  # R19
    assert last_of_month(date(2028, 2, 1)) == date(2028, 2, 29)
    assert last_of_month(date(2028, 2, 29)) == date(2028, 2, 29)


def test_end_date_in_february_of_a_common_year_is_the_28th() -> None:  # R19
    assert last_of_month(date(2027, 2, 14)) == date(2027, 2, 28)
    # 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
    assert last_of_month(date(2100, 2, 1)) == date(2100, 2, 28)
    assert last_of_month(date(2000, 2, 1)) == date(2000, 2, 29)


# --- local_today (R8) -----------------------------------------------------------------------------
def test_late_evening_utc_on_the_last_of_november_is_already_december_first_in_berlin() -> None:
    # R8: CET (UTC+1) in winter.
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert local_today(now, BERLIN) == date(2026, 12, 1)


def test_22_30_utc_on_the_last_of_june_is_already_july_first_in_berlin_summer_time() -> None:
    # R8: CEST (UTC+2) in summer.
    now = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert local_today(now, BERLIN) == date(2026, 7, 1)


def test_just_before_midnight_berlin_is_still_the_same_day() -> None:  # R8
    assert local_today(datetime(2026, 6, 30, 21, 59, tzinfo=UTC), BERLIN) == date(2026, 6, 30)
    assert local_today(datetime(2026, 11, 30, 22, 59, tzinfo=UTC), BERLIN) == date(2026, 11, 30)


def test_new_year_in_berlin_starts_before_new_year_in_utc() -> None:  # R8
    assert local_today(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), BERLIN) == date(2027, 1, 1)


def test_an_instant_given_in_another_zone_is_converted_to_berlin() -> None:  # R8
    new_york = ZoneInfo("America/New_York")
    # 18:30 in New York on 30 Nov is 00:30 on 1 Dec in Berlin.
    now = datetime(2026, 11, 30, 18, 30, tzinfo=new_york)
    assert local_today(now, BERLIN) == date(2026, 12, 1)


def test_cancel_late_on_the_last_day_in_utc_ends_at_the_end_of_the_next_berlin_month() -> None:
    # R8 + R19: at 23:30 UTC on 30 Nov it is 1 Dec in Berlin, so the end date is 31 Dec.
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert last_of_month(local_today(now, BERLIN)) == date(2026, 12, 31)


def test_naive_datetime_is_refused() -> None:  # R8: never guess the zone
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2026, 11, 30, 23, 30), BERLIN)


# --- properties -----------------------------------------------------------------------------------
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)


@given(instants)
def test_end_date_of_today_is_in_the_same_month_not_before_today_and_followed_by_a_first(
    now: datetime,
) -> None:  # R8, R19
    today = local_today(now, BERLIN)
    end = last_of_month(today)
    assert (end.year, end.month) == (today.year, today.month)
    assert end >= today
    assert (end + timedelta(days=1)).day == 1


@given(instants)
def test_local_today_is_the_berlin_wall_clock_date(now: datetime) -> None:  # R8
    assert local_today(now, BERLIN) == now.astimezone(BERLIN).date()
    # Berlin is always one or two hours ahead of UTC.
    assert local_today(now, BERLIN) in (now.date(), now.date() + timedelta(days=1))


@given(instants)
def test_start_date_is_a_first_not_after_today(now: datetime) -> None:  # R7, R8
    today = local_today(now, BERLIN)
    start = first_of_month(today)
    assert start.day == 1
    assert start <= today
    assert (start.year, start.month) == (today.year, today.month)


# --- Subscription.cancel (R18, R19) ---------------------------------------------------------------
def _subscription(status: Status = Status.PROVISIONED) -> Subscription:
    ordered_at = datetime(1999, 12, 1, 9, 0, tzinfo=UTC)
    sub = Subscription(
        id=1,
        customer_id="acme",
        product_sku="M365-BUSINESS-STANDARD",
        product_name="Microsoft 365 Business Standard",
        quantity=18,
        unit_price=Decimal("13.92"),
        status=status,
        start_date=date(1999, 12, 1),
        ordered_at=ordered_at,
        provisioned_on=date(1999, 12, 2) if status is Status.PROVISIONED else None,
    )
    sub.addons.append(
        AddonBooking(
            id=7,
            addon_sku="EXO-ARCHIVE",
            addon_name="Exchange Online Archiving",
            quantity=18,
            unit_price=Decimal("3.36"),
            status=Status.PROVISIONED,
            start_date=date(1999, 12, 1),
            ordered_at=ordered_at,
            provisioned_on=date(1999, 12, 2),
        )
    )
    return sub


@given(instants)
def test_cancel_end_date_is_always_the_last_day_of_the_berlin_month_of_the_instant(
    at: datetime,
) -> None:  # R8, R18, R19
    sub = _subscription()
    sub.cancel(local_today(at, BERLIN), at)
    berlin = at.astimezone(BERLIN)
    assert sub.end_date is not None
    assert (sub.end_date.year, sub.end_date.month) == (berlin.year, berlin.month)
    assert (sub.end_date + timedelta(days=1)).day == 1
    assert sub.addons[0].end_date == sub.end_date


@pytest.mark.parametrize(
    ("at", "end"),
    [
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), date(2026, 12, 31)),
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 31)),
        (datetime(2028, 2, 10, 12, 0, tzinfo=UTC), date(2028, 2, 29)),
        (datetime(2027, 2, 10, 12, 0, tzinfo=UTC), date(2027, 2, 28)),
        (datetime(2027, 1, 31, 22, 59, tzinfo=UTC), date(2027, 1, 31)),
        (datetime(2027, 1, 31, 23, 0, tzinfo=UTC), date(2027, 2, 28)),
        (datetime(2026, 4, 15, 8, 0, tzinfo=UTC), date(2026, 4, 30)),
    ],
)
def test_cancel_end_date_examples(at: datetime, end: date) -> None:  # R8, R19
    sub = _subscription()
    sub.cancel(local_today(at, BERLIN), at)
    assert sub.status is Status.CANCELLED
    assert sub.end_date == end
    assert sub.cancelled_at == at
