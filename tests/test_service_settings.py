"""Settings an administrator can change per service (pintu.engine.service_settings): published at once,
used by the clock and the submission rules, audited, guarded against two admins saving at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pintu.testing import act, app_id_of, count_rows, field_error, get_application, login, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
URL = "/admin/layanan/legalisir"


def _version(client) -> str:
    return re.search(r'name="version" type="hidden" value="(\d*)"|type="hidden" name="version" value="(\d*)"',
                     client.get(URL).get_data(as_text=True)).group(0).rsplit('"', 2)[-2]


def _settings(client, **values):
    return client.post(URL, data={"version": _version(client), "completion_unit": "hari_kerja", **values})


def _submit(client):
    return client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                                                           "file_transkrip": pdf("transkrip.pdf")},
                       content_type="multipart/form-data")


def test_only_administrators_reach_the_settings(app, client, staff):
    login(client, "petugas@test.id")
    assert client.get(URL).status_code in (403, 404)
    login(client, "admin@test.id")
    assert client.get("/admin/layanan").status_code == 200


def test_fee_and_texts_are_published_at_once_and_audited(app, client, staff):
    login(client, "admin@test.id")
    r = _settings(client, tariff_amount="150000", tariff_per="hari", tariff_payer="pemohon dari luar kampus",
                  product="Legalisir bercap basah")
    assert r.status_code == 302
    page = client.get("/layanan/legalisir").get_data(as_text=True)
    assert "Rp150.000 per hari, dibayar oleh pemohon dari luar kampus" in page
    assert "Legalisir bercap basah" in page
    with app.app_context():
        from pintu.data.models import AuditEntry

        entry = AuditEntry.select().where(AuditEntry.action == "service.settings").get()
        assert entry.object_id == "legalisir"
        assert set(entry.details["changed"]) == {"tariff_amount", "tariff_per", "tariff_payer", "product"}
    # emptied fields drop the override: the declaration is published again
    r = _settings(client)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = re.sub(r"<[^>]+>", " ", client.get("/layanan/legalisir").get_data(as_text=True))
    assert "Tidak dipungut biaya" in page, page[page.find("Biaya"):][:300]


def test_a_second_admin_saving_an_old_form_is_told_and_changes_nothing(app, client, staff, make_user):
    login(client, "admin@test.id")
    stale = _version(client)
    _settings(client, fee="Rp5.000 per lembar")
    r = client.post(URL, data={"version": stale, "completion_unit": "hari_kerja", "fee": "Gratis"},
                    follow_redirects=True)
    assert "baru saja diubah oleh administrator lain" in r.get_data(as_text=True)
    assert "Rp5.000 per lembar" in client.get("/layanan/legalisir").get_data(as_text=True)


def test_a_wrong_period_line_is_explained_and_the_input_kept(app, client, staff):
    login(client, "admin@test.id")
    r = _settings(client, periods="1 April 2026 sampai akhir bulan", product="Teks yang diketik")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Baris 1: tulis tanggal mulai dan selesai sebagai TTTT-BB-HH" in field_error(page, "periods")
    assert "Teks yang diketik" in page and "1 April 2026 sampai akhir bulan" in page


@pytest.mark.config(CLOCK_NOW="2026-11-25T03:00:00")  # Wednesday 25-11-2026 10:00 WIB
def test_outside_the_proposal_periods_a_submission_is_refused_and_a_draft_kept(app, client, staff, make_user):
    login(client, "admin@test.id")
    assert _settings(client, periods="2026-04-01 s.d. 2026-04-30 Periode I\n2026-10-01 s.d. 2026-10-31 Periode II"
                     ).status_code == 302
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = _submit(client)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "hanya diterima pada periode: Periode I: 1 April 2026 s.d. 30 April 2026" in page
    assert count_rows(app) == 0
    draft = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "save": "1"}, content_type="multipart/form-data")
    assert get_application(app, app_id_of(draft)).status == "draft"
    login(client, "admin@test.id")
    _settings(client, periods="2026-11-01 s.d. 2026-11-30 Periode III")
    login(client, "alumni@test.id")
    assert get_application(app, app_id_of(_submit(client))).status == "in_process"


@pytest.mark.config(CLOCK_NOW="2026-11-25T03:00:00")  # Wednesday
def test_the_clock_counts_the_completion_time_the_admin_set(app, client, staff, make_user):
    login(client, "admin@test.id")
    _settings(client, completion_amount="1", completion_text="Maksimal 1 hari kerja")
    assert "Maksimal 1 hari kerja" in client.get("/layanan/legalisir").get_data(as_text=True)
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    app_id = app_id_of(_submit(client))
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    assert get_application(app, app_id).due_date == dt.date(2026, 11, 26)  # declared: 3 working days (30-11)
