"""Rate limits shared by every app process: counted events in a database table.

A limit is "at most N events of a scope for one key within a sliding window of
M minutes" (``scope="track"``, ``key=<client address>``).  Events are rows of
:class:`~pintu.data.models.RateLimitHit`, so several app processes (and machines)
behind a load balancer see the same counts without Redis.

Written by hand rather than with flask-limiter: its storage backends are
memory (not shared between processes), Redis or Memcached (optional in PINTU),
and it limits requests per route, whereas PINTU counts chosen events only
(failed logins for unknown accounts, tracking codes that did not match) and
needs the count itself for a growing login delay.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app, request

from pintu.data.db import prepared
from pintu.data.models import RateLimitHit, utcnow

#: Counted events older than this are deleted (the longest configurable window must be shorter).
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """``count`` events per ``minutes``."""

    count: int
    minutes: int

    @classmethod
    def from_config(cls, name: str) -> "Limit":
        """A limit from a setting written ``[count, minutes]`` (or ``"count,minutes"`` in the environment)."""
        value = current_app.config[name]
        if isinstance(value, str):
            value = value.split(",")
        count, minutes = (int(v) for v in value)
        return cls(count, minutes)

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


def client_address() -> str:
    """The client's address: ``request.remote_addr``, which is the proxies' ``X-Forwarded-For`` entry
    when ``PROXY_FIX_X_FOR`` trusts that many proxies (see :func:`pintu.app.create_app`)."""
    return (request.remote_addr or "")[:64]


def hit(scope: str, key: str) -> None:
    """Count one event."""
    RateLimitHit.create(scope=scope, key=key[:254])
    RateLimitHit.delete().where(RateLimitHit.created_at < utcnow() - KEEP).execute()


def recent(scope: str, key: str, window: dt.timedelta) -> list[dt.datetime]:
    """Times of the events counted within ``window``, oldest first."""
    since = utcnow() - window
    cursor = prepared("ratelimit.recent", lambda s, k, t: (
        RateLimitHit.select(RateLimitHit.created_at)
        .where(RateLimitHit.scope == s, RateLimitHit.key == k, RateLimitHit.created_at > t)
        .order_by(RateLimitHit.created_at)), scope, key[:254], since)
    field = RateLimitHit.created_at
    return [field.python_value(value) for (value,) in cursor]


def retry_after(scope: str, key: str, limit: Limit) -> int:
    """Seconds until one more event is allowed (0: allowed now)."""
    times = recent(scope, key, limit.window)
    return wait_for(times[len(times) - limit.count] if len(times) >= limit.count else None, limit)


def wait_for(keeping: dt.datetime | None, limit: Limit) -> int:
    """Seconds until one more event is allowed, from the ``limit.count``-th most recent event within
    the window (``keeping``; None when there are fewer: allowed now, 0).  That event keeps the count
    at the limit: it must leave the window first."""
    if keeping is None:
        return 0
    return max(1, math.ceil((keeping + limit.window - utcnow()).total_seconds()))


def keeping_sql(param: str) -> str:
    """A scalar subquery for :func:`wait_for`, to read with another statement (parameters, in
    order: :func:`keeping_params`): the time of the ``limit.count``-th most recent event of a scope
    and key within the window, or NULL when there are fewer.  ``param``: the database's placeholder."""
    table = RateLimitHit._meta.table_name
    return (f'(SELECT h."created_at" FROM "{table}" AS h WHERE h."scope" = {param} AND h."key" = {param}'
            f' AND h."created_at" > {param} ORDER BY h."created_at" DESC LIMIT 1 OFFSET {param})')


def keeping_params(scope: str, key: str, limit: Limit) -> tuple:
    return scope, key[:254], utcnow() - limit.window, limit.count - 1


def keeping_value(value) -> dt.datetime | None:
    """The subquery's value as a datetime (SQLite answers text)."""
    return RateLimitHit.created_at.python_value(value) if value is not None else None


def take(scope: str, key: str, limit: Limit) -> int:
    """Count one event unless the limit is reached; returns the seconds to wait (0: counted, go on)."""
    wait = retry_after(scope, key, limit)
    if not wait:
        hit(scope, key)
    return wait


def clear(scope: str, key: str) -> None:
    RateLimitHit.delete().where(RateLimitHit.scope == scope, RateLimitHit.key == key[:254]).execute()


def wait_text(seconds: int) -> str:
    """How long to wait, in Indonesian words: "30 detik", "3 menit"."""
    if seconds < 60:
        return f"{seconds} detik"
    return f"{math.ceil(seconds / 60)} menit"
