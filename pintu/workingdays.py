"""Working-day arithmetic for service clocks ("maksimal N hari kerja").

Uses the ``holidays`` library's Indonesian calendar (national holidays, in
Indonesian) plus the institution's own extra days off (cuti bersama and
campus holidays) from the ``EXTRA_HOLIDAYS`` setting, a list of ISO dates.
Saturdays and Sundays are not working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _calendar(extra: tuple[str, ...]):
    cal = holidays.country_holidays("ID", language="id")
    for day in extra:
        cal[dt.date.fromisoformat(day)] = "Libur instansi / cuti bersama"
    return cal


def calendar(extra=()):
    return _calendar(tuple(sorted(extra)))


def add_working_days(start: dt.date, days: int, extra=()) -> dt.date:
    """The date on which ``days`` working days after ``start`` have passed.

    The day the clock starts does not count: requirements declared complete on
    Monday with a 3-day standard are due on Thursday.
    """
    if days <= 0:
        return start
    return calendar(extra).get_nth_working_day(start, days)


def working_days_between(start: dt.date, end: dt.date, extra=()) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start, extra)
    cal = calendar(extra)
    return cal.get_working_days_count(start + dt.timedelta(days=1), end)


def is_working_day(day: dt.date, extra=()) -> bool:
    return calendar(extra).is_working_day(day)


def holiday_name(day: dt.date, extra=()) -> str | None:
    return calendar(extra).get(day)
