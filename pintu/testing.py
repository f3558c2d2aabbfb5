"""Pytest fixtures and helpers for PINTU and its plugins (a pytest plugin, loaded
automatically through the ``pytest11`` entry point once ``pintu`` is installed).

Fixtures: ``app`` (a fresh app per test on SQLite, and again on PostgreSQL when
``PINTU_TEST_DATABASE_URL`` is set), ``client``, ``ctx`` (app context),
``make_user``, ``staff``.  Helpers: :func:`login`, :func:`pdf`, :func:`png`,
:func:`outbox`, :func:`deliver_pending`, :func:`reference_of`, and for driving and inspecting an application:
:func:`app_id_of`, :func:`get_application`, :func:`count_rows`, :func:`events_of`,
:func:`act`, :func:`mails_to`, :func:`field_error`; for accounts :func:`link_in_mail` and :func:`register`
(registration through ``/daftar`` and the e-mailed confirmation link).  Mark a test ``@pytest.mark.config(KEY=value)``
to override app settings for it.

The app is built with ``PLUGINS`` registered inline when a test sets
``@pytest.mark.plugins(obj, ...)``.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import threading
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient

from pintu import create_app
from pintu.data.db import database

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("PINTU_TEST_DATABASE_URL") else [])
PASSWORD = "rahasia-123"

# A real (tiny) PDF and PNG, so content sniffing sees the genuine magic bytes.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _reset_postgres(url: str) -> None:
    from playhouse.db_url import connect

    db = connect(url)
    db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    db.close()


_FORM_PAGES = [  # applicant write URL -> the page that carries its form
    (re.compile(r"^(/layanan/[^/]+/ajukan)$"), "{0}"),
    (re.compile(r"^(/permohonan/\d+/ubah)$"), "{0}"),
    (re.compile(r"^/permohonan/(\d+)/(?:tindakan|batal|pesan)$"), "/permohonan/{0}"),
]


def hidden_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The hidden inputs (``form_token``, ``version``) of the form posting to ``action`` on ``page``
    (the first form with a ``form_token`` when ``action`` is None)."""
    for m in re.finditer(r"<form\b([^>]*)>(.*?)</form>", page, re.S):
        attrs, body = m.groups()
        if action is not None and f'"{action}"' not in attrs:
            continue
        fields = {html.unescape(n): html.unescape(v) for n, v in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)}
        if "form_token" in fields:
            return fields
    return {}


def form_token(client, page_url: str, action: str | None = None) -> str | None:
    """A fresh one-time form token, as a browser gets it with the form on ``page_url``."""
    return hidden_fields(client.get(page_url).get_data(as_text=True), action).get("form_token")


class FormClient(FlaskClient):
    """The test client of the ``app`` fixture: like a browser, a POST to an applicant's form
    (apply, fix, step action, cancel, message) carries the form's hidden one-time token and version.
    When a test leaves them out, they are read from the page that shows the form (a GET just
    before the POST); a test that passes ``form_token`` itself (even empty) posts exactly that."""

    def open(self, *args, **kwargs):
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path")
        data = kwargs.get("data")
        if kwargs.get("method") == "POST" and isinstance(path, str) and isinstance(data, dict) \
                and "form_token" not in data:
            for pattern, page in _FORM_PAGES:
                m = pattern.match(path.split("?")[0])
                if m:
                    fields = hidden_fields(self.get(page.format(m.group(1))).get_data(as_text=True),
                                           None if page == "{0}" else path)
                    kwargs["data"] = {**{k: v for k, v in fields.items() if k in ("form_token", "version")},
                                      **data}
                    break
        return super().open(*args, **kwargs)


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    overrides = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production uses scrypt
        "SECRET_KEY": "test",
        "REDIS_URL": None,
        "SMTP_HOST": None,
        "BACKGROUND_JOBS": False,  # mail waits until deliver_pending() (outbox() calls it): deterministic
        "AUTO_CREATE_TABLES": True,  # the migrations run when the app is made (production: init-db)
    }
    marker = request.node.get_closest_marker("config")
    if marker:
        overrides.update(marker.kwargs)
    plugins = request.node.get_closest_marker("plugins")
    if plugins:
        overrides["PLUGINS"] = list(plugins.args)
    if request.param == "postgres":
        _reset_postgres(os.environ["PINTU_TEST_DATABASE_URL"])
        overrides["DATABASE_URL"] = os.environ["PINTU_TEST_DATABASE_URL"]
    else:
        overrides["DATABASE_URL"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    application = create_app(overrides)
    application.test_client_class = FormClient
    with application.app_context():
        from pintu.demo import ensure_units

        ensure_units()
    yield application
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):  # a connection pool: do not leave its connections open
        database.obj.close_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def make_user(app):
    """make_user(email, role=None, unit=None, category="pegawai") -> User (password: PASSWORD)."""
    from pintu.people import accounts

    def _make(email, role=None, unit=None, category="pegawai", name=None):
        with app.app_context():
            from pintu.data.models import Unit, User

            user = User.get_or_none(User.email == email) or accounts.create_user(
                email, name or email.split("@")[0].title(), PASSWORD, phone="081234567890", category=category)
            if unit and not Unit.get_or_none(Unit.key == unit):
                Unit.create(key=unit, name=unit.title())
            if role:
                accounts.grant(user, role, unit)
            return user

    return _make


