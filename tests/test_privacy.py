"""Who may download what, the complainant's confidential identity, and the applicant's personal data
(export, account deletion, retention) through HTTP and the CLI."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import zipfile

import pytest

from pintu.testing import app_id_of, get_application as get, login, mails_to, pdf, png

SLUG = "pengaduan-masyarakat"
APPLICANT = "warga@test.id"
NAME = "Budi Rahasiawan"
NIK = "3509120101900001"
UNIT = "keu@test.id"
URAIAN = ("Lampu penerangan di area parkir Gedung Serba Guna padam sejak dua minggu lalu sehingga rawan bagi "
          "pengunjung pada malam hari.")
VALID = {"tanggal_pengaduan": "2026-01-05", "bidang": "keuangan_sarana", "uraian": URAIAN,
         "lokasi_waktu": "Area parkir GSG"}


@pytest.fixture
def people(app, staff, make_user):
    from pintu.data.models import User

    user = make_user(APPLICANT, category="masyarakat", name=NAME)
    with app.app_context():
        User.update(id_number=NIK, phone="081298765432").where(User.id == user.id).execute()
    make_user(UNIT, "verifikator", "umum_keuangan")
    return staff


def complain(client, **extra):
    login(client, APPLICANT)
    data = dict(VALID, file_bukti_pendukung=png("lampu.png"), submit="1")
    if not extra.get("lapor_anonim"):
        data["file_surat_pengaduan"] = pdf("surat_pengaduan.pdf")
    data.update(extra)
    return app_id_of(client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data"))


def act(client, app, app_id, action, **data):
    data = {"action": action, "version": get(app, app_id).version, "note": "", **data}
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", data=data)
    assert r.status_code == 200, r.get_data(as_text=True)[:1000]


def routed(client, app, app_id):
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    act(client, app, app_id, "dispose", units=["umum_keuangan"], note="Mohon ditindaklanjuti.")


def uploads_of(app, app_id):
    from pintu.data.models import Upload

    with app.app_context():
        return {u.requirement: u.id for u in Upload.select().where(Upload.application == app_id)}


def viewer(app, email):
    """A fresh client logged in as ``email`` (no flashed messages left over from other users)."""
    c = app.test_client()
    login(c, email)
    c.get("/")  # consumes the welcome message
    return c


def text(response):
    return html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------------------
# Item 2: every download follows who may see the message or step it belongs to
# ---------------------------------------------------------------------------

def test_internal_note_attachment_is_staff_only(app, client, people):
    from pintu.data.models import Message

    app_id = complain(client)
    login(client, "petugas@test.id")
    r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Catatan internal: cek CCTV.", "internal": "1",
                                                          "attachment": pdf("internal.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Mohon kirim foto tambahan.",
                                                          "attachment": pdf("untuk_pemohon.pdf")},
                    content_type="multipart/form-data")
    with app.app_context():
        internal = Message.get(Message.internal == True).attachment_id  # noqa: E712
        public = Message.get(Message.internal == False).attachment_id  # noqa: E712
    assert client.get(f"/berkas/{internal}").status_code == 200  # staff who can see the application

    login(client, APPLICANT)
    denied = client.get(f"/berkas/{internal}")
    unknown = client.get("/berkas/999999")
    assert denied.status_code == unknown.status_code == 404
    assert "Tidak ditemukan" in text(denied) and "Tidak ditemukan" in text(unknown)  # same answer as an unknown id
    ok = client.get(f"/berkas/{public}")
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"


def test_released_product_reaches_the_applicant(app, client, people):
    from pintu.data.models import Upload

    app_id = complain(client)
    routed(client, app, app_id)
    login(client, UNIT)
    from pintu.data.models import Disposition

    with app.app_context():
        disposition = Disposition.get(Disposition.application == app_id).id
    client.post(f"/petugas/permohonan/{app_id}/jawab", data={"disposition": disposition, "answer": "Sudah diganti.",
                                                             "version": get(app, app_id).version})
    login(client, "petugas@test.id")
    act(client, app, app_id, "ajukan_jawaban", internal_note="Rancangan")
    login(client, "pimpinan@test.id")
    r = client.post(f"/petugas/permohonan/{app_id}/aksi",
                    data={"action": "kirim_jawaban", "version": get(app, app_id).version, "note": "Jawaban resmi.",
                          "file_surat_balasan": pdf("balasan.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 200
    with app.app_context():
        letter = Upload.get(Upload.requirement == "surat_balasan").id
    login(client, APPLICANT)
    assert client.get(f"/berkas/{letter}").status_code == 200


# ---------------------------------------------------------------------------
# Item 3: the unit complained about sees the complaint, not the complainant
# ---------------------------------------------------------------------------

def test_unit_sees_complaint_but_not_the_complainant(app, client, people):
    from pintu.data.models import Notification, User

    app_id = complain(client)
    login(client, APPLICANT)
    client.post(f"/permohonan/{app_id}/pesan", data={"body": "Saya tambahkan: lampu di tangga juga mati."})
    routed(client, app, app_id)
    files = uploads_of(app, app_id)

    client = viewer(app, UNIT)
    page = text(client.get(f"/permohonan/{app_id}"))
    assert URAIAN in page and "lampu di tangga juga mati" in page  # the complaint itself
    for secret in (NAME, APPLICANT, "081298765432", NIK):
        assert secret not in page, secret
    assert "Pelapor dirahasiakan" in page
    inbox = text(client.get("/petugas/"))
    assert get(app, app_id).reference in inbox and NAME not in inbox and "Pelapor dirahasiakan" in inbox
    assert client.get(f"/berkas/{files['surat_pengaduan']}").status_code == 404  # the signed letter names them
    assert client.get(f"/berkas/{files['bukti_pendukung']}").status_code == 200  # evidence is the complaint
    with app.app_context():
        unit = User.get(User.email == UNIT)
        notes = [n.message for n in Notification.select().where(Notification.user == unit.id)]
    assert notes and not any(NAME in n for n in notes)
    assert mails_to(app, UNIT) == []

    # The narahubung (and the leadership) see who complained.
    login(client, "petugas@test.id")
    page = text(client.get(f"/permohonan/{app_id}"))
    assert NAME in page and APPLICANT in page and NIK in page
    assert client.get(f"/berkas/{files['surat_pengaduan']}").status_code == 200


def test_anonymous_report_hides_identity_from_the_narahubung_too(app, client, people):
    login(client, APPLICANT)
    form = text(client.get(f"/layanan/{SLUG}/ajukan"))
    assert "Laporkan secara anonim" in form
    app_id = complain(client, lapor_anonim="y")  # no signed letter needed
    assert get(app, app_id).status == "in_process"
    own = text(client.get(f"/permohonan/{app_id}"))
    assert NAME in own and "anonim" in own

    client = viewer(app, "petugas@test.id")
    page = text(client.get(f"/permohonan/{app_id}"))
    assert URAIAN in page and NAME not in page and APPLICANT not in page and NIK not in page
    assert "Pelapor dirahasiakan" in page
    act(client, app, app_id, "lengkap")
    assert any("Pengaduan dinyatakan lengkap" in m for m in mails_to(app, APPLICANT))  # answers still arrive


# ---------------------------------------------------------------------------
# Item 8: personal data - export, deletion, retention
# ---------------------------------------------------------------------------

def test_export_zip_holds_what_the_applicant_may_see(app, client, people):
    app_id = complain(client)
    login(client, APPLICANT)
    client.post(f"/permohonan/{app_id}/pesan", data={"body": "Pesan dari saya."})
    login(client, "petugas@test.id")
    client.post(f"/permohonan/{app_id}/pesan", data={"body": "RAHASIA-INTERNAL cek CCTV", "internal": "1",
                                                     "attachment": pdf("internal_cctv.pdf")},
                content_type="multipart/form-data")
    act(client, app, app_id, "lengkap", internal_note="CATATAN-INTERNAL-LENGKAP")

    login(client, APPLICANT)
    assert 'href="/profil/data-saya.zip"' in text(client.get("/profil"))
    r = client.get("/profil/data-saya.zip")
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Cache-Control"] == "no-store" and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.get_data()))
    names = archive.namelist()
    profile = json.loads(archive.read("profil.json"))
    assert profile["nama"] == NAME and profile["nip_nik"] == NIK
    reference = get(app, app_id).reference
    record = json.loads(archive.read(f"permohonan/{reference}/permohonan.json"))
    assert record["data"]["uraian"] == URAIAN
    assert any(m["isi"] == "Pesan dari saya." for m in record["pesan"])
    assert any("lengkap" in e["message"] for e in record["riwayat"])
    everything = b"".join(archive.read(n) for n in names)
    assert b"RAHASIA-INTERNAL" not in everything and b"CATATAN-INTERNAL-LENGKAP" not in everything
    files = [n for n in names if "/berkas/" in n]
    assert any(n.endswith("surat_pengaduan.pdf") for n in files) and any(n.endswith("lampu.png") for n in files)
    assert not any("internal_cctv" in n for n in files)
    assert "notifikasi.json" in names
    from pintu.data.models import AuditEntry

    with app.app_context():
        assert AuditEntry.select().where(AuditEntry.action == "privacy.export",
                                         AuditEntry.actor_email == APPLICANT).count() == 1

    # Nobody else's data: another applicant's export has none of it.
    client.post("/keluar")
    assert client.get("/profil/data-saya.zip").status_code == 302  # login first


def test_deletion_waits_for_open_applications_then_admin_anonymises(app, client, people):
    from pintu.data import uploads
    from pintu.data.models import Application, DeletionRequest, Upload, User

    app_id = complain(client)
    r = client.post("/profil/hapus-akun", data={"confirm": "1"}, follow_redirects=True)
    assert "masih ada permohonan yang berjalan" in text(r) and get(app, app_id).reference in text(r)
    with app.app_context():
        assert DeletionRequest.select().count() == 0
    client.post(f"/permohonan/{app_id}/batal", data={"version": get(app, app_id).version})
    assert get(app, app_id).status == "cancelled"
    r = client.post("/profil/hapus-akun", data={"confirm": "1", "reason": "Tidak memakai lagi"}, follow_redirects=True)
    assert "Permintaan penghapusan akun diterima" in text(r)
    with app.app_context():
        stored = [uploads.path_of(u.stored_name) for u in Upload.select().where(Upload.application == app_id)]
        req = DeletionRequest.get()
    assert stored and all(p.exists() for p in stored)

    login(client, "admin@test.id")
    listing = text(client.get("/admin/penghapusan-akun"))
    assert APPLICANT in listing
    r = client.post(f"/admin/penghapusan-akun/{req.id}/jalankan", follow_redirects=True)
    assert "Akun dianonimkan" in text(r)
    assert not any(p.exists() for p in stored)
    with app.app_context():
        user = User.get_by_id(req.user_id)
        assert (user.name, user.id_number, user.phone, user.is_active) == ("Akun dihapus", "", "", False)
        assert not User.select().where(User.email == APPLICANT).exists()
        application = Application.get_by_id(app_id)
        assert application.applicant.email != APPLICANT
        assert application.data["uraian"] is None and application.data["bidang"] == "keuangan_sarana"
        assert all(u.purged_at is not None for u in Upload.select().where(Upload.application == app_id))
    assert login(client, APPLICANT).status_code != 302  # the old login no longer works
    from pintu.data.models import AuditEntry

    with app.app_context():
        done = AuditEntry.get(AuditEntry.action == "account.deleted")
        assert done.actor_email == "admin@test.id" and APPLICANT not in str(done.details)


def _closed_application(app, client, days_ago):
    from pintu.data.models import Application

    app_id = complain(client)
    login(client, APPLICANT)
    client.post(f"/permohonan/{app_id}/batal", data={"version": get(app, app_id).version})
    with app.app_context():
        Application.update(closed_at=dt.datetime.utcnow() - dt.timedelta(days=days_ago)).where(
            Application.id == app_id).execute()
    return app_id


@pytest.mark.config(RETENTION_DAYS=30)
def test_purge_expired_is_idempotent(app, client, people):
    from pintu.data import uploads
    from pintu.data.models import Upload

    old = _closed_application(app, client, 31)
    recent = _closed_application(app, client, 5)
    with app.app_context():
        old_files = [uploads.path_of(u.stored_name) for u in Upload.select().where(Upload.application == old)]
    runner = app.test_cli_runner()
    first = runner.invoke(args=["purge-expired"])
    assert first.exit_code == 0, first.output
    assert "1 permohonan dianonimkan" in first.output and get(app, old).reference in first.output
    assert not any(p.exists() for p in old_files)
    anonymised = get(app, old)
    assert anonymised.data["uraian"] is None and anonymised.applicant.email != APPLICANT
    assert get(app, recent).data["uraian"] == URAIAN and get(app, recent).applicant.email == APPLICANT
    with app.app_context():
        snapshot = [(u.id, u.purged_at) for u in Upload.select().order_by(Upload.id)]
    second = runner.invoke(args=["purge-expired"])
    assert second.exit_code == 0 and "tidak ada perubahan" in second.output
    with app.app_context():
        assert [(u.id, u.purged_at) for u in Upload.select().order_by(Upload.id)] == snapshot
    assert get(app, old).version == anonymised.version
    # The anonymised application's files answer 404 to everyone.
    login(client, "petugas@test.id")
    with app.app_context():
        purged = Upload.select().where(Upload.application == old).first().id
    assert client.get(f"/berkas/{purged}").status_code == 404


@pytest.mark.config(RETENTION_DAYS=0)
def test_purge_disabled_with_zero(app, client, people):
    old = _closed_application(app, client, 5000)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert "tidak ada yang dianonimkan" in result.output
    assert get(app, old).data["uraian"] == URAIAN


def test_masked_inbox_costs_the_same_queries_whatever_the_rows(app, client, people):
    """Masking is decided from the viewer's cached roles: no query per row."""
    import logging

    class Counter(logging.Handler):
        n = 0

        def emit(self, record):
            Counter.n += 1

    def inbox_queries():
        handler = Counter()
        logger = logging.getLogger("peewee")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        Counter.n = 0
        try:
            page = text(unit.get("/petugas/"))
        finally:
            logger.removeHandler(handler)
        return Counter.n, page.count("Pelapor dirahasiakan")

    routed(client, app, complain(client))
    unit = viewer(app, UNIT)
    one = inbox_queries()
    for _ in range(4):
        routed(client, app, complain(client))
    five = inbox_queries()
    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0]
