"""Form structure in the core (issue 7 item 3): conditional fields, repeated groups and computed
values, on a family-allowance letter (Surat Keterangan untuk Tunjangan Keluarga) declared in a few
lines: a spouse block shown only for a married applicant and a list of children."""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import DataRequired

from pintu import (Computed, Requirement, Service, Step, approve, conditional, hookimpl, repeated, send_back,
                   standard_steps)
from pintu import create_app
from pintu.testing import (BROWSER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, app_id_of, count_rows, field_error,
                           get_application, live_server, login, pdf, settled)


class ChildRow(Form):
    nama = StringField("Nama anak", validators=[DataRequired("Wajib diisi.")])
    tanggal_lahir = DateField("Tanggal lahir", format="%Y-%m-%d",
                              validators=[DataRequired("Isi tanggal lahir dengan format yang benar.")])


class FamilyForm(FlaskForm):
    status_kawin = SelectField("Status perkawinan", choices=[("belum", "Belum kawin"), ("kawin", "Kawin")])
    nama_pasangan = StringField("Nama suami/istri", **conditional("status_kawin", "kawin"))
    anak = repeated(ChildRow, "Anak yang ditanggung", min_rows=0, max_rows=3, add_label="Tambah anak")


SERVICE = Service(
    slug="tunjangan-keluarga", title="Surat Keterangan Tunjangan Keluarga", category="Kepegawaian",
    summary="Surat keterangan untuk pembayaran tunjangan keluarga.", form=FamilyForm,
    requirements=[Requirement("kk", "Kartu keluarga")],
    computed=[Computed("jumlah_anak", "Jumlah anak yang ditanggung", lambda data: len(data.get("anak") or []))],
    steps=standard_steps(Step("verifikasi", "Verifikasi Kepegawaian", role="pimpinan",
                              actions=[approve("Setujui", "ok"), send_back()])),
)


class FamilyPlugin:
    __name__ = "family_plugin"

    @hookimpl
    def pintu_services(self):
        return [SERVICE]


PLUGIN = FamilyPlugin()
URL = "/layanan/tunjangan-keluarga/ajukan"


@pytest.fixture
def applicant(app, client, make_user):
    make_user("pegawai@test.id")
    login(client, "pegawai@test.id")
    return client


