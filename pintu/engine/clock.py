"""Local time of the institution (``TIMEZONE``, default Asia/Jakarta).

The database stores naive UTC; people read and count days in local time.
Everything shown to people or counted in days goes through here, never
through ``date.today()`` or ``datetime.now()``, which follow the server's
zone.

For tests only, the setting ``CLOCK_NOW`` pins "now": an ISO datetime string
(or a ``datetime``); a naive value is read as UTC, e.g.
``@pytest.mark.config(CLOCK_NOW="2026-11-23T17:30:00")`` is 24-11-2026 00:30
WIB.  It is read by :func:`now` and :func:`today`; stored timestamps
(``models.utcnow``) keep the real time.  Leave it unset in production.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app

from pintu.engine import service_settings, workingdays
from pintu.standards.institution import profile


def zone(config=None) -> ZoneInfo:
    """The institution's zone, from ``config`` (default: the current app's)."""
    return ZoneInfo((current_app.config if config is None else config).get("TIMEZONE") or "Asia/Jakarta")


def _pinned() -> dt.datetime | None:
    value = current_app.config.get("CLOCK_NOW")
    if not value:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


def now() -> dt.datetime:
    """The current local time (timezone-aware)."""
    return (_pinned() or dt.datetime.now(dt.timezone.utc)).astimezone(zone())


def to_local(value: dt.datetime, tz: ZoneInfo | None = None) -> dt.datetime:
    """A naive UTC datetime (as stored) as local time; an aware one is converted.  ``tz``: the
    zone when the caller has it (default :func:`zone`)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(tz or zone())


def today() -> dt.date:
    """Today's local date."""
    return now().date()


def local_date(value: dt.datetime | None) -> dt.date:
    """The local date of a stored (naive UTC) timestamp, or today when it is None."""
    return to_local(value).date() if value is not None else today()


@lru_cache(maxsize=4096)
def day_text(day: dt.date) -> str:
    """A date as pages show it in Indonesian: "23 Nov 2026" (CLDR's month abbreviations); kept per
    process, as a list formats the same few dates on every request."""
    from babel.dates import format_date

    return format_date(day, "d MMM y", locale="id")


def format_local(value: dt.datetime, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A stored timestamp as local time text, with the zone's abbreviation ("24-11-2026 00:30 WIB")."""
    local = to_local(value)
    return f"{local.strftime(fmt)} {local.tzname()}"


def due_date(service, data) -> dt.date | None:
    """The due date of ``service``'s completion time for an application with ``data``, counted from now.

    ``Service.completion_time`` (a :class:`pintu.Duration` in the standard's unit) wins over
    ``completion_days`` (working days, or a callable of the data); None when the service has
    no completion time (the core's ``pintu_after_transition`` in :mod:`pintu.oversight.targets` then sets
    the due date of the admin's internal target).  Holidays are the Indonesian calendar plus
    :func:`extra_holidays`; office hours (for minute and hour limits) are :func:`office_hours`
    (both from the institution profile).
    """
    service = service_settings.effective(service)  # an administrator's completion time wins
    extra = extra_holidays()
    if service.completion_time is not None:
        return workingdays.due_date(now(), service.completion_time.amount, service.completion_time.unit, extra,
                                    office_hours())
    days = service.days_for(data or {})
    if days is None:
        return None
    return workingdays.add_working_days(today(), days, extra)


def extra_holidays() -> tuple[str, ...]:
    """ISO dates closed on top of the national calendar: ``EXTRA_HOLIDAYS`` and the closures (cuti
    bersama) of the institution profile (:func:`pintu.standards.institution.profile`)."""
    return profile().holidays


def office_hours() -> dict:
    """The office hours the clock counts for minute and hour limits (institution profile)."""
    return profile().office_hours


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days after ``start`` in this institution's calendar (Indonesian holidays plus
    :func:`extra_holidays`); the start day does not count."""
    return workingdays.add_working_days(start, days, extra_holidays())
