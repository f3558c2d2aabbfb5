"""The institution profile edited by the administrator: shown in the header, footer, e-mails and
service pages, read by plugins through ``pintu.contact_text``, audited, and used by the clock
(office hours for hour limits, closures such as cuti bersama as holidays)."""

from __future__ import annotations

import datetime as dt

import pytest

from pintu import Duration, Service, Step, approve, hookimpl, standard_steps
from pintu.testing import get_application, login, mails_to, pdf, png

LEGALISIR = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
             "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
HOURS = {f"hours_{d}": "08.00-12.00, 13.00-16.00" for d in range(4)} | {"hours_4": "08.00-11.00, 13.00-16.30",
                                                                         "hours_5": "", "hours_6": ""}


def profile_form(**changes):
    data = {"name": "Politeknik Negeri Contoh", "address": "Jalan Contoh 1, Jember",
            "map_url": "https://maps.example.test/kantor", "phone": "(0331) 999999", "email": "ult@contoh.ac.id",
            "website": "https://www.contoh.ac.id", "office_hours_text": "Senin-Jumat 08.00-16.00",
            "closures": "", **HOURS}
    data.update(changes)
    return data


@pytest.fixture
def admin(app, client, staff):
    login(client, "admin@test.id")
    return client


def test_admin_edits_the_profile_and_every_page_follows_it(app, admin):
    r = admin.post("/admin/profil", data=profile_form(closures="2026-12-24 Cuti bersama Natal"))
    assert r.status_code == 302
    home = admin.get("/").get_data(as_text=True)
    header, footer = home.split("<main", 1)[0], home.split("<footer", 1)[1]
    assert "Politeknik Negeri Contoh" in header and "Politeknik Negeri Jember" not in header + footer
    assert "Politeknik Negeri Contoh" in footer
    assert "(0331) 999999" in home and "ult@contoh.ac.id" in home and "Jalan Contoh 1, Jember" in home
    assert 'href="https://maps.example.test/kantor"' in home and "Senin-Jumat 08.00-16.00" in home
    # The built-in plugins' contact comes from the profile (pintu.contact_text), not a copied string.
    page = admin.get("/layanan/kartu-taspen").get_data(as_text=True)
    assert "Telp: (0331) 999999, Email: ult@contoh.ac.id atau humas@polije.ac.id" in page
    assert "333533" not in page
    # The form shows what was saved.
    form = admin.get("/admin/profil").get_data(as_text=True)
    assert "2026-12-24 Cuti bersama Natal" in form and 'value="08.00-11.00, 13.00-16.30"' in form
    # Audited with what changed.
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "institution.update" in log
    with app.app_context():
        from pintu.data.models import AuditEntry

        entry = AuditEntry.get(AuditEntry.action == "institution.update")
        assert entry.details["changed"]["name"] == "Politeknik Negeri Contoh"
        assert entry.details["changed"]["closures"] == "2026-12-24 Cuti bersama Natal"
        assert "office_hours_text" in entry.details["changed"]
    with app.app_context():
        from pintu.standards import institution

        assert institution.profile().contact == "Telp: (0331) 999999, Email: ult@contoh.ac.id"


def test_saving_the_same_profile_again_records_no_change(app, admin):
    admin.post("/admin/profil", data=profile_form())
    admin.post("/admin/profil", data=profile_form())
    with app.app_context():
        from pintu.data.models import AuditEntry

        assert AuditEntry.select().where(AuditEntry.action == "institution.update").count() == 1


