"""Flask's signed-cookie session, with its signing serializer made once per secret key.

Flask's ``SecureCookieSessionInterface`` builds a new ``URLSafeTimedSerializer`` (a signer, its key
derivation and a JSON serializer) twice on every request, to open the session and to save it, even
for a visitor without a cookie. The serializer holds nothing per request, so one per secret key
(and its fallbacks) serves every request; a changed key (tests, key rotation) builds a new one.
Cookie format, signing and expiry are Flask's own, unchanged.

Opening a session verifies the cookie's signature and decodes it (HMAC key derivation, base64,
zlib, tagged JSON): ~80 µs on every request of a signed-in user, whose cookie stays the same from
one request to the next until the session changes. Each process keeps the sessions it opened
last, by their exact cookie text (signature included): the same text opens again without that
work, its age still checked against the signing time it carries, as itsdangerous checks it. Only
sessions of plain values (strings, numbers) are kept: the opened session is a new dict over them,
so a request changing its session never changes the kept copy (a list, such as flashed messages,
could be changed in place, so such a session is decoded every time).
"""

from __future__ import annotations

import time

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


#: Sessions kept per process (the cookies of the users it served last); past this, the oldest go.
KEPT = 2048
_PLAIN = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer: tuple | None = None  # (the keys it was made for, the serializer)
        self._opened: dict[str, tuple] = {}  # cookie text -> (signed at, values), for the current keys

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app)) if serializer is not None else None
        if not value:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._opened.get(value)
        if kept is not None and 0 <= int(time.time()) - kept[0] <= max_age:
            return self.session_class(kept[1])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # a bad or expired cookie opens an empty session, as in Flask
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
            if len(self._opened) >= KEPT:
                try:
                    del self._opened[next(iter(self._opened))]  # the oldest kept
                except (KeyError, RuntimeError, StopIteration):  # another thread of the process evicted it
                    pass
            self._opened[value] = (int(signed_at.timestamp()), data)
        return self.session_class(data)

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = self._serializer
        if made is None or made[0] != keys:
            made = self._serializer = (keys, super().get_signing_serializer(app))
            self._opened = {}  # opened under other keys: never again without checking their signature
        return made[1]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
