"""The institution profile: name, logo, address, contact, office hours and extra closures.

The administrator edits it at ``/admin/profil`` (every change audited); what was never edited
falls back to the settings (``INSTITUTION``, ``CONTACT_PHONE``, ``CONTACT_EMAIL``,
``INSTITUTION_ADDRESS``, ``INSTITUTION_MAP_URL``, ``INSTITUTION_WEBSITE``, ``OFFICE_HOURS_TEXT``,
``OFFICE_HOURS``, ``EXTRA_HOLIDAYS``).  :func:`profile` is the one reader: the header, the footer,
the e-mails, the service pages, the letters and the clock all go through it.

Field names for other modules (letters, e-mails): ``name``, ``address``, ``map_url``, ``phone``,
``email``, ``website``, ``logo_path`` (absolute path of the uploaded logo, "" without one),
``office_hours_text`` (as published), ``office_hours`` (``{weekday: [(open, close), ...]}`` used
by :func:`pintu.engine.clock.due_date` for minute and hour limits), ``closures`` (``(iso date, label)``
of cuti bersama and campus holidays, counted as holidays) and ``contact`` ("Telp: ..., Email: ...").

Caching: the stored profile is read at most once per request (``flask.g``) and kept by each app
process for ``PROFILE_CACHE_SECONDS`` (default 30) so that pages which need no other data cost no
query; the process that saves a change forgets its copy at once, other processes within that time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, g, has_request_context
from peewee import OperationalError, ProgrammingError

from pintu.data.models import Setting, utcnow
from pintu.engine.workingdays import DEFAULT_OFFICE_HOURS

KEY = "institution"
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass(frozen=True)
class Profile:
    name: str
    address: str = ""
    map_url: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    office_hours_text: str = ""
    office_hours: dict = field(default_factory=dict)
    closures: tuple = ()
    logo: str = ""  # stored file name inside the branding folder

    @property
    def logo_path(self) -> str:
        """Absolute path of the logo file ("" when none was uploaded)."""
        return str(branding_folder() / self.logo) if self.logo else ""

    @property
    def contact(self) -> str:
        return contact_line(self)

    @property
    def holidays(self) -> tuple[str, ...]:
        """ISO dates counted as holidays on top of the national calendar."""
        extra = list(current_app.config.get("EXTRA_HOLIDAYS") or ())
        return tuple(sorted(set(extra) | {day for day, _ in self.closures}))

    def hours_for(self, weekday: int) -> list[tuple[str, str]]:
        return [tuple(i) for i in self.office_hours.get(weekday, ())]


def branding_folder() -> Path:
    return Path(current_app.instance_path) / "branding"


def defaults() -> dict:
    config = current_app.config
    hours = config.get("OFFICE_HOURS") or DEFAULT_OFFICE_HOURS
    return {
        "name": config["INSTITUTION"], "address": config.get("INSTITUTION_ADDRESS", ""),
        "map_url": config.get("INSTITUTION_MAP_URL", ""), "phone": config.get("CONTACT_PHONE", ""),
        "email": config.get("CONTACT_EMAIL", ""), "website": config.get("INSTITUTION_WEBSITE", ""),
        "office_hours_text": config.get("OFFICE_HOURS_TEXT", ""),
        "office_hours": {int(k): [tuple(i) for i in v] for k, v in hours.items()},
        "closures": (), "logo": "",
    }


def _build(stored: dict) -> Profile:
    values = defaults()
    for key, value in (stored or {}).items():
        if key in values and value is not None:  # an edited field may be empty on purpose
            values[key] = value
    if "office_hours" in (stored or {}):
        values["office_hours"] = {int(k): [tuple(i) for i in v] for k, v in stored["office_hours"].items() if v}
    values["closures"] = tuple(tuple(c) for c in values["closures"])
    return Profile(**values)


def stored_setting(key: str) -> dict:
    row = Setting.get_or_none(Setting.key == key)
    return dict(row.value or {}) if row else {}


def save_setting(key: str, value: dict, user_id: int | None) -> None:
    """Store ``value`` under ``key`` (insert or replace) and forget the cached profile."""
    updated = Setting.update(value=value, updated_at=utcnow(), updated_by=user_id).where(Setting.key == key).execute()
    if not updated:
        Setting.create(key=key, value=value, updated_by=user_id)
    forget()


def forget() -> None:
    current_app.extensions.pop("pintu_profile", None)
    if has_request_context():
        g.pop("pintu_profile", None)


def profile() -> Profile:
    """The institution profile (stored values over the settings' defaults)."""
    if has_request_context() and "pintu_profile" in g:
        return g.pintu_profile
    cached = current_app.extensions.get("pintu_profile")
    ttl = float(current_app.config.get("PROFILE_CACHE_SECONDS") or 0)
    if cached is None or time.monotonic() - cached[0] > ttl:
        try:
            cached = (time.monotonic(), _build(stored_setting(KEY)))
        except (OperationalError, ProgrammingError):  # database not set up yet (before init-db): defaults
            return _build({})
        current_app.extensions["pintu_profile"] = cached
    if has_request_context():
        g.pintu_profile = cached[1]
    return cached[1]


def contact_line(p: Profile | None = None, *also_emails: str) -> str:
    """"Telp: <phone>, Email: <email>" of the profile (``also_emails`` appended with "atau")."""
    p = p or profile()
    emails = " atau ".join([e for e in (p.email, *also_emails) if e])
    parts = [f"Telp: {p.phone}" if p.phone else "", f"Email: {emails}" if emails else ""]
    return ", ".join(x for x in parts if x)


def contact_text(*also_emails: str) -> str:
    """The institution's contact for plugins' texts (``pintu.contact_text("humas@...")``): read at
    the time of the call, so it follows the profile the administrator edits."""
    return contact_line(None, *also_emails)


# -- parsing the administrator's entries (messages in Indonesian) ---------------------------------

def parse_hours(text: str) -> list[tuple[str, str]]:
    """ "08.00-12.00, 13.00-16.00" -> [("08:00", "12:00"), ("13:00", "16:00")]; "" -> closed."""
    out = []
    for part in [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]:
        bounds = [b.strip() for b in re.split(r"\s*[-–]\s*", part)]
        if len(bounds) != 2 or not all(_TIME.match(b) for b in bounds):
            raise ValueError(f"\"{part}\" tidak dikenali. Tulis seperti 08.00-12.00, 13.00-16.00.")
        opens, closes = (_hhmm(b) for b in bounds)
        if closes <= opens or (out and opens < out[-1][1]):
            raise ValueError(f"\"{part}\": jam tutup harus sesudah jam buka, berurutan dan tidak tumpang tindih.")
        out.append((opens, closes))
    return out


def _hhmm(text: str) -> str:
    m = _TIME.match(text)
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def format_hours(intervals) -> str:
    return ", ".join(f"{a.replace(':', '.')}-{b.replace(':', '.')}" for a, b in intervals)


def parse_closures(text: str) -> list[tuple[str, str]]:
    """One closure a line: "2026-12-24 Cuti bersama Natal" or "24-12-2026 ..." -> [(iso, label)]."""
    import datetime as dt

    out = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        head, _, label = line.partition(" ")
        try:
            day = dt.date.fromisoformat(head) if re.match(r"^\d{4}-", head) else \
                dt.datetime.strptime(head, "%d-%m-%Y").date()
        except ValueError:
            raise ValueError(f"Baris {number}: tanggal \"{head}\" tidak dikenali. "
                             "Tulis seperti 2026-12-24 Cuti bersama Natal.") from None
        out[day.isoformat()] = label.strip() or "Libur instansi"
    return sorted(out.items())


def format_closures(closures) -> str:
    return "\n".join(f"{day} {label}" for day, label in closures)


# -- saving (the administrator's form) -------------------------------------------------------------

TEXT_FIELDS = ("name", "address", "map_url", "phone", "email", "website", "office_hours_text")


def form_values(p: Profile | None = None) -> dict:
    """The profile as the administrator's form shows it."""
    p = p or profile()
    values = {k: getattr(p, k) for k in TEXT_FIELDS}
    values["closures"] = format_closures(p.closures)
    for day in range(7):
        values[f"hours_{day}"] = format_hours(p.hours_for(day))
    return values


def save_profile(values: dict, user_id: int | None, logo=None, remove_logo: bool = False) -> dict:
    """Store the profile from the form's ``values`` (already validated) and, when given, the new logo
    (a :class:`pintu.data.uploads.CheckedFile`); returns ``{field: new value}`` of what changed."""
    import secrets

    before = form_values()
    old = stored_setting(KEY)
    new = {k: (values.get(k) or "").strip() for k in TEXT_FIELDS}
    new["office_hours"] = {str(day): parse_hours(values.get(f"hours_{day}") or "") for day in range(7)}
    new["closures"] = parse_closures(values.get("closures") or "")
    new["logo"] = "" if remove_logo else old.get("logo", "")
    if logo is not None:
        folder = branding_folder()
        folder.mkdir(parents=True, exist_ok=True)
        new["logo"] = f"logo-{secrets.token_hex(8)}.{logo.extension}"
        (folder / new["logo"]).write_bytes(logo.content)
    save_setting(KEY, new, user_id)
    after = form_values()
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if new["logo"] != old.get("logo", ""):
        changed["logo"] = new["logo"] or "(dihapus)"
        if old.get("logo"):
            (branding_folder() / old["logo"]).unlink(missing_ok=True)
    return changed


def letterhead() -> dict:
    """The institution as printed on letterheads and receipts: the one place issued documents read it
    from.  Name, address, contact, website and logo come from the profile the administrator edits
    (:func:`profile`, itself defaulted by the settings ``INSTITUTION``,
    ``INSTITUTION_ADDRESS``... and the institution's declaration); the parent body and the city of
    the letterhead from the settings ``INSTITUTION_PARENT`` and ``INSTITUTION_CITY``.

    ``signers`` maps a role to ``{"name", "position", "id_number"}`` (see the ``SIGNERS`` setting)."""
    cfg = current_app.config
    edited = profile()
    return {
        "name": edited.name or cfg.get("INSTITUTION") or "",
        "parent": cfg.get("INSTITUTION_PARENT") or "",
        "address": edited.address or cfg.get("INSTITUTION_ADDRESS") or "",
        "city": cfg.get("INSTITUTION_CITY") or "",
        "phone": edited.phone or "",
        "email": edited.email or "",
        "website": edited.website or cfg.get("INSTITUTION_WEBSITE") or "",
        "logo": edited.logo_path or cfg.get("INSTITUTION_LOGO") or None,
        "signers": dict(cfg.get("SIGNERS") or {}),
    }
