"""The audit trail: what is recorded, how admin reads it, that it survives a rollback and stays append-only."""

from __future__ import annotations

import html
import re

import pytest
from flask import Blueprint

from pintu import hookimpl
from pintu.testing import app_id_of, login, pdf

NIK = "3509120101900001"


def entries(app, **where):
    from pintu.data.models import AuditEntry

    with app.app_context():
        query = AuditEntry.select().order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        return list(query)


@pytest.fixture
def application(app, client, staff, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = client.post("/layanan/legalisir/ajukan",
                    data={"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
                          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut",
                          "file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf"), "submit": "1"},
                    content_type="multipart/form-data")
    return app_id_of(r)


def test_staff_view_and_download_are_recorded_with_address_and_agent(app, client, application):
    from pintu.data.models import Upload

    with app.app_context():
        upload = Upload.select().where(Upload.application == application).order_by(Upload.id).first().id
    login(client, "petugas@test.id")
    headers = {"User-Agent": "Mozilla/5.0 AuditTest"}
    assert client.get(f"/permohonan/{application}", headers=headers).status_code == 200
    assert client.get(f"/berkas/{upload}", headers=headers).status_code == 200
    view, = entries(app, action="application.view")
    download, = entries(app, action="upload.download")
    for entry in (view, download):
        assert entry.actor_email == "petugas@test.id"
        assert entry.ip == "127.0.0.1" and "AuditTest" in entry.user_agent
    assert view.object_type == "application" and view.object_id == str(application)
    assert download.object_type == "upload" and download.object_label == "ijazah.pdf"
    # The applicant opening their own page is not a staff view.
    login(client, "alumni@test.id")
    client.get(f"/permohonan/{application}")
    assert len(entries(app, action="application.view")) == 1


def test_role_and_user_changes_are_recorded_and_readable_by_admin_only(app, client, staff, make_user):
    target = make_user("baru@test.id")
    login(client, "admin@test.id")
    client.post(f"/admin/pengguna/{target.id}", data={"which": "membership", "role": "verifikator",
                                                      "unit": "akademik"})
    client.post(f"/admin/pengguna/{target.id}", data={"which": "active"})  # unticked: deactivated
    grant, = entries(app, action="role.grant")
    assert grant.details == {"role": "verifikator", "unit": "akademik"} and grant.object_label == "baru@test.id"
    update, = entries(app, action="user.update")
    assert update.details == {"is_active": False}

    page = html.unescape(client.get("/admin/audit?aksi=role.grant").get_data(as_text=True))
    assert "role.grant" in page and "baru@test.id" in page and "user.update" not in page
    login(client, "petugas@test.id")
    assert client.get("/admin/audit").status_code == 403


def test_audit_page_is_keyset_paginated(app, client, staff):
    from pintu.data import audit

    with app.app_context():
        for i in range(60):
            audit.record("test.bulk", ("thing", i))
    login(client, "admin@test.id")
    first = client.get("/admin/audit?aksi=test.bulk").get_data(as_text=True)
    assert first.count("test.bulk</code>") == 50 and "thing #59" in first and "thing #9<" not in first
    found = re.search(r'href="([^"]*sebelum=[^"]*)">Lebih lama', first)
    assert found
    next_link = html.unescape(found.group(1))
    second = client.get(next_link).get_data(as_text=True)
    assert second.count("test.bulk</code>") == 10 and "thing #0<" in second and "Lebih lama" not in second


def test_secrets_and_id_numbers_are_masked(app):
    from pintu.data import audit

    with app.app_context():
        audit.record("test.mask", ("user", 1, f"NIK {NIK}"), password="hunter2", reset_token="abc123",
                     nik=NIK, note=f"NIP 19800101 200501 1 001 dan NIK {NIK}", link="/reset?token=abcdef")
    entry, = entries(app, action="test.mask")
    stored = str(entry.details) + entry.object_label
    for secret in ("hunter2", "abc123", NIK, "19800101", "abcdef"):
        assert secret not in stored, secret
    assert entry.details["nik"].endswith("0001") and entry.details["password"] == "***"


boom = Blueprint("boom", __name__)


@boom.route("/uji-audit-gagal", methods=["POST"])
def failing():
    from pintu.data import audit
    from pintu.data.db import database
    from pintu.data.models import Unit

    with database.atomic():
        Unit.create(key="sementara", name="Unit sementara")
        audit.record("test.rolled_back", ("unit", "sementara"))
        raise RuntimeError("the request fails after recording")


class BoomPlugin:
    @hookimpl
    def pintu_blueprints(self):
        return [boom]


@pytest.mark.plugins(BoomPlugin())
def test_entry_survives_a_rolled_back_request(app, staff):
    from pintu.data.models import Unit

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    login(client, "admin@test.id")
    assert client.post("/uji-audit-gagal").status_code == 500
    with app.app_context():
        assert not Unit.select().where(Unit.key == "sementara").exists()  # the request's work was rolled back
    entry, = entries(app, action="test.rolled_back")
    assert entry.actor_email == "admin@test.id"


def test_log_is_append_only_in_the_database(app):
    from peewee import DatabaseError, IntegrityError

    from pintu.data import audit
    from pintu.data.db import database
    from pintu.data.models import AuditEntry

    with app.app_context():
        audit.record("test.keep", ("thing", 1))
        with pytest.raises((DatabaseError, IntegrityError)):
            with database.atomic():
                AuditEntry.update(action="tampered").execute()
        with pytest.raises((DatabaseError, IntegrityError)):
            with database.atomic():
                AuditEntry.delete().execute()
        entry = AuditEntry.get()
        assert entry.action == "test.keep"
        with pytest.raises(PermissionError):
            entry.delete_instance()
