"""Uploads (content sniffing, size limits, two-phase storage, drafts) and who may see an application."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pytest

from pintu.testing import PDF, PNG, login, pdf, png

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str | None:
    m = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return m.group(1).strip() if m else None


def without_token(page: str) -> str:
    """The page without its CSRF tokens (signed with a timestamp, so they differ between requests)."""
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" (?:type="hidden" )?value=")[^"]+"', r'\1"', page)


def app_id_of(response) -> int:
    assert response.status_code == 302, text(response)
    return int(response.location.rstrip("/").split("/")[-1])


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def kept_only(app) -> int:
    """How many files are kept for the next try; fails when any file is attached or stray."""
    from pintu.testing import count_rows

    assert count_rows(app, "Upload") == 0
    kept = count_rows(app, "StagedUpload")
    assert len(files_in(app.config["UPLOAD_FOLDER"])) == kept
    return kept


def apply(client, files=None, submit=True, **changes):
    data = {**FIELDS, **changes, **(files or {})}
    data["submit" if submit else "draft"] = "1"
    return client.post("/layanan/legalisir/ajukan", data=data, content_type="multipart/form-data")


def count_applications(app) -> int:
    with app.app_context():
        from pintu.data.models import Application

        return Application.select().count()


@pytest.fixture
def alumni(client, make_user):
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    login(client, "alumni@test.id")
    return client


# ---------------------------------------------------------------------------
# Rejected files
# ---------------------------------------------------------------------------

BAD_FILES = [
    ((PNG, "ijazah.pdf"), "Isi berkas bukan PDF. Unggah berkas PDF yang asli (hasil scan, foto tidak "
                                      "diperkenankan)."),
    ((EXE, "ijazah.pdf"), "Isi berkas bukan PDF. Unggah berkas PDF yang asli (hasil scan, foto tidak "
                                      "diperkenankan)."),
    ((b"Ini hanya teks biasa, bukan PDF.\n" * 20, "ijazah.txt"),
     "Jenis berkas tidak diterima. Hanya PDF yang diperbolehkan."),
    ((b"Ini hanya teks biasa, bukan PDF.\n" * 20, "ijazah.pdf"),
     "Jenis berkas tidak diterima. Hanya PDF yang diperbolehkan."),
    # A genuine PDF under another extension is refused too: both must match.
    ((PDF, "ijazah.exe"), "Jenis berkas tidak diterima. Hanya PDF yang diperbolehkan."),
    ((b"", "ijazah.pdf"), "Berkas kosong. Pilih berkas yang benar."),
]  # png named .pdf, exe named .pdf, text file, text named .pdf, pdf named .exe, empty


def test_spoofed_or_wrong_upload_rejected(app, alumni):
    for tries, ((content, filename), message) in enumerate(BAD_FILES, 1):
        # The other file is fine: it is kept for the next try, attached to nothing.
        r = apply(alumni, {"file_ijazah": (io.BytesIO(content), filename), "file_transkrip": pdf("transkrip.pdf")})
        assert r.status_code == 422, filename
        page = text(r)
        assert field_error(page, "file_ijazah") == message, filename
        assert field_error(page, "file_transkrip") is None
        assert 'aria-invalid="true"' in page
        # Typed fields survive the round trip.
        for name in ("nim", "program_studi", "tahun_lulus"):
            assert f'value="{FIELDS[name]}"' in page, name
        assert re.search(r'<option selected value="studi_lanjut">|<option value="studi_lanjut" selected>', page)
        # The valid file is kept (stored once, attached to nothing) and shown as uploaded.
        assert "Sudah diunggah: transkrip.pdf" in page
        assert count_applications(app) == 0
        assert kept_only(app) == tries


def test_spoofed_upload_on_draft_also_rejected(app, alumni):
    r = apply(alumni, {"file_ijazah": png("ijazah.pdf")}, submit=False)
    assert r.status_code == 422
    assert field_error(text(r), "file_ijazah").startswith("Isi berkas bukan PDF")
    assert count_applications(app) == 0
    assert files_in(app.config["UPLOAD_FOLDER"]) == []


def test_wrong_field_shows_message_next_to_it_and_keeps_files_out(app, alumni):
    r = apply(alumni, {"file_ijazah": pdf(), "file_transkrip": pdf()}, tahun_lulus="dua ribu")
    assert r.status_code == 422
    page = text(r)
    assert field_error(page, "tahun_lulus")
    assert 'value="E31170042"' in page
    assert count_applications(app) == 0
    assert kept_only(app) == 2


def test_missing_required_files_on_submit(app, alumni):
    r = apply(alumni, {"file_ijazah": pdf()})
    assert r.status_code == 422
    assert field_error(text(r), "file_transkrip") == "Berkas transkrip akademik wajib diunggah."
    assert count_applications(app) == 0
    assert kept_only(app) == 1


def test_oversize_file_rejected(app, alumni):
    big = PDF + b"%" + b"0" * (5 * 1024 * 1024)  # legalisir allows 5 MB per file
    r = apply(alumni, {"file_ijazah": (io.BytesIO(big), "ijazah.pdf"), "file_transkrip": pdf()})
    assert r.status_code == 422
    assert field_error(text(r), "file_ijazah") == "Ukuran berkas melebihi batas 5 MB."
    assert count_applications(app) == 0
    assert kept_only(app) == 1


def test_file_just_under_limit_accepted(app, alumni):
    fits = PDF + b"%" * (5 * 1024 * 1024 - len(PDF))
    r = apply(alumni, {"file_ijazah": (io.BytesIO(fits), "ijazah.pdf"), "file_transkrip": pdf()})
    assert r.status_code == 302, text(r)


@pytest.mark.config(MAX_CONTENT_LENGTH=64 * 1024)
def test_request_over_max_content_length_gets_friendly_413(app, alumni):
    big = PDF + b"%" + b"0" * (100 * 1024)
    r = apply(alumni, {"file_ijazah": (io.BytesIO(big), "ijazah.pdf"), "file_transkrip": pdf()})
    assert r.status_code == 413
    page = text(r)
    assert "Berkas terlalu besar" in page
    assert "Ukuran kiriman melebihi batas" in page
    assert "<html" in page  # the site's own page, not werkzeug's bare one
    assert count_applications(app) == 0
    assert files_in(app.config["UPLOAD_FOLDER"]) == []


# ---------------------------------------------------------------------------
# Drafts and stored files
# ---------------------------------------------------------------------------

def test_draft_without_files_then_submit_with_files(app, alumni):
    r = apply(alumni, submit=False)
    app_id = app_id_of(r)
    with app.app_context():
        from pintu.data.models import Application

        draft = Application.get_by_id(app_id)
        assert draft.status == "draft" and draft.reference is None
        assert draft.data["nim"] == "E31170042"
        assert not list(draft.uploads)
    page = text(alumni.get(f"/permohonan/{app_id}"))
    assert "Lanjutkan mengisi" in page

    # The edit form is prefilled from the draft.
    form = text(alumni.get(f"/permohonan/{app_id}/ubah"))
    assert 'value="E31170042"' in form and 'value="Teknik Informatika"' in form

    # Submitting without the files is refused, and the draft is left as it was.
    r = alumni.post(f"/permohonan/{app_id}/ubah", data={**FIELDS, "submit": "1"},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    assert field_error(text(r), "file_ijazah") == "Berkas ijazah wajib diunggah."

    r = alumni.post(f"/permohonan/{app_id}/ubah", data={**FIELDS, "program_studi": "Manajemen Informatika",
                                                       "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                                                       "file_transkrip": pdf("transkrip.pdf")},
                    content_type="multipart/form-data")
    assert app_id_of(r) == app_id
    assert count_applications(app) == 1
    with app.app_context():
        submitted = Application.get_by_id(app_id)
        assert submitted.status == "in_process" and submitted.step == "kelengkapan"
        assert re.fullmatch(r"LGS-\d{4}-\d{5}", submitted.reference)
        assert submitted.data["program_studi"] == "Manajemen Informatika"
        assert sorted(u.requirement for u in submitted.uploads) == ["ijazah", "transkrip"]
    assert len(files_in(app.config["UPLOAD_FOLDER"])) == 2
    # Submitted: no longer editable.
    r = alumni.get(f"/permohonan/{app_id}/ubah")
    assert r.status_code == 302 and r.location.endswith(f"/permohonan/{app_id}")


def test_draft_keeps_files_uploaded_earlier(app, alumni):
    app_id = app_id_of(apply(alumni, {"file_ijazah": pdf("ijazah.pdf")}, submit=False))
    form = text(alumni.get(f"/permohonan/{app_id}/ubah"))
    assert "Sudah diunggah: ijazah.pdf" in form
    r = alumni.post(f"/permohonan/{app_id}/ubah", data={**FIELDS, "submit": "1",
                                                       "file_transkrip": pdf("transkrip.pdf")},
                    content_type="multipart/form-data")
    assert app_id_of(r) == app_id
    with app.app_context():
        from pintu.data.models import Application

        assert Application.get_by_id(app_id).status == "in_process"


def test_stored_file_name_and_download(app, alumni):
    r = apply(alumni, {"file_ijazah": pdf("../../Ijazah Saya (scan).pdf"), "file_transkrip": pdf("transkrip.pdf")})
    app_id = app_id_of(r)
    with app.app_context():
        from pintu.data.models import Upload

        upload = Upload.get(Upload.requirement == "ijazah")
        stored, original = upload.stored_name, upload.original_name
        upload_id = upload.id
    assert original == "Ijazah_Saya_scan.pdf"
    assert "Ijazah" not in stored and stored.endswith(".pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored)
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    path = folder / stored
    assert path.read_bytes() == PDF
    static = Path(app.static_folder).resolve()
    assert static not in path.parents
    assert not any(p.endswith(".part") for p in files_in(folder))
    assert alumni.get(f"/static/{stored}").status_code == 404

    page = text(alumni.get(f"/permohonan/{app_id}"))
    assert f"/berkas/{upload_id}" in page
    r = alumni.get(f"/berkas/{upload_id}")
    assert r.status_code == 200
    assert r.data == PDF
    assert r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "Ijazah_Saya_scan.pdf" in disposition
    assert stored not in disposition


# ---------------------------------------------------------------------------
# Who may see what
# ---------------------------------------------------------------------------

@pytest.fixture
def submitted(app, alumni, staff):
    """An alumni's submitted legalisir application: (app id, upload id)."""
    app_id = app_id_of(apply(alumni, {"file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf")}))
    with app.app_context():
        from pintu.data.models import Upload

        upload_id = Upload.select().where(Upload.application == app_id).first().id
    return app_id, upload_id


