"""Inpassing Pertama of LLDIKTI Wilayah VI from application to verified SK, over HTTP, as each actor
sees it: the lecturer applies, the Pimpinan PTS endorses through the e-mailed link (no account),
Fungsi Kepegawaian verifies (the clock starts), prepares the SK, the Kepala LLDIKTI signs (PINTU
numbers and renders the SK with its QR code), the SK is uploaded and handed over; the public
verification page says the SK is genuine."""

from __future__ import annotations

import re

import pytest

from pintu.testing import act, app_id_of, get_application, hidden_fields, login, mails_to, pdf

pytestmark = pytest.mark.config(INSTITUTION_KEY="lldikti6", CLOCK_NOW="2026-11-25T03:00:00")

SLUG = "ll6-inpassing-pertama"
PTS_EMAIL = "rektor@univ-contoh.ac.id"
LINK = re.compile(r"https?://[^/\s]+(/pihak-luar/\S+)")


@pytest.fixture
def cast(make_user):
    make_user("dosen@univ-contoh.ac.id", category="dosen", name="Dewi Lestari")
    make_user("kepeg@lldikti6.test", "verifikator", "ll6-kepegawaian")
    make_user("kepala@lldikti6.test", "pimpinan", name="Kepala LLDIKTI")
    make_user("ult@lldikti6.test", "petugas")


def test_inpassing_pertama_from_application_to_a_verified_sk(app, client, cast):
    login(client, "dosen@univ-contoh.ac.id")
    data = {"nidn": "0601018001", "nama_pts": "Universitas Contoh", "jabatan_akademik": "asisten_ahli",
            "nama_pimpinan_pts": "Prof. Budi Rektor", "email_pimpinan_pts": PTS_EMAIL, "submit": "1"}
    files = {f"file_{k}": pdf(f"{k}.pdf") for k in ("sk_jabatan_akademik", "ijazah_transkrip", "skp")}
    app_id = app_id_of(client.post(f"/layanan/{SLUG}/ajukan", data={**data, **files},
                                   content_type="multipart/form-data"))
    assert get_application(app, app_id).step == "pimpinan_pts"

    # The Pimpinan PTS, without an account, endorses through the link and uploads the request letter.
    url = LINK.search(mails_to(app, PTS_EMAIL)[-1]).group(1)
    party = app.test_client()
    page = party.get(url).get_data(as_text=True)
    assert "Surat permohonan dari Pimpinan Perguruan Tinggi Swasta" in page and "Dewi Lestari" in page
    r = party.post(url, data={**hidden_fields(page), "action": "endorse", "name": "Prof. Budi Rektor",
                              "capacity": "Rektor", "note": "", "file_surat_permohonan_pts": pdf("permohonan.pdf")},
                   content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    application = get_application(app, app_id)
    assert application.step == "verifikasi" and application.due_date is None  # the clock has not started

    login(client, "kepeg@lldikti6.test")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get_application(app, app_id).due_date is not None  # 20 hari kerja from "lengkap dan benar"
    act(client, app, app_id, "drafted")
    login(client, "kepala@lldikti6.test")
    act(client, app, app_id, "approve")
    with app.app_context():
        from pintu.data.models import IssuedDocument

        sk = IssuedDocument.get(IssuedDocument.application == app_id)
        assert re.fullmatch(r"0001/LL6/KP/2026", sk.number), sk.number
        assert sk.stored_name and sk.sha256
    login(client, "kepeg@lldikti6.test")
    act(client, app, app_id, "uploaded", file_sk_inpassing=pdf("sk-bertanda-tangan.pdf"))
    assert get_application(app, app_id).status == "ready"

    # The lecturer sees the SK among the service's documents and on the timeline who endorsed it.
    login(client, "dosen@univ-contoh.ac.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert sk.number in page and "Usulan diverifikasi dan diajukan oleh Pimpinan PTS" in page
    assert "Jember" not in page and "polije" not in page  # LLDIKTI VI's letterhead and footer, not Polije's
    login(client, "kepeg@lldikti6.test")  # staff read who exactly endorsed it
    assert "Prof. Budi Rektor, Rektor" in client.get(f"/permohonan/{app_id}").get_data(as_text=True)

    # Anyone holding the paper SK can check it: genuine, with its number, never the application.
    public = app.test_client().get(f"/verifikasi/{sk.code}").get_data(as_text=True)
    assert "Dokumen asli" in public and sk.number in public and sk.sha256 in public
    assert "0601018001" not in public and "Dewi Lestari" not in public
