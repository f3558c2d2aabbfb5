"""Versioned migrations (pintu.data.migrations): an upgrade from the schema landed at 92f3001 keeps every
row, init-db runs no step twice, app start never touches the schema, and the migrated schema is
exactly what the models declare (a model change without a migration step fails here)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from pintu import create_app
from pintu.data.db import database
from pintu.testing import BACKENDS, _reset_postgres

DATA = Path(__file__).resolve().parent / "data"


def _old_models():
    """tests/data/models_92f3001.py loaded as a module (its imports reach today's ``pintu.data.db``
    database proxy)."""
    spec = importlib.util.spec_from_file_location("pintu._models_92f3001", DATA / "models_92f3001.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bare_app(backend, tmp_path):
    if backend == "postgres":
        url = os.environ["PINTU_TEST_DATABASE_URL"]
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": url, "SECRET_KEY": "x",
                       "TESTING": True, "BACKGROUND_JOBS": False, "DATABASE_POOL_SIZE": 0})


def _close():
    if not database.is_closed():
        database.close()


@pytest.fixture(params=BACKENDS)
def backend(request):
    yield request.param
    _close()


def test_app_start_does_not_touch_the_schema(tmp_path):
    app = _bare_app("sqlite", tmp_path)
    with app.app_context():
        assert database.get_tables() == []
    _close()


def test_init_db_upgrades_the_92f3001_schema_keeping_every_row(backend, tmp_path):
    app = _bare_app(backend, tmp_path)
    old = _old_models()
    with app.app_context(), database.connection_context():
        database.create_tables(old.ALL_MODELS)
        unit = old.Unit.create(key="akademik", name="Bagian Akademik Lama")
        user = old.User.create(email="lama@test.id", name="Pengguna Lama", password_hash="x", session_token="t",
                               category="pegawai", id_number="198001012005011001")
        staff = old.User.create(email="petugas@test.id", name="Petugas", password_hash="x", session_token="s")
        old.Membership.create(user=staff, role="petugas")
        application = old.Application.create(reference="LGL-2026-00001", tracking_code="ABC123", service="legalisir",
                                             applicant=user, status="in_process", step="kelengkapan",
                                             data={"keperluan": "Melamar kerja"}, version=3)
        upload = old.Upload.create(application=application, requirement="ijazah", stored_name="a.pdf",
                                   original_name="ijazah.pdf", mime_type="application/pdf", size=10, sha256="0" * 64,
                                   uploaded_by=user)
        old.Event.create(application=application, actor=user, actor_role="pemohon", kind="submitted")
        old.Disposition.create(application=application, step="verifikasi", unit=unit)
        old.Message.create(application=application, author=user, body="Halo", attachment=upload)
        old.Notification.create(user=user, application=application, message="Diterima")
        old.OutgoingMail.create(to="lama@test.id", subject="Subjek", body="Isi", application=application)
        old.LoginAttempt.create(email="lama@test.id", ip="127.0.0.1")
        old.PasswordResetToken.create(user=user, token_hash="h" * 64, expires_at=old.utcnow())
        old.Counter.create(name="ref-2026", value=1)
        before = {m._meta.table_name: sorted(map(tuple, m.select().tuples())) for m in old.ALL_MODELS}
        assert all(before.values())

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Migrasi dijalankan: pintu:0001_initial" in result.output
    assert "Migrasi dijalankan: pintu-gedung:0001_initial" in result.output

    with app.app_context(), database.connection_context():
        for model in old.ALL_MODELS:  # every row of every old table, every old column's value (init-db adds units)
            again = sorted(map(tuple, model.select().tuples()))
            assert all(row in again for row in before[model._meta.table_name]), model._meta.table_name
        from pintu.data.models import Application, OutgoingMail, Task, Upload, User
        from pintu.data.migrations import SchemaMigration

        tables = set(database.get_tables())
        assert {"task", "audit_entry", "mail_secret", "form_token", "staged_upload", "schema_migration",
                "gedung_booking", "gedung_building"} <= tables
        assert "login_attempt" in tables  # dropped from the models, kept with its rows
        # New columns exist and today's code reads and writes the old rows.
        assert Upload.get().purged_at is None
        mail = OutgoingMail.get()
        assert (mail.version, mail.next_attempt_at) == (0, None)
        assert Application.get().data == {"keperluan": "Melamar kerja"}
        assert User.get(User.email == "lama@test.id").id_number == "198001012005011001"
        assert Task.select().where(Task.application == Application.get()).count() == 1  # refiled by init-db
        steps = sorted((r.history, r.step) for r in SchemaMigration.select())
        assert ("pintu", "0001_initial") in steps and ("pintu-gedung", "0001_initial") in steps
        applied_at = {(r.history, r.step): r.applied_at for r in SchemaMigration.select()}

    second = app.test_cli_runner().invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "Migrasi dijalankan" not in second.output  # no step twice
    with app.app_context(), database.connection_context():
        assert {(r.history, r.step): r.applied_at for r in SchemaMigration.select()} == applied_at
        assert User.select().count() == 2


def test_a_new_step_runs_once_and_is_recorded(app, tmp_path, monkeypatch):
    from pintu.data import migrations

    package = tmp_path / "pintu_test_steps"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_note.py").write_text(
        "from peewee import TextField\n"
        "def upgrade(step):\n"
        "    step.migrate(step.migrator.add_column('unit', 'note', TextField(default='')))\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    from pintu import hookimpl

    class Plugin:
        @hookimpl
        def pintu_migrations(self):
            return [("pintu-test-steps", "pintu_test_steps")]
    with app.app_context():
        registry = app.extensions["pintu"]
        registry.pm.register(Plugin(), name="test-steps")
        assert migrations.upgrade(registry) == ["pintu-test-steps:0001_note"]
        assert migrations.upgrade(registry) == []
        with database.connection_context():
            assert "note" in {c.name for c in database.get_columns("unit")}


def _declared(model):
    fields = {f.column_name for f in model._meta.sorted_fields}
    indexes = {(tuple(model._meta.fields[n].column_name if n in model._meta.fields else n for n in cols), unique)
               for cols, unique in model._meta.indexes}
    for field in model._meta.sorted_fields:
        if (field.index or field.unique) and not field.primary_key:
            indexes.add(((field.column_name,), bool(field.unique)))
    return fields, indexes


def test_migrated_schema_is_what_the_models_declare(app):
    """The ``app`` fixture built its database with the migrations: every model's table, columns and
    indexes are there.  Adding a field or an index to a model without a migration step fails here."""
    from pintu.data import models

    with app.app_context():
        extra = app.extensions["pintu"].collect("pintu_models")
        with database.connection_context():
            for model in models.ALL_MODELS + extra:
                table = model._meta.table_name
                fields, indexes = _declared(model)
                assert {c.name for c in database.get_columns(table)} == fields, table
                found = {(tuple(i.columns), bool(i.unique)) for i in database.get_indexes(table)}
                assert indexes <= found, (table, indexes - found)


def test_migrated_columns_have_the_types_the_models_declare(app, tmp_path):
    """Column types and nullability of the migrated database equal those of tables created straight
    from today's models (in a second SQLite file)."""
    from peewee import SqliteDatabase

    from pintu.data import models

    with app.app_context():
        all_models = models.ALL_MODELS + app.extensions["pintu"].collect("pintu_models")
        with database.connection_context():
            migrated = {m._meta.table_name: {(c.name, c.data_type.upper(), c.null)
                                             for c in database.get_columns(m._meta.table_name)}
                        for m in all_models}
        if app.config["DATABASE_URL"].startswith("postgres"):
            return  # the types are compared on SQLite; PostgreSQL runs the same step code
        reference = SqliteDatabase(str(tmp_path / "reference.sqlite3"))
        with reference.bind_ctx(all_models, bind_refs=False, bind_backrefs=False):
            reference.create_tables(all_models)
            declared = {m._meta.table_name: {(c.name, c.data_type.upper(), c.null)
                                             for c in reference.get_columns(m._meta.table_name)}
                        for m in all_models}
        reference.close()
    assert migrated == declared
