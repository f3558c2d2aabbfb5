"""Security headers on every response: pages, htmx fragments, downloads, errors and static files.

Written as one ``after_request`` hook rather than with flask-talisman: the policy is a fixed
set of headers (no per-request nonce, as no template has an inline script or style), and
Talisman's defaults would have to be switched off one by one (it forces HTTPS and overrides
``SESSION_COOKIE_SECURE``, which PINTU leaves to its own setting) while ``Cache-Control`` is not
among its features at all.
"""

from __future__ import annotations

from flask import Flask, request

#: Only this site's own files; no inline script or style (htmx is configured not to need them:
#: ``includeIndicatorStyles`` and ``allowEval`` are off in templates/base.html).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_LOWER = {name.lower(): (name, value) for name, value in HEADERS.items()}


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        # A view may set its own (setdefault semantics); one pass over the few headers present
        # instead of one case-insensitive search per policy header.
        present = {name.lower() for name, _ in headers.items()}
        headers.extend([pair for key, pair in _LOWER.items() if key not in present])
        # Everything but the static files is personal or carries the session's CSRF token (every
        # page has it in hx-headers, forms in a field), and downloads are personal documents:
        # no browser or proxy cache may keep them.
        if request.endpoint is None or not request.endpoint.split(".")[-1] == "static":
            response.headers["Cache-Control"] = "no-store"
        return response
