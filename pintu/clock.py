"""Local time of the institution (``TIMEZONE``, default Asia/Jakarta).

The database stores naive UTC; people read and count days in local time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Jakarta")


def to_local(value: dt.datetime) -> dt.datetime:
    """A naive UTC datetime as local time."""
    return value.replace(tzinfo=dt.timezone.utc).astimezone(zone())


def today() -> dt.date:
    return dt.datetime.now(zone()).date()