def test_owner_and_involved_staff_see_application(app, client, submitted):
    app_id, upload_id = submitted
    assert client.get(f"/permohonan/{app_id}").status_code == 200
    for email in ("petugas@test.id", "akademik@test.id"):
        login(client, email)
        assert client.get(f"/permohonan/{app_id}").status_code == 200, email
        assert client.get(f"/berkas/{upload_id}").status_code == 200, email


def test_other_applicant_gets_404(app, client, make_user, submitted):
    app_id, upload_id = submitted
    make_user("other@test.id", category="mahasiswa")
    login(client, "other@test.id")
    missing = client.get("/permohonan/999999")
    assert missing.status_code == 404
    for url in (f"/permohonan/{app_id}", f"/berkas/{upload_id}", f"/permohonan/{app_id}/ubah"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "LGS-" not in text(r) and "Rina Alumni" not in text(r)
    # Same page as for a number that does not exist: nothing to learn from it.
    assert without_token(text(client.get(f"/permohonan/{app_id}"))) == \
        without_token(text(client.get("/permohonan/999999")))
    r = client.post(f"/permohonan/{app_id}/batal", data={"version": "1"})
    assert r.status_code == 404
    with app.app_context():
        from pintu.data.models import Application

        assert Application.get_by_id(app_id).status == "in_process"


def test_anonymous_download_redirects_to_login(client, submitted):
    _, upload_id = submitted
    client.post("/keluar")
    r = client.get(f"/berkas/{upload_id}")
    assert r.status_code == 302 and "/masuk" in r.location


def test_unrelated_staff_gets_404(app, client, submitted):
    """Legalisir involves the ULT and Bagian Akademik only.  The pimpinan oversees every application
    (read-only, audited: tests/test_oversight.py) but has no task and may not act on it."""
    app_id, upload_id = submitted
    for email in ("kepeg@test.id", "pimpinan@test.id"):
        login(client, email)
        assert client.get("/petugas/").status_code == 200
        assert "LGS-" not in text(client.get("/petugas/"))
        oversees = email == "pimpinan@test.id"
        assert client.get(f"/permohonan/{app_id}").status_code == (200 if oversees else 404), email
        assert client.get(f"/berkas/{upload_id}").status_code == (200 if oversees else 404), email
        r = client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": "lengkap", "version": "1"})
        assert r.status_code == 404
        r = client.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": "1"})
        assert r.status_code == 404
    with app.app_context():
        from pintu.data.models import Application

        assert Application.get_by_id(app_id).step == "kelengkapan"


def test_staff_cannot_see_drafts(app, alumni, client, staff):
    app_id = app_id_of(apply(alumni, {"file_ijazah": pdf()}, submit=False))
    with app.app_context():
        from pintu.data.models import Upload

        upload_id = Upload.get(Upload.application == app_id).id
    login(client, "petugas@test.id")
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    assert client.get(f"/berkas/{upload_id}").status_code == 404
