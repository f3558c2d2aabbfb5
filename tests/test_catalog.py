"""Services declared as data (pintu.contract.catalog): strict parsing, conditional fields and requirements
through the HTTP form, and one plugin per service file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from pintu.contract.catalog import CatalogError, ServicePack, load_service
from pintu.testing import app_id_of, count_rows, field_error, get_application, login, pdf

SERVICE = """
slug = "uji-izin"
title = "Izin Operasional Uji"
title_source = "IZIN OPERASIONAL UJI"
category = "Uji"
summary = "Layanan uji untuk izin baru atau perpanjangan."
completion_text = "± 7,5 jam"
completion_time = { amount = 7.5, unit = "jam" }
product = "Surat izin"

[manufacturing]
dasar_hukum = ["Peraturan Uji Nomor 1"]
jumlah_pelaksana = "2 (dua) orang"

[[fields]]
key = "jenis"
label = "Jenis permohonan"
type = "radio"
choices = [["baru", "Izin baru"], ["perpanjangan", "Perpanjangan izin"]]

[[fields]]
key = "nomor_izin_lama"
label = "Nomor izin lama"
show_if = { field = "jenis", equals = "perpanjangan" }

[[requirements]]
key = "proposal"
label = "Proposal pendirian"
required_if = { field = "jenis", in = ["baru"] }

[[requirements]]
key = "izin_lama"
label = "Fotokopi izin operasional lama"
required_if = { field = "jenis", in = ["perpanjangan"] }

[[steps]]
key = "verifikasi"
title = "Verifikasi oleh Seksi Uji"
unit = "seksi-uji"
"""


def _pack(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-izin-uji.toml").write_text(SERVICE)
    return ServicePack(folder, {"seksi-uji": "Seksi Uji"})


# Built at import: the plugins marker takes plugin objects when the tests are collected.
PACK = _pack(Path(tempfile.mkdtemp(prefix="pintu-pack-")) / "services")
PLUGIN = PACK.plugins["izin_uji"]


def test_unknown_keys_are_refused_naming_the_file(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(SERVICE.replace('product = "Surat izin"', 'produk = "Surat izin"'))
    with pytest.raises(CatalogError, match=r"x\.toml.*produk"):
        load_service(path)
    path.write_text(SERVICE.replace('type = "radio"', 'type = "slider"'))
    with pytest.raises(CatalogError, match="slider"):
        load_service(path)


def test_a_service_file_becomes_a_declaration_with_its_standard():
    pack = PACK
    service = pack.plugins["izin_uji"].entry.service
    assert [s.key for s in service.steps] == ["kelengkapan", "verifikasi", "pengambilan"]
    assert service.completion_time.label == "7,5 jam"
    assert service.completion_label == "± 7,5 jam"
    items = dict(service.manufacturing_items())
    assert items["Dasar hukum"] == ["Peraturan Uji Nomor 1"]
    assert items["Kompetensi pelaksana"] == "Belum ditetapkan"
    proposal = service.requirements[0]
    assert proposal.condition_text == "Wajib jika Jenis permohonan: Izin baru"
    assert pack.plugins["izin_uji"].pintu_units() == [("seksi-uji", "Seksi Uji")]


def _submit(client, **data):
    return client.post("/layanan/uji-izin/ajukan", data={"submit": "1", **data},
                       content_type="multipart/form-data")


@pytest.fixture
def applicant(app, client, make_user):
    make_user("pemohon@test.id")
    login(client, "pemohon@test.id")
    return client


@pytest.mark.plugins(PLUGIN)
def test_hidden_field_is_neither_required_nor_stored(app, applicant):
    r = _submit(applicant, jenis="baru", nomor_izin_lama="999/LAMA", file_proposal=pdf("proposal.pdf"))
    data = get_application(app, app_id_of(r)).data
    assert data["jenis"] == "baru"
    assert data.get("nomor_izin_lama") in (None, "")  # the hidden answer is dropped


@pytest.mark.plugins(PLUGIN)
def test_shown_field_and_conditional_document_are_reported_together(app, applicant):
    r = _submit(applicant, jenis="perpanjangan")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_error(page, "nomor_izin_lama") == "Wajib diisi."
    assert field_error(page, "file_izin_lama")  # the perpanjangan document is missing
    assert field_error(page, "file_proposal") is None  # the izin baru document is not asked for
    assert "Wajib jika Jenis permohonan: Perpanjangan izin" in page
    assert count_rows(app) == 0  # nothing saved


@pytest.mark.plugins(PLUGIN)
def test_the_document_of_the_other_variant_is_not_required(app, applicant):
    r = _submit(applicant, jenis="perpanjangan", nomor_izin_lama="12/2020", file_izin_lama=pdf("lama.pdf"))
    assert get_application(app, app_id_of(r)).status == "in_process"


@pytest.mark.plugins(PLUGIN)
def test_the_form_marks_conditional_fields_for_the_browser(app, applicant):
    page = applicant.get("/layanan/uji-izin/ajukan").get_data(as_text=True)
    assert 'data-show-if="jenis=perpanjangan"' in page
