"""The Maklumat Pelayanan: the service unit's published pledge, edited by the administrator.

The default follows the Maklumat of seed 004 (LLDIKTI Wilayah VI 2021), with the institution's name
from its profile.  Stored under the setting ``maklumat`` (see :mod:`pintu.standards.institution`).
"""

from __future__ import annotations

from pintu.standards.institution import profile, save_setting, stored_setting

KEY = "maklumat"
FIELDS = ("title", "text", "place_date", "signatory_title", "signatory_name", "signatory_id")

DEFAULT_TEXT = ("Dengan ini, kami berjanji akan memberikan pelayanan prima sesuai dengan standar yang ditetapkan, "
                "dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai dengan peraturan "
                "perundang-undangan yang berlaku.")


def defaults() -> dict:
    name = profile().name
    return {"title": "Maklumat Pelayanan", "text": DEFAULT_TEXT, "place_date": "",
            "signatory_title": f"Pimpinan {name}", "signatory_name": "", "signatory_id": ""}


def current() -> dict:
    """The Maklumat as published: the stored fields over the defaults."""
    values = defaults()
    values.update({k: v for k, v in stored_setting(KEY).items() if k in FIELDS and v is not None})
    return values


def save(values: dict, user_id: int | None) -> dict:
    """Store the Maklumat; returns the fields that changed (``{field: new value}``)."""
    before = current()
    new = {k: (values.get(k) or "").strip() for k in FIELDS}
    save_setting(KEY, new, user_id)
    return {k: v for k, v in new.items() if before.get(k) != v}