def post(client, url=URL, **data):
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.plugins(PLUGIN)
def test_every_error_on_the_right_row_in_one_round_and_nothing_lost(app, applicant):
    r = post(applicant, submit="1", status_kawin="kawin", nama_pasangan="",
             **{"anak-0-nama": "Ani", "anak-0-tanggal_lahir": "2015-02-01",
                "anak-1-nama": "Budi", "anak-1-tanggal_lahir": "bukan tanggal"}, file_kk=pdf("kk.pdf"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_error(page, "nama_pasangan") == "Wajib diisi."          # the shown spouse block
    assert field_error(page, "anak-1-tanggal_lahir") == "Isi tanggal lahir dengan format yang benar."
    assert field_error(page, "anak-0-tanggal_lahir") is None              # the first child is fine
    assert 'value="Budi"' in page and 'value="Ani"' in page              # rows kept as typed
    assert "Sudah diunggah: kk.pdf" in page                               # the file kept too
    assert count_rows(app) == 0


@pytest.mark.plugins(PLUGIN)
def test_rows_and_computed_values_are_stored_and_shown_readably(app, applicant, staff):
    r = post(applicant, submit="1", status_kawin="belum", nama_pasangan="tidak dipakai",
             **{"anak-0-nama": "Ani", "anak-0-tanggal_lahir": "2015-02-01",
                "anak-1-nama": "", "anak-1-tanggal_lahir": ""}, file_kk=pdf("kk.pdf"))
    app_id = app_id_of(r)
    data = get_application(app, app_id).data
    assert data["anak"] == [{"nama": "Ani", "tanggal_lahir": "2015-02-01"}]  # the blank row dropped
    assert data["jumlah_anak"] == 1
    assert data.get("nama_pasangan") in (None, "")  # hidden for an unmarried applicant: dropped
    login(applicant, "pimpinan@test.id")
    page = applicant.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "1. Nama anak: Ani; Tanggal lahir: 01-02-2015" in page
    assert "Jumlah anak yang ditanggung" in page
    assert "{&#39;nama&#39;" not in page and "{'nama'" not in page  # never a Python repr


@pytest.mark.plugins(PLUGIN)
def test_a_draft_reloads_row_by_row(app, applicant):
    r = post(applicant, save="1", status_kawin="kawin", nama_pasangan="Sari",
             **{"anak-0-nama": "Ani", "anak-0-tanggal_lahir": "2015-02-01",
                "anak-1-nama": "Budi", "anak-1-tanggal_lahir": "2018-07-09"})
    app_id = app_id_of(r)
    page = applicant.get(f"/permohonan/{app_id}/ubah").get_data(as_text=True)
    assert 'name="anak-1-nama"' in page and 'value="Budi"' in page and 'value="2018-07-09"' in page
    assert 'value="Sari"' in page


@pytest.mark.plugins(PLUGIN)
def test_rows_are_added_and_removed_up_to_the_bound(app, applicant):
    r = post(applicant, _tambah_baris="anak", status_kawin="belum")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="anak-0-nama"' in page and count_rows(app) == 0
    r = post(applicant, _tambah_baris="anak", **{"anak-0-nama": "Ani", "anak-1-nama": "Budi", "anak-2-nama": "Cici"})
    page = r.get_data(as_text=True)
    assert 'name="anak-2-nama"' in page and 'name="anak-3-nama"' not in page  # max_rows=3
    assert "Paling banyak 3 baris." in page
    r = post(applicant, _hapus_baris="anak-1", **{"anak-0-nama": "Ani", "anak-1-nama": "Budi", "anak-2-nama": "Cici"})
    page = r.get_data(as_text=True)
    names = re.findall(r'name="anak-\d-nama"[^>]*value="([^"]*)"', page) or re.findall(
        r'value="([^"]*)"[^>]*name="anak-\d-nama"', page)
    assert names == ["Ani", "Cici"]


@pytest.mark.plugins(PLUGIN)
def test_the_form_marks_the_conditional_block_for_the_browser(app, applicant):
    page = applicant.get(URL).get_data(as_text=True)
    assert 'data-show-if="status_kawin=kawin"' in page


# -- in a real headless Chromium (strict CSP, no inline script) ------------------------------------

@pytest.fixture
def base(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}", "PLUGINS": [PLUGIN],
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from pintu.people import accounts

        accounts.create_user("pegawai@test.id", "Ahmad Pegawai", PASSWORD, phone="0812345678", category="pegawai")
    with live_server(app) as url:
        yield url


@BROWSER[0]
@BROWSER[1]
def test_spouse_block_and_children_rows_in_browser(base):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(base + "/masuk")
        page.fill("#email", "pegawai@test.id")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(base + "/layanan/tunjangan-keluarga/ajukan")
        assert not page.is_visible("#nama_pasangan")  # belum kawin: no spouse block
        page.select_option("#status_kawin", "kawin")
        page.wait_for_selector("#nama_pasangan", state="visible")
        page.fill("#nama_pasangan", "Sari")
        page.click("text=Tambah anak")
        page.wait_for_selector("#anak-0-nama")
        settled(page)
        page.fill("#anak-0-nama", "Ani")
        page.click("text=Tambah anak")
        page.wait_for_selector("#anak-1-nama")
        settled(page)
        assert page.input_value("#nama_pasangan") == "Sari"  # only the group was swapped
        page.click("text=Hapus baris 1")
        page.wait_for_selector("#anak-1-nama", state="detached")
        settled(page)
        assert page.input_value("#anak-0-nama") == ""  # row 2 (empty) moved up; Ani's row removed
        assert page.input_value("#nama_pasangan") == "Sari"
        assert not errors, errors
        browser.close()