@pytest.fixture
def staff(make_user):
    """The usual cast: front office, a verifier per built-in unit, leadership, admin."""
    return {
        "petugas": make_user("petugas@test.id", "petugas"),
        "akademik": make_user("akademik@test.id", "verifikator", "akademik"),
        "kepegawaian": make_user("kepeg@test.id", "verifikator", "kepegawaian"),
        "pimpinan": make_user("pimpinan@test.id", "pimpinan"),
        "admin": make_user("admin@test.id", "admin"),
    }


def login(client, email, password=PASSWORD):
    """Log ``client`` in through the login form; returns the response."""
    client.post("/keluar")
    return client.post("/masuk", data={"email": email, "password": password})


def pdf(name="berkas.pdf", content=PDF):
    return (io.BytesIO(content), name)


def png(name="foto.png"):
    return (io.BytesIO(PNG), name)


def reference_of(html: str) -> str | None:
    m = re.search(r"\b([A-Z]{2,4}-\d{4}-\d{5})\b", html)
    return m.group(1) if m else None


def deliver_pending(app) -> int:
    """Send now, in the calling thread, the mail that waits: the app's queued in-process jobs, then
    every due row (what the background thread or the worker would do).  Returns how many were sent."""
    from pintu import jobs
    from pintu.notify import mail
    from pintu.data.models import OutgoingMail

    with app.app_context():
        before = OutgoingMail.select().where(OutgoingMail.status == "sent").count()
        jobs.run_pending()
        mail.deliver_due()
        return OutgoingMail.select().where(OutgoingMail.status == "sent").count() - before


@contextmanager
def sql_statements():
    """Record the SQL statements executed inside the ``with`` block: yields a list that fills with
    ``(sql, params)`` pairs (peewee logs every statement it executes at DEBUG level on the
    ``peewee`` logger), e.g. to run ``EXPLAIN QUERY PLAN`` on what a page sent."""
    import logging

    statements = []

    class _Recorder(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":  # statements; not "peewee.pool" and other children
                statements.append(record.msg if isinstance(record.msg, tuple) else (record.getMessage(), []))

    logger, handler = logging.getLogger("peewee"), _Recorder()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def count_queries(client, url: str, **kwargs) -> tuple[int, str]:
    """(number of SQL statements, page text) of one GET of ``url`` by ``client``: for asserting that
    a page costs a fixed number of queries whatever the amount of data."""
    with sql_statements() as statements:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(statements), response.get_data(as_text=True)


def outbox(app) -> list[str]:
    """Texts of the .eml files in the app's outbox, oldest first.  Without ``REDIS_URL`` the waiting
    mail is delivered first (:func:`deliver_pending`); with it, mail goes through the RQ worker."""
    if not app.config.get("REDIS_URL"):
        deliver_pending(app)
    folder = app.config["MAIL_OUTBOX"]
    if not os.path.isdir(folder):
        return []
    return [open(os.path.join(folder, f), encoding="utf-8").read() for f in sorted(os.listdir(folder))]


def app_id_of(response) -> int:
    """The application id from the redirect that follows a successful submit (or draft save).

    Fails the test, showing the start of the page, when the response is not a redirect."""
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.location.rstrip("/").split("/")[-1])


