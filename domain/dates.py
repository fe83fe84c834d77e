"""Date rules R7, R8, R19: every date is taken in the provider's time zone."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Berlin"


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The calendar day in the provider's zone at instant `now` (R8)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def first_of_month(day: date) -> date:
    """Start date of anything ordered on `day` (R7)."""
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    """End date of anything cancelled on `day` (R19)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
