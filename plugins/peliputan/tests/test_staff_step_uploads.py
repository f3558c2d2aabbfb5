"""Core addition used by this plugin: ``Step(requirements=[...])`` on a STAFF step.

The staff member uploads the product of the service (an answer letter, a press release) with the
action; a ``forward`` needs the required files; the files are stored as uploads of the application,
listed under "Dokumen hasil layanan" and downloadable by the applicant.  Tested with an inline service
so that the rule is checked independently of Peliputan Media's own declaration.
"""

from __future__ import annotations

import pytest

from pintu import Requirement, Service, Step, approve, hookimpl, refuse, standard_steps
from pintu.testing import PDF, get_application as _get, login, pdf, png


class OutputPlugin:
    @hookimpl
    def pintu_services(self):
        return [Service(
            slug="hasil-uji", code="HUJ", title="Hasil Uji", category="Uji", summary="Layanan uji",
            steps=standard_steps(
                Step("jawab", "Surat jawaban oleh pimpinan", role="pimpinan",
                     requirements=[Requirement("surat_jawaban", "Surat jawaban bertanda tangan"),
                                   Requirement("lampiran", "Lampiran jawaban", required=False,
                                               types=("pdf", "png"))],
                     actions=[approve("Setujui dan kirim surat jawaban", "setujui"), refuse()]),
            ))]


def _apply(client):
    r = client.post("/layanan/hasil-uji/ajukan", data={"submit": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.location.rstrip("/").split("/")[-1])


def _uploads(app, app_id):
    from pintu.data.models import Upload

    with app.app_context():
        return [(u.requirement, u.original_name, u.uploaded_by.email, u.superseded)
                for u in Upload.select().where(Upload.application == app_id).order_by(Upload.id)]


def _act(client, app, app_id, action, note="", **files):
    data = {"action": action, "version": str(_get(app, app_id).version), "note": note}
    data.update({f"file_{k}": v for k, v in files.items()})
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data=data, content_type="multipart/form-data")


@pytest.mark.plugins(OutputPlugin())
def test_staff_step_upload_is_required_stored_and_downloadable(app, client, staff, make_user):
    make_user("warga@test.id", category="masyarakat")
    login(client, "warga@test.id")
    app_id = _apply(client)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    # The product is not a requirement of the applicant ...
    assert "Dokumen hasil layanan" in page and "Surat jawaban bertanda tangan: <span class=\"muted\">belum tersedia" in page
    assert 'name="file_surat_jawaban"' not in page
    login(client, "petugas@test.id")
    assert _act(client, app, app_id, "lengkap").status_code == 200

    login(client, "pimpinan@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    # ... the staff form at that step takes it, as multipart through htmx.
    assert 'name="file_surat_jawaban"' in page and 'hx-encoding="multipart/form-data"' in page
    # Forward without the required file: refused with the file's message, nothing moves.
    r = _act(client, app, app_id, "setujui")
    assert r.status_code == 422 and "Surat jawaban bertanda tangan wajib diunggah." in r.get_data(as_text=True)
    assert _get(app, app_id).step == "jawab"
    # A PNG where a PDF is required: refused before anything is stored.
    r = _act(client, app, app_id, "setujui", surat_jawaban=png("jawaban.pdf"))
    assert r.status_code == 422 and "Surat jawaban bertanda tangan" in r.get_data(as_text=True)
    assert _uploads(app, app_id) == [] and _get(app, app_id).step == "jawab"
    # The right file moves it on and is stored as the pimpinan's upload.
    r = _act(client, app, app_id, "setujui", surat_jawaban=pdf("surat_jawaban.pdf"), lampiran=png("denah.png"))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _get(app, app_id).status == "ready"
    assert _uploads(app, app_id) == [("surat_jawaban", "surat_jawaban.pdf", "pimpinan@test.id", False),
                                     ("lampiran", "denah.png", "pimpinan@test.id", False)]

    # The applicant finds and downloads it.
    login(client, "warga@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "surat_jawaban.pdf" in page and "denah.png" in page
    from pintu.data.models import Upload

    with app.app_context():
        upload_id = Upload.get(Upload.requirement == "surat_jawaban").id
    r = client.get(f"/berkas/{upload_id}")
    assert r.status_code == 200 and r.data == PDF


@pytest.mark.plugins(OutputPlugin())
def test_refusal_needs_no_product_and_steps_without_requirements_take_no_files(app, client, staff, make_user):
    make_user("warga@test.id", category="masyarakat")
    login(client, "warga@test.id")
    app_id = _apply(client)
    login(client, "petugas@test.id")
    # The ULT step declares no requirements: a file sent with it is refused by the engine.
    from pintu.data import uploads
    from pintu.engine import workflow
    from pintu.data.models import User

    with app.test_request_context():
        application = _get(app, app_id)
        petugas = User.get(User.email == "petugas@test.id")
        from werkzeug.datastructures import FileStorage
        import io

        checked = uploads.check(FileStorage(io.BytesIO(PDF), filename="x.pdf"),
                                Requirement("surat_jawaban", "Surat"))
        with pytest.raises(workflow.WorkflowError, match="tidak menerima unggahan"):
            workflow.perform(application, petugas, "lengkap", files={"surat_jawaban": checked})
    assert _act(client, app, app_id, "lengkap").status_code == 200
    login(client, "pimpinan@test.id")
    r = _act(client, app, app_id, "refuse", note="Tidak sesuai.")
    assert r.status_code == 200 and _get(app, app_id).status == "refused"
    assert _uploads(app, app_id) == []