def test_bad_entries_are_refused_with_a_message_and_nothing_is_saved(app, admin):
    r = admin.post("/admin/profil", data=profile_form(hours_0="8-12", closures="24/12/2026 Natal",
                                                       email="bukan-email"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Tulis seperti 08.00-12.00, 13.00-16.00" in page
    assert "Baris 1: tanggal" in page and "Alamat e-mail tidak valid." in page
    assert 'value="Politeknik Negeri Contoh"' in page  # what was typed stays
    assert "Politeknik Negeri Contoh" not in admin.get("/").get_data(as_text=True).split("<main", 1)[0]
    closed = {f"hours_{d}": "" for d in range(7)}
    page = admin.post("/admin/profil", data=profile_form(**closed)).get_data(as_text=True)
    assert "Isi jam buka sekurang-kurangnya satu hari." in page


def test_only_the_admin_edits_the_profile(app, client, staff):
    login(client, "pimpinan@test.id")
    assert client.get("/admin/profil").status_code == 403
    assert client.post("/admin/profil", data=profile_form()).status_code == 403


def test_logo_upload_is_sniffed_served_and_replaced(app, admin):
    bad = admin.post("/admin/profil", data={**profile_form(), "logo": pdf("logo.png")},
                     content_type="multipart/form-data")
    assert "Isi berkas bukan PNG, JPG" in bad.get_data(as_text=True)
    assert admin.get("/profil-instansi/logo").status_code == 404
    r = admin.post("/admin/profil", data={**profile_form(), "logo": png("logo.png")},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    logo = admin.get("/profil-instansi/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert 'class="brand-logo"' in admin.get("/").get_data(as_text=True)
    with app.app_context():
        from pintu.standards import institution

        path = institution.profile().logo_path
        assert path.endswith(".png")
    admin.post("/admin/profil", data={**profile_form(), "remove_logo": "y"})
    assert admin.get("/profil-instansi/logo").status_code == 404
    import os

    assert not os.path.exists(path)


@pytest.mark.config(CLOCK_NOW="2026-12-21T03:00:00")  # Monday 21-12-2026 10:00 WIB
def test_a_closure_set_in_the_profile_moves_the_due_date(app, admin, make_user):
    """Legalisir: 3 working days from "lengkap" on Monday 21-12 end on Thursday 24-12.  A cuti bersama on
    24-12 entered in the profile (and Natal on Friday 25-12) pushes the due date to Monday 28-12."""
    make_user("alumni@test.id", category="mahasiswa")
    make_user("sari@test.id", "petugas")

    def due_after_lengkap():
        applicant = app.test_client()
        login(applicant, "alumni@test.id")
        r = applicant.post("/layanan/legalisir/ajukan", content_type="multipart/form-data",
                           data={**LEGALISIR, "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                                 "file_transkrip": pdf("transkrip.pdf")})
        app_id = int(r.location.rstrip("/").split("/")[-1])
        petugas = app.test_client()
        login(petugas, "sari@test.id")
        from pintu.testing import act

        assert act(petugas, app, app_id, "lengkap").status_code == 200
        return get_application(app, app_id).due_date

    assert due_after_lengkap() == dt.date(2026, 12, 24)
    admin.post("/admin/profil", data=profile_form(closures="2026-12-24 Cuti bersama Natal"))
    assert due_after_lengkap() == dt.date(2026, 12, 28)
    # The e-mails carry the profile's name and contact.
    mail = mails_to(app, "alumni@test.id")[-1]
    assert "Politeknik Negeri Contoh · Telp: (0331) 999999, Email: ult@contoh.ac.id" in mail


class TwoHours:
    """A service whose standard is "maksimal 2 jam" of office time."""

    SERVICE = Service(slug="info-cepat", title="Informasi Cepat", category="Uji", summary="Uji jam layanan.",
                      steps=standard_steps(Step("jawab", "Jawaban", role="petugas", actions=[approve()])),
                      completion_time=Duration(2, "jam"))

    @hookimpl
    def pintu_services(self):
        return [self.SERVICE]


@pytest.mark.plugins(TwoHours())
@pytest.mark.config(CLOCK_NOW="2026-11-23T08:00:00")  # Monday 23-11-2026 15:00 WIB
def test_office_hours_set_in_the_profile_drive_hour_limits(app, admin, make_user):
    """2 office hours from Monday 15.00: with the default hours (close 16.00) the limit runs into
    Tuesday; when the profile keeps Monday open until 18.00 it ends on Monday."""
    make_user("warga@test.id", category="masyarakat")
    make_user("sari@test.id", "petugas")

    def due():
        applicant = app.test_client()
        login(applicant, "warga@test.id")
        r = applicant.post("/layanan/info-cepat/ajukan", data={"submit": "1"})
        app_id = int(r.location.rstrip("/").split("/")[-1])
        petugas = app.test_client()
        login(petugas, "sari@test.id")
        from pintu.testing import act

        assert act(petugas, app, app_id, "lengkap").status_code == 200
        return get_application(app, app_id).due_date

    assert due() == dt.date(2026, 11, 24)
    admin.post("/admin/profil", data=profile_form(hours_0="08.00-12.00, 13.00-18.00"))
    assert due() == dt.date(2026, 11, 23)


def test_settings_are_the_defaults_until_the_admin_edits(app, client):
    home = client.get("/").get_data(as_text=True)
    assert "Politeknik Negeri Jember" in home and app.config["CONTACT_PHONE"] in home
    assert "Senin–Kamis 08.00–16.00" in home  # OFFICE_HOURS_TEXT