def get_application(app, app_id):
    """The :class:`~pintu.data.models.Application` with id ``app_id``, freshly read inside an app context."""
    from pintu.data.models import Application

    with app.app_context():
        return Application.get_by_id(app_id)


def count_rows(app, model_name: str = "Application") -> int:
    """How many rows the model ``pintu.data.models.<model_name>`` holds (e.g. ``"Upload"``, ``"Event"``)."""
    from pintu.data import models

    with app.app_context():
        return getattr(models, model_name).select().count()


def events_of(app, app_id) -> list[tuple]:
    """The application's history, oldest first, as ``(kind, action, actor_role, note)`` tuples."""
    from pintu.data.models import Event

    with app.app_context():
        return [(e.kind, e.action, e.actor_role, e.note)
                for e in Event.select().where(Event.application == app_id).order_by(Event.id)]


def act(client, app, app_id, action, note="", **extra):
    """Post the staff action ``action`` on application ``app_id`` as the logged-in ``client``.

    The form carries the application's current version (pass ``version=`` to post a stale one),
    ``note``, and any ``extra`` fields (file tuples such as :func:`pdf` make it multipart).
    Returns the response."""
    version = extra.pop("version", None)
    if version is None:
        version = get_application(app, app_id).version
    data = {"action": action, "version": version, "note": note, **extra}
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data=data)


def attached_files(app) -> list[str]:
    """Stored names of the files in the app's upload folder, less those merely kept for the next try
    of a form that could not be saved (:mod:`pintu.data.staging`): i.e. attached files and stray ones."""
    from pintu.data.models import StagedUpload

    folder = app.config["UPLOAD_FOLDER"]
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    with app.app_context():
        kept = {s.stored_name for s in StagedUpload.select(StagedUpload.stored_name)}
    return [n for n in names if n not in kept]


def mails_to(app, email) -> list[str]:
    """The outbox mails addressed to ``email``, oldest first, with whitespace collapsed to single spaces."""
    return [" ".join(m.split()) for m in outbox(app) if f"To: {email}" in m]


def field_error(page: str, name: str) -> str | None:
    """The error message rendered next to form field ``name`` (``id="<name>-error"``), or None."""
    m = re.search(rf'id="{name}-error">([^<]*)<', page)
    return html.unescape(m.group(1)) if m else None


def link_in_mail(app, email, path_prefix) -> str:
    """The path of the last link starting with ``path_prefix`` (``"/atur-sandi/"``) mailed to ``email``."""
    for mail in reversed(outbox(app)):
        if f"To: {email}" in mail:
            m = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", mail)
            if m:
                return m.group(1)
    raise AssertionError(f"no mail to {email} with a link to {path_prefix}")


def register(client, app, email, password=PASSWORD, **fields):
    """Register ``email`` through ``/daftar``, open the confirmation link mailed to it (which logs
    ``client`` in) and return the response of the link.  ``fields`` override the form's defaults."""
    data = {"name": email.split("@")[0].title(), "phone": "081234567890", "category": "masyarakat",
            "id_number": "", "email": email, "password": password, "confirm": password, **fields}
    r = client.post("/daftar", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return client.get(link_in_mail(app, email.strip().lower(), "/daftar/konfirmasi/"))


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**settings): override PINTU settings for this test")
    config.addinivalue_line("markers", "plugins(*objs): register extra plugin objects for this test")


# -- browser tests (a real headless Chromium from Debian, driven by playwright) -----------------------

#: Debian's Chromium (``PINTU_CHROMIUM``, else the one on PATH), its launch arguments, and the marks of
#: a browser test module: ``pytestmark = BROWSER`` skips it, with the reason, where there is none.
CHROMIUM = os.environ.get("PINTU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROWSER = [pytest.mark.browser,
           pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")]


@contextmanager
def live_server(app):
    """Serve ``app`` on a free local port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def settled(page):
    """Wait until htmx has finished a swap. htmx wires up swapped-in links and forms only when the
    swap settles (a timer after the insert); acting on them earlier is a plain click or change
    that htmx never sees, which makes a browser test fail on a loaded machine."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
