"""Configuration: defaults here, then ``instance/config.py``, then ``PINTU_*`` and a few
well-known environment variables (``DATABASE_URL``, ``REDIS_URL``, ``SMTP_*``, ``SECRET_KEY``).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "APP_NAME": "PINTU",
    "TIMEZONE": "Asia/Jakarta",
    "INSTITUTION": "Politeknik Negeri Jember",
    "INSTITUTION_KEY": "polije",  # which institution this deployment serves (pintu.contract.institutions)
    "DATABASE_URL": None,  # default: sqlite in the instance folder
    "DATABASE_POOL_SIZE": 8,  # connections kept open per app process (0: connect per request)
    "REDIS_URL": None,  # unset: jobs run inline
    "SMTP_HOST": None,  # unset: mail goes to MAIL_OUTBOX
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "MAIL_FROM": "PINTU <pintu@localhost>",
    "MAIL_OUTBOX": None,  # default: instance/outbox
    "MAIL_DOMAIN": None,  # Message-ID domain; default: the domain of MAIL_FROM
    "MAIL_TIMEOUT": 10,  # seconds for the SMTP connect and for each answer of the server
    "MAIL_RETRY_DELAYS": [60, 300, 1800, 7200, 21600],  # seconds before each retry; then the mail is failed
    "BACKGROUND_JOBS": True,  # without REDIS_URL: a thread in each app process sends mail and sweeps
    "SWEEP_SECONDS": 60,  # how often the worker / background thread sweeps (due mail, stale .part files)
    "UPLOAD_FOLDER": None,  # default: instance/uploads
    "BASE_URL": "http://127.0.0.1:5000",
    "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,  # whole request; per-file and per-application limits are per service
    "EXTRA_HOLIDAYS": [],  # ISO dates: cuti bersama and campus holidays
    "SLA_CHECK_AT": "07:00",  # local time after which the worker / background thread runs the daily SLA check; "" = cron only
    "INTERNAL_TARGET_DAYS": 5,  # working days for services without a standard time (seed 004's pengaduan standard)
    "DISABLED_PLUGINS": [],
    "PLUGINS": [],
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_MINUTES": 15,
    # LOGIN_MAX_FAILURES failed logins per e-mail within LOGIN_WINDOW_MINUTES make the next attempt wait
    # LOGIN_BACKOFF_SECONDS; the wait doubles with each further failure up to LOGIN_BACKOFF_MAX_SECONDS.
    "LOGIN_BACKOFF_SECONDS": 30,
    "LOGIN_BACKOFF_MAX_SECONDS": 300,
    "LOGIN_MAX_UNKNOWN_PER_ADDRESS": 20,  # failed logins for unknown e-mails per client address in the window
    # [count, minutes] per client address (environment: "count,minutes").
    "RATE_LIMIT_FORGOT": [10, 60],  # password reset requests
    "RATE_LIMIT_REGISTER": [10, 60],  # registrations
    "RATE_LIMIT_TRACK": [30, 15],  # tracking lookups that did not match
    "RATE_LIMIT_EXTERNAL_LINK": [30, 15],  # links of parties outside the office that were not valid
    "RATE_LIMIT_ACCOUNT_MAIL": [5, 60],  # reset/registration mails to one e-mail address
    "PROXY_FIX_X_FOR": 0,  # trusted proxies in front of the app (X-Forwarded-For); 0: none
    "PROXY_FIX_X_PROTO": 0,  # trusted proxies setting X-Forwarded-Proto
    "PASSWORD_RESET_HOURS": 2,
    "EMAIL_VERIFICATION_HOURS": 48,
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": None,
    # Run the migrations when the app is created: tests only. Production runs `flask --app pintu init-db`
    # (pintu.data.migrations), so starting the app never touches the schema.
    "AUTO_CREATE_TABLES": False,
    # The letterhead and signers of issued documents, read through pintu.standards.institution.letterhead() only.
    # Empty here: each institution's defaults come from its declaration (pintu.contract.institutions).
    "INSTITUTION_PARENT": "",
    "INSTITUTION_ADDRESS": "",
    "INSTITUTION_CITY": "",
    "INSTITUTION_WEBSITE": "",
    "INSTITUTION_LOGO": None,  # path of a PNG/JPG printed on the letterhead; unset: none
    # Role -> {"name", "position", "id_number"} of who signs documents declared with that signer. The
    # name defaults to the staff member who took the issuing action when they hold the role.
    "SIGNERS": {"pimpinan": {"name": "", "position": "Pimpinan", "id_number": ""},
                "petugas": {"name": "", "position": "Kepala Unit Layanan Terpadu", "id_number": ""},
                "verifikator": {"name": "", "position": "Kepala Unit", "id_number": ""},
                "admin": {"name": "", "position": "Administrator", "id_number": ""}},
    "SIGNING_PKCS12": None,  # the institution's PKCS#12 (key + certificate): issued PDFs get a PAdES signature
    "SIGNING_PKCS12_PASSWORD": None,
    "DOCUMENT_FOLDER": None,  # issued documents (PDF); default: instance/documents
    "MAIL_ATTACHMENT_MAX_MB": 5,  # larger attachments are replaced by a download link in the e-mail
    "RATE_LIMIT_VERIFY": [30, 15],  # verification lookups of unknown codes, per client address
    # Empty here: each institution's contact comes from its declaration (pintu.contract.institutions).
    "CONTACT_PHONE": "",
    "CONTACT_EMAIL": "",
    "LAPOR_URL": "https://www.lapor.go.id",
    # Defaults of the institution profile (the administrator edits it at /admin/profil; pintu.standards.institution);
    # INSTITUTION_ADDRESS and INSTITUTION_WEBSITE above, filled by the institution's declaration.
    "INSTITUTION_MAP_URL": "",
    "OFFICE_HOURS_TEXT": "Senin–Kamis 08.00–16.00, istirahat 12.00–13.00; Jumat 08.00–16.30, istirahat "
                         "11.00–13.00; Sabtu, Minggu dan hari libur tutup",
    "OFFICE_HOURS": None,  # {weekday: [["HH:MM", "HH:MM"], ...]}; None: pintu.engine.workingdays.DEFAULT_OFFICE_HOURS
    "PROFILE_CACHE_SECONDS": 30,
    "SERVICE_SETTINGS_CACHE_SECONDS": 30,  # how long an app process keeps the admin's per-service settings  # how long an app process keeps the profile before reading it again
    # Closed applications older than this many days are anonymised by `flask --app pintu purge-expired`
    # (0 or None: never).  Five years: see README, "Data pribadi".
    "RETENTION_DAYS": 5 * 365,
}

# Environment variables read without the PINTU_ prefix too.
PLAIN_ENV = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD",
             "SMTP_STARTTLS", "SMTP_SSL", "MAIL_FROM", "BASE_URL", "SESSION_COOKIE_SECURE")


def _parse(value: str, default):
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "ya", "on")
    if isinstance(default, int) and not isinstance(default, bool):
        return int(value)
    if isinstance(default, list):
        value = value.strip()
        return json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    return value


def load(app, overrides: dict | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    env = os.environ
    for key in list(DEFAULTS) + ["SECRET_KEY"]:
        for name in (f"PINTU_{key}", key if key in PLAIN_ENV else None):
            if name and name in env:
                app.config[key] = _parse(env[name], DEFAULTS.get(key, ""))
                break
    if overrides:
        app.config.update(overrides)
    _institution_defaults(app, overrides or {})
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or f"sqlite:///{instance / 'pintu.sqlite3'}"
    app.config["MAIL_OUTBOX"] = app.config["MAIL_OUTBOX"] or str(instance / "outbox")
    app.config["UPLOAD_FOLDER"] = app.config["UPLOAD_FOLDER"] or str(instance / "uploads")
    app.config["DOCUMENT_FOLDER"] = app.config["DOCUMENT_FOLDER"] or str(instance / "documents")
    if app.config["DATABASE_URL"].startswith("postgres://"):
        app.config["DATABASE_URL"] = "postgresql://" + app.config["DATABASE_URL"][len("postgres://"):]


def _instance_secret(instance: Path) -> str:
    """A secret key generated once into the instance folder (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _institution_defaults(app, overrides: dict) -> None:
    """Apply the chosen institution's default settings to keys still at PINTU's own default."""
    from pintu.contract import institutions

    institution = institutions.get(app.config.get("INSTITUTION_KEY"))
    for key, value in institution.settings.items():
        if key not in overrides and app.config.get(key) == DEFAULTS.get(key):
            app.config[key] = value
