"""Files at a staff step (the product delivered there) go through the application page's one action
path: every refused file is reported at once, nothing is moved, and good files are stored."""

from __future__ import annotations

import pytest

from pintu import Requirement, Service, Step, approve, demo_application, hookimpl, sample_pdf
from pintu.testing import events_of, get_application, login, pdf


def text(response) -> str:
    return response.get_data(as_text=True)

LETTER = Requirement("surat_jawaban", "Surat jawaban", types=("pdf",), max_mb=1)
REPORT = Requirement("laporan", "Laporan kegiatan", types=("pdf",), max_mb=1)


class TwoProducts:
    SERVICE = Service(
        slug="dua-produk", title="Dua Produk", category="Uji", summary="Layanan uji dua produk.",
        requirements=[Requirement("surat", "Surat permohonan")],
        steps=[Step("terbit", "Penerbitan surat jawaban dan laporan", role="petugas",
                    requirements=[LETTER, REPORT], actions=[approve("Unggah dan selesaikan", "terbit")])],
    )

    @hookimpl
    def pintu_services(self):
        return [self.SERVICE]


@pytest.fixture
def waiting(app, make_user):
    applicant = make_user("pemohon@test.id", category="mahasiswa")
    make_user("petugas@test.id", "petugas")
    with app.app_context():
        application = demo_application(TwoProducts.SERVICE, applicant, {}, {"surat": sample_pdf()})
        return application.id, application.version


@pytest.mark.plugins(TwoProducts())
def test_every_refused_file_of_a_staff_step_is_reported_at_once(app, client, waiting):
    app_id, version = waiting
    login(client, "petugas@test.id")
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", content_type="multipart/form-data",
                    data={"action": "terbit", "version": version,
                          "file_surat_jawaban": pdf("jawaban.pdf", b"not a pdf at all"),
                          "file_laporan": pdf("laporan.pdf", b"neither is this")})
    assert r.status_code == 422
    page = text(r)
    assert "Surat jawaban:" in page and "Laporan kegiatan:" in page
    assert get_application(app, app_id).version == version  # nothing moved
    assert [e[0] for e in events_of(app, app_id)] == ["submitted"]

    r = client.post(f"/petugas/permohonan/{app_id}/aksi", content_type="multipart/form-data",
                    data={"action": "terbit", "version": version,
                          "file_surat_jawaban": pdf("jawaban.pdf"), "file_laporan": pdf("laporan.pdf")})
    assert r.status_code == 200, text(r)
    application = get_application(app, app_id)
    assert application.status != "in_process" or application.step != "terbit"
