"""The institution as printed on letterheads and receipts: one function, so the source (today the
settings ``INSTITUTION``, ``INSTITUTION_ADDRESS``...; later an administrator-edited profile) can be
switched in one place."""

from __future__ import annotations

from flask import current_app


def profile() -> dict:
    """The institution's name, parent body, address, city, phone, e-mail, website, logo path and signers.

    ``signers`` maps a role to ``{"name", "position", "id_number"}`` (see the ``SIGNERS`` setting)."""
    cfg = current_app.config
    return {
        "name": cfg.get("INSTITUTION") or "",
        "parent": cfg.get("INSTITUTION_PARENT") or "",
        "address": cfg.get("INSTITUTION_ADDRESS") or "",
        "city": cfg.get("INSTITUTION_CITY") or "",
        "phone": cfg.get("CONTACT_PHONE") or "",
        "email": cfg.get("CONTACT_EMAIL") or "",
        "website": cfg.get("INSTITUTION_WEBSITE") or "",
        "logo": cfg.get("INSTITUTION_LOGO") or None,
        "signers": dict(cfg.get("SIGNERS") or {}),
    }
