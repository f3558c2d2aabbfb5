"""Flask's signed-cookie session, with its signing serializer made once per secret key.

Flask's ``SecureCookieSessionInterface`` builds a new ``URLSafeTimedSerializer`` (a signer, its key
derivation and a JSON serializer) twice on every request, to open the session and to save it, even
for a visitor without a cookie. The serializer holds nothing per request, so one per secret key
(and its fallbacks) serves every request; a changed key (tests, key rotation) builds a new one.
Cookie format, signing and expiry are Flask's own, unchanged.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer: tuple | None = None  # (the keys it was made for, the serializer)

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = self._serializer
        if made is None or made[0] != keys:
            made = self._serializer = (keys, super().get_signing_serializer(app))
        return made[1]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
