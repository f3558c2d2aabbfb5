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
    return _between(start, end, extra if isinstance(extra, tuple) else tuple(extra))


@lru_cache(maxsize=4096)
def _between(start: dt.date, end: dt.date, extra: tuple[str, ...]) -> int:
    # Kept per process: a list (the inbox's due badges) asks for the same few dates on every
    # request, and the holidays calendar counts day by day.
    if end < start:
        return -_between(end, start, extra)
    return calendar(extra).get_working_days_count(start + dt.timedelta(days=1), end)


def is_working_day(day: dt.date, extra=()) -> bool:
    return calendar(extra).is_working_day(day)


def holiday_name(day: dt.date, extra=()) -> str | None:
    return calendar(extra).get(day)


#: Default office hours (Monday=0 ... Friday=4) as ``(open, close)`` intervals in local time;
#: a break is a gap between two intervals.  Override with the ``OFFICE_HOURS`` setting (same
#: shape, "HH:MM" strings, weekday numbers as keys).  Senin-Kamis 08.00-16.00 istirahat
#: 12.00-13.00, Jumat 08.00-16.30 istirahat 11.00-13.00: the hours most of the seeds' offices keep.
DEFAULT_OFFICE_HOURS: dict[int, list[tuple[str, str]]] = {
    **{day: [("08:00", "12:00"), ("13:00", "16:00")] for day in range(4)},
    4: [("08:00", "11:00"), ("13:00", "16:30")],
}


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def add_office_minutes(start: dt.datetime, minutes: float, extra=(), office_hours=None) -> dt.datetime:
    """The local time at which ``minutes`` of office time after ``start`` have passed.

    Only time inside the office hours of working days counts (a request made on Friday at
    16.00 with a 2-hour standard is due on Monday at 09.30).  ``start`` is a local datetime.
    """
    hours = {int(k): v for k, v in (office_hours or DEFAULT_OFFICE_HOURS).items()}
    left = float(minutes)
    day = start.date()
    cursor = start.hour * 60 + start.minute + start.second / 60
    for _ in range(3660):  # ten years of days: a bound, not a limit anyone reaches
        if is_working_day(day, extra):
            for opens, closes in hours.get(day.weekday(), ()):
                lo, hi = max(_minutes(opens), cursor), _minutes(closes)
                if hi <= lo:
                    continue
                if left <= hi - lo:
                    end = lo + left
                    midnight = dt.datetime.combine(day, dt.time(), tzinfo=start.tzinfo)
                    return midnight + dt.timedelta(minutes=end)
                left -= hi - lo
        day += dt.timedelta(days=1)
        cursor = 0
    raise ValueError("no office hours configured")


def due_date(start: dt.datetime, amount: float, unit: str, extra=(), office_hours=None) -> dt.date:
    """The local date by which a completion time of ``amount`` ``unit`` started at ``start`` ends.

    ``unit`` is a key of :data:`pintu.services.TIME_UNITS`: ``hari_kerja`` counts working days
    (the start day does not count), ``menit``/``jam`` office time, ``hari``/``minggu``/``bulan``
    calendar time as the standard writes it.  A fractional day or week is rounded up.
    """
    import math

    from dateutil.relativedelta import relativedelta

    day = start.date()
    if unit == "hari_kerja":
        return add_working_days(day, math.ceil(amount), extra)
    if unit == "hari":
        return day + dt.timedelta(days=math.ceil(amount))
    if unit == "minggu":
        return day + dt.timedelta(days=math.ceil(amount * 7))
    if unit == "bulan":
        return day + relativedelta(months=math.ceil(amount))
    if unit in ("menit", "jam"):
        return add_office_minutes(start, amount * (60 if unit == "jam" else 1), extra, office_hours).date()
    raise ValueError(f"unknown time unit {unit!r}")
