"""Where a visitor without a valid session is sent: the login page, with ``next`` the *page*.

For an htmx request the redirect must not be followed inside the fragment (htmx would swap the
whole login page into it, and ``next`` would name a POST-only fragment URL: 405 after login), so
it answers ``HX-Redirect`` and ``next`` is the page the browser shows (``HX-Current-URL``, same
origin only).  A plain POST goes back to the page it came from (its ``Referer``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, make_response, redirect, request
from flask_login import login_url

from pintu.web.auth import safe_next

MESSAGE = "Silakan masuk terlebih dahulu."


def _local_path(url: str | None) -> str | None:
    """The path (and query) of ``url`` when it is on this site, else None."""
    if not url:
        return None
    parts, here = urlsplit(url), urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc) or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_of_request() -> str | None:
    """The page to come back to after logging in."""
    if request.htmx:
        return _local_path(request.htmx.current_url)
    if request.method != "GET":
        return _local_path(request.referrer)
    return request.full_path.rstrip("?")


def to_login():
    """The answer to a request that needs a login it does not have."""
    flash(MESSAGE, "info")
    target = safe_next(page_of_request())
    url = login_url("auth.login", next_url=target)
    if request.htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)
