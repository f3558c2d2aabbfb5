"""Documents the services produce (issue 9): numbering without gaps or duplicates under concurrency
(SQLite and PostgreSQL), the sandboxed letter templates, rendering written to a temporary name then
renamed, QR verification of genuine, superseded and forged codes, re-issue, the admin's numbering
scheme, the register of outgoing letters and the `letters` command."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from pintu import Document, Requirement, Service, Step, approve, hookimpl, standard_steps
from pintu.testing import act, app_id_of, get_application, login, outbox, pdf

TEMPLATES = Path(__file__).resolve().parent / "data" / "letters"


class UjiForm(FlaskForm):
    keperluan = StringField("Keperluan")


SERVICE = Service(
    slug="uji-surat", code="UJS", title="Surat Keterangan Uji", category="Uji", summary="Layanan uji surat.",
    form=UjiForm, completion_days=3, requirements=[Requirement("lampiran", "Lampiran", required=False)],
    steps=standard_steps(Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
                              actions=[approve("Setujui", "setujui")])),
    documents=[Document("surat_keterangan", "Surat Keterangan Uji", "uji/surat.html", step="persetujuan",
                        number_scheme="{seq:03d}/PL17/UJI/{year}")],
)
EVIL = Service(
    slug="uji-jahat", code="UJH", title="Layanan Jahat", category="Uji", summary="Templat jahat.",
    steps=standard_steps(Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
                              actions=[approve("Setujui", "setujui")])),
    documents=[Document("surat", "Surat Jahat", "uji/jahat.html", step="persetujuan")],
)


class Plugin:
    @hookimpl
    def pintu_services(self):
        return [SERVICE, EVIL]

    @hookimpl
    def pintu_template_dirs(self):
        return [str(TEMPLATES)]


pytestmark = pytest.mark.plugins(Plugin())


def _submit(client, app, email="pemohon@test.id", keperluan="Melamar kerja", slug="uji-surat", **files):
    login(client, email)
    r = client.post(f"/layanan/{slug}/ajukan", data={"keperluan": keperluan, "submit": "1", **files},
                    content_type="multipart/form-data")
    return app_id_of(r)


def _at_leadership(client, app, staff, make_user, **kw):
    make_user("pemohon@test.id", name="Sinta Rahmawati")
    app_id = _submit(client, app, **kw)
    login(client, staff["petugas"].email)
    assert act(client, app, app_id, "lengkap").status_code == 200
    return app_id


def _issued(app, app_id):
    from pintu.data.models import IssuedDocument

    with app.app_context():
        return list(IssuedDocument.select().where(IssuedDocument.application == app_id).order_by(IssuedDocument.id))


def _pdf_text(content: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _qr_in_pdf(content: bytes) -> str:
    """Scan the QR code printed in the PDF: the image is taken out of the page and decoded by zxing-cpp."""
    import pypdf
    import zxingcpp

    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            found = zxingcpp.read_barcodes(image.image.convert("L"))
            if found:
                return found[0].text
    raise AssertionError("no QR code in the PDF")


def _approve(client, app, staff, app_id):
    login(client, staff["pimpinan"].email)
    return act(client, app, app_id, "setujui")


def test_issued_letter_is_numbered_downloadable_and_its_qr_opens_a_genuine_verification(client, app, staff,
                                                                                      make_user):
    app_id = _at_leadership(client, app, staff, make_user, keperluan="<b>tebal</b> {{ 7*7 }} & lain")
    login(client, staff["pimpinan"].email)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "pratinjau draf" in page
    draft = client.get(f"/permohonan/{app_id}/draf/surat_keterangan.pdf")
    assert draft.status_code == 200 and "DRAF" in _pdf_text(draft.data)
    assert _approve(client, app, staff, app_id).status_code == 200
    (doc,) = _issued(app, app_id)
    year = doc.year
    assert doc.number == f"001/PL17/UJI/{year}" and doc.holder == "Si*** Ra*******"

    login(client, "pemohon@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Dokumen hasil layanan" in page and doc.number in page
    r = client.get(f"/dokumen/{doc.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _pdf_text(r.data)
    assert doc.number in text and "Sinta Rahmawati" in text
    # The letterhead and the signer's position come from the institution (Polije's declaration by default).
    assert "POLITEKNIK NEGERI JEMBER" in text and "Jalan Mastrip" in text and "Direktur," in text
    # Applicant text is printed literally: no markup, no template evaluation.
    # (Not a bare "49": the letter's random verification code and times may contain it.)
    assert "<b>tebal</b> {{ 7*7 }} & lain" in text and "tebal</b> 49" not in text and "tebal 49" not in text
    url = _qr_in_pdf(r.data)
    assert url == f"http://127.0.0.1:5000/verifikasi/{doc.code}"
    client.post("/keluar")
    verified = client.get(url.replace("http://127.0.0.1:5000", ""))
    body = verified.get_data(as_text=True)
    assert verified.status_code == 200 and "Dokumen asli" in body and doc.number in body
    import hashlib

    assert hashlib.sha256(r.data).hexdigest() in body and "Si*** Ra*******" in body
    assert "Sinta Rahmawati" not in body and "Melamar" not in body and "/permohonan/" not in body

    # The hasil-siap mail carries the letter.
    mails = [m for m in outbox(app) if "To: pemohon@test.id" in m and "surat_keterangan-" in m]
    assert mails, "the ready mail has the letter attached"


def test_unknown_and_forged_codes_get_the_same_answer_and_are_rate_limited(client, app):
    app.config["RATE_LIMIT_VERIFY"] = [2, 15]
    unknown = client.get("/verifikasi/tidak-ada")
    forged = client.get("/verifikasi/" + "A" * 24)
    assert unknown.status_code == forged.status_code == 404
    strip = lambda r: r.get_data(as_text=True).replace("tidak-ada", "").replace("A" * 24, "")  # noqa: E731
    assert strip(unknown) == strip(forged) and "Dokumen tidak dikenal" in strip(unknown)
    limited = client.get("/verifikasi/lagi")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_reissue_supersedes_the_old_document(client, app, staff, make_user):
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (old,) = _issued(app, app_id)
    r = client.post(f"/petugas/dokumen/{old.id}/terbitkan-ulang", data={"reason": ""})
    assert r.status_code == 302 and len(_issued(app, app_id)) == 1  # a reason is required
    r = client.post(f"/petugas/dokumen/{old.id}/terbitkan-ulang", data={"reason": "Salah ketik nama unit"})
    assert r.status_code == 302
    old, new = _issued(app, app_id)
    assert old.superseded_by_id == new.id and new.seq == old.seq + 1 and new.rendered_at is not None
    page = client.get(f"/verifikasi/{old.code}").get_data(as_text=True)
    assert "diganti" in page and new.number in page and f"/verifikasi/{new.code}" not in page
    assert "/dokumen/" not in page and "/permohonan/" not in page
    assert "Dokumen asli." in client.get(f"/verifikasi/{new.code}").get_data(as_text=True)
    again = client.post(f"/petugas/dokumen/{old.id}/terbitkan-ulang", data={"reason": "lagi"})
    assert again.status_code == 302 and len(_issued(app, app_id)) == 2
    login(client, "pemohon@test.id")
    assert client.get(f"/dokumen/{old.id}").status_code == 404
    assert client.get(f"/dokumen/{new.id}").status_code == 200
    told = [m for m in outbox(app) if "To: pemohon@test.id" in m and "diterbitkan ulang" in m]
    assert len(told) == 1 and "Salah ketik nama unit" in told[0] and "surat_keterangan-" in told[0]


def test_a_wet_ink_signed_scan_replaces_the_generated_pdf(client, app, staff, make_user):
    import hashlib

    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    generated = Path(app.config["DOCUMENT_FOLDER"]) / doc.stored_name
    r = client.post(f"/petugas/dokumen/{doc.id}/pindaian", data={"file_pindaian": pdf("foto.png", b"\x89PNG")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "Pindaian surat bertanda tangan basah:" in r.get_data(as_text=True)
    assert _issued(app, app_id)[0].stored_name == doc.stored_name  # nothing changed
    scan = RECEIPT_PDF + b"% signed in ink\n"
    r = client.post(f"/petugas/dokumen/{doc.id}/pindaian", data={"file_pindaian": pdf("ttd.pdf", scan)},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    (doc,) = _issued(app, app_id)
    assert doc.scanned_at is not None and doc.sha256 == hashlib.sha256(scan).hexdigest() and not generated.exists()
    page = client.get(f"/verifikasi/{doc.code}").get_data(as_text=True)
    assert "Dokumen asli." in page and doc.sha256 in page and "bertanda tangan basah" in page
    login(client, "pemohon@test.id")
    assert client.get(f"/dokumen/{doc.id}").data == scan
    assert client.post(f"/petugas/dokumen/{doc.id}/pindaian", data={"file_pindaian": pdf("x.pdf", scan)},
                       content_type="multipart/form-data").status_code == 403  # applicants are not staff


def test_a_crash_between_render_and_rename_leaves_no_visible_document(client, app, staff, make_user, monkeypatch):
    from pintu.output import documents

    app_id = _at_leadership(client, app, staff, make_user)

    def crash(tmp, final):
        raise OSError("power cut between writing the file and renaming it")

    monkeypatch.setattr(documents, "_publish", crash)
    assert _approve(client, app, staff, app_id).status_code == 200  # the action itself is done
    (doc,) = _issued(app, app_id)
    assert doc.rendered_at is None and not doc.stored_name
    folder = Path(app.config["DOCUMENT_FOLDER"])
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".part")] == []
    login(client, "pemohon@test.id")
    assert "sedang disiapkan" in client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert client.get(f"/dokumen/{doc.id}").status_code == 404
    assert "berkas sedang disiapkan" in client.get(f"/verifikasi/{doc.code}").get_data(as_text=True)

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    (doc,) = _issued(app, app_id)
    assert doc.rendered_at is not None
    assert client.get(f"/dokumen/{doc.id}").status_code == 200


def test_the_sandbox_keeps_templates_away_from_python_internals(client, app, staff, make_user):
    from pintu.output import letters

    with app.test_request_context():
        assert "class" not in letters.render_body({}, source="{{ ''.__class__ }}")
        with pytest.raises(letters.LetterError):
            letters.render_body({}, source="{{ ''.__class__.__mro__[1].__subclasses__() }}")
        with pytest.raises(letters.LetterError):
            letters.render_body({"f": open}, source="{{ f.__globals__ }}{{ cycler.__init__.__globals__.os }}")
    make_user("pemohon@test.id")
    app_id = _submit(client, app, slug="uji-jahat")
    login(client, staff["petugas"].email)
    act(client, app, app_id, "lengkap")
    login(client, staff["pimpinan"].email)
    r = client.get(f"/permohonan/{app_id}/draf/surat.pdf", follow_redirects=True)
    assert r.status_code == 200 and "tidak diizinkan" in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True) and "subclasses" not in r.get_data(as_text=True)


@pytest.mark.config(INSTITUTION="Universitas Uji", INSTITUTION_ADDRESS="Jalan Uji 1, Kota Uji",
                    INSTITUTION_CITY="Kota Uji",
                    SIGNERS={"pimpinan": {"name": "Prof. Rektor", "position": "Rektor", "id_number": "1" * 18}})
def test_letterhead_and_signer_follow_the_institution_settings(client, app, staff, make_user):
    app_id = _at_leadership(client, app, staff, make_user)
    login(client, staff["pimpinan"].email)
    text = _pdf_text(client.get(f"/permohonan/{app_id}/draf/surat_keterangan.pdf").data)
    assert "UNIVERSITAS UJI" in text and "Jalan Uji 1, Kota Uji" in text and "Kota Uji, " in text
    assert "Rektor," in text and "Mastrip" not in text and "Jember" not in text


@pytest.mark.config(CLOCK_NOW="2026-12-31T17:30:00")  # 1 January 2027, 00:30 WIB
def test_the_year_of_a_number_is_the_year_in_wib(client, app, staff, make_user):
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    assert doc.number == "001/PL17/UJI/2027" and doc.year == 2027


def test_numbers_have_no_gaps_or_duplicates_when_staff_issue_at_the_same_moment(client, app, staff, make_user):
    """Eight applications approved by four leadership members in parallel threads, each thread on
    its own database connection, all released at once by a barrier (SQLite and PostgreSQL)."""
    from pintu.engine import workflow
    from pintu.data.models import Application, IssuedDocument, User

    n = 8
    ids = [_at_leadership(client, app, staff, make_user) for _ in range(n)]
    leaders = [staff["pimpinan"]] + [make_user(f"pimpinan{i}@test.id", "pimpinan") for i in range(3)]
    barrier = threading.Barrier(len(leaders))
    errors = []

    def work(leader_id, mine):
        try:
            with app.app_context():
                leader = User.get_by_id(leader_id)
                barrier.wait(timeout=30)
                for app_id in mine:
                    workflow.perform(Application.get_by_id(app_id), leader, "setujui")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            from pintu.data.db import database

            if not database.is_closed():
                database.close()

    threads = [threading.Thread(target=work, args=(leader.id, ids[i::len(leaders)]))
               for i, leader in enumerate(leaders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with app.app_context():
        seqs = sorted(d.seq for d in IssuedDocument.select())
        numbers = {d.number for d in IssuedDocument.select()}
    assert seqs == list(range(1, n + 1)) and len(numbers) == n


def test_admin_edits_the_numbering_scheme_and_it_is_audited(client, app, staff, make_user):
    login(client, staff["admin"].email)
    page = client.get("/admin/penomoran").get_data(as_text=True)
    assert "Surat Keterangan Uji" in page and "{seq:03d}/PL17/UJI/{year}" in page
    bad = client.post("/admin/penomoran", data={"service": "uji-surat", "document": "surat_keterangan",
                                                  "scheme": "{seq.__class__}/X"})
    assert bad.status_code == 422 and "tidak dikenal" in bad.get_data(as_text=True)
    assert "{seq.__class__}/X" in bad.get_data(as_text=True)  # what was typed is kept
    bad = client.post("/admin/penomoran", data={"service": "uji-surat", "document": "surat_keterangan",
                                                  "scheme": "SK/{year}"})
    assert bad.status_code == 422 and "{seq}" in bad.get_data(as_text=True)
    ok = client.post("/admin/penomoran", data={"service": "uji-surat", "document": "surat_keterangan",
                                                 "scheme": "{seq:04d}/UJI/{month_roman}/{year}"})
    assert ok.status_code == 302
    audit = client.get("/admin/audit?aksi=numbering.update").get_data(as_text=True)
    assert "numbering.update" in audit and "surat_keterangan" in audit
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    assert re.fullmatch(r"0001/UJI/[IVX]+/\d{4}", doc.number)


def test_register_of_outgoing_letters_page_csv_and_command(client, app, staff, make_user):
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    client.post(f"/petugas/dokumen/{doc.id}/terbitkan-ulang", data={"reason": "Perbaikan"})
    old, new = _issued(app, app_id)
    login(client, staff["admin"].email)
    page = client.get("/admin/surat-keluar?q=UJI").get_data(as_text=True)
    assert old.number in page and new.number in page and "Si*** Ra*******" in page and "Sinta" not in page
    assert "Tidak ada dokumen" in client.get("/admin/surat-keluar?q=tidakcocok").get_data(as_text=True)
    csv_text = client.get("/admin/surat-keluar?format=csv").get_data(as_text=True)
    assert f"{old.number}," in csv_text and ",diganti," in csv_text and ",berlaku," in csv_text
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/admin/surat-keluar?format=xlsx").get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nomor" and {r[0] for r in rows[1:]} == {old.number, new.number}
    assert {r[5] for r in rows[1:]} == {"berlaku", "diganti"}
    result = app.test_cli_runner().invoke(args=["letters"])
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(new.number)
    assert lines[1].split("\t")[4] == "diganti" and lines[1].endswith(f"/verifikasi/{old.code}")


RECEIPT_PDF = b"%PDF-1.4\n%receipt test\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _confirmation(app, email):
    import email as email_lib
    from email import policy

    mails = [m for m in outbox(app) if f"To: {email}" in m and "Permohonan diajukan" in m]
    assert mails
    return email_lib.message_from_string(mails[-1], policy=policy.default)


def test_the_receipt_is_attached_to_the_confirmation_mail_and_downloadable(client, app, make_user):
    import hashlib

    make_user("pemohon@test.id")
    app_id = _submit(client, app, file_lampiran=pdf("lampiran.pdf", RECEIPT_PDF))
    msg = _confirmation(app, "pemohon@test.id")
    (part,) = list(msg.iter_attachments())
    assert part.get_filename().startswith("tanda-terima-") and part.get_content_type() == "application/pdf"
    text = _pdf_text(part.get_content())
    application = get_application(app, app_id)
    assert application.reference in text and application.tracking_code in text
    assert hashlib.sha256(RECEIPT_PDF).hexdigest() in text and "lampiran.pdf" in text
    assert "WIB" in text and "3 hari kerja" in text and "Surat Keterangan Uji" in text
    r = client.get(f"/permohonan/{app_id}/tanda-terima.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    make_user("lain@test.id")
    login(client, "lain@test.id")
    assert client.get(f"/permohonan/{app_id}/tanda-terima.pdf").status_code == 404


@pytest.mark.config(MAIL_ATTACHMENT_MAX_MB=0.0001)
def test_attachments_over_the_cap_become_a_link(client, app, make_user):
    make_user("pemohon@test.id")
    app_id = _submit(client, app)
    msg = _confirmation(app, "pemohon@test.id")
    assert not list(msg.iter_attachments())
    assert f"/permohonan/{app_id}/tanda-terima.pdf" in msg.get_body(("plain",)).get_content()


def test_pickup_records_who_collected_and_the_timeline_shows_it(client, app, staff, make_user):
    from pintu.data.models import Handover, Upload

    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    login(client, staff["petugas"].email)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Penyerahan hasil layanan" in page
    r = act(client, app, app_id, "taken", collector="kuasa", collector_name="Budi Kuasa", collector_id="12")
    assert r.status_code == 422 and "NIK 16 digit" in r.get_data(as_text=True)
    assert get_application(app, app_id).status == "ready"  # nothing recorded
    r = act(client, app, app_id, "taken", collector="kuasa", collector_name="Budi Kuasa",
            collector_id="3509010101800001", file_surat_kuasa=pdf("kuasa.pdf"))
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert get_application(app, app_id).status == "done"
    with app.app_context():
        (h,) = list(Handover.select())
        assert (h.collector, h.name, h.id_number, h.officer_id) == ("kuasa", "Budi Kuasa", "3509010101800001",
                                                                    staff["petugas"].id)
        assert Upload.get_by_id(h.attorney_id).requirement == "surat_kuasa"
    login(client, "pemohon@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Diambil oleh kuasa pemohon: Budi Kuasa (NIK/NIP berakhiran 0001), dengan surat kuasa." in page
    assert "3509010101800001" not in page


# The built-in services whose product is a letter (their demo data, scanned like a person would).
LETTER_SERVICES = {"pensiun-dini", "kartu-taspen", "kartu-pegawai-hilang", "kartu-istri-suami", "gedung",
                   "peliputan-media", "pengaduan-masyarakat", "wisata-edukasi"}


@pytest.mark.slow
def test_demo_data_has_an_issued_letter_per_letter_service_whose_qr_verifies(app, client):
    from pintu.output import documents
    from pintu.data.models import IssuedDocument

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        docs = list(IssuedDocument.select().where(IssuedDocument.superseded_by.is_null()))
        by_service = {}
        for doc in docs:
            by_service.setdefault(doc.service, doc)
        assert set(by_service) == LETTER_SERVICES
        # Signed by whoever acted in the signer's role, even when a later step issues the letter (a paid booking).
        assert all(d.signer_name and d.signer_position for d in docs), [(d.number, d.service) for d in docs]
        pdfs = {slug: documents.path_of(doc).read_bytes() for slug, doc in by_service.items()}
    base = app.config["BASE_URL"]
    for slug, content in pdfs.items():
        url = _qr_in_pdf(content)
        assert url.startswith(base + "/verifikasi/"), (slug, url)
        page = client.get(url[len(base):]).get_data(as_text=True)
        assert "Dokumen asli" in page and by_service[slug].number in page, slug


def _redis_url():
    import os
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("PINTU_TEST_REDIS_URL")
    if not url:
        return None
    return urlunsplit(urlsplit(url)._replace(path=f"/{1 + os.getpid() % 15}"))  # as tests/test_backends.py


@pytest.mark.skipif(not _redis_url(), reason="PINTU_TEST_REDIS_URL not set (no Redis to test against)")
@pytest.mark.config(REDIS_URL=_redis_url())
def test_with_redis_the_letter_is_rendered_by_an_rq_worker(client, app, staff, make_user):
    from pintu import jobs

    with app.app_context():
        jobs.queue().empty()
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    assert doc.rendered_at is None  # the request did not render it: a job waits in Redis
    with app.app_context():
        assert "pintu.output.documents.render" in [j.func_name for j in jobs.queue().jobs]
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    (doc,) = _issued(app, app_id)
    assert doc.rendered_at is not None and len(doc.sha256) == 64
    login(client, "pemohon@test.id")
    assert client.get(f"/dokumen/{doc.id}").status_code == 200


def _pkcs12(path: Path, password: bytes):
    """A self-signed certificate and its key in a PKCS#12 file (the institution's, in real life)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Politeknik Uji"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "ID")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"uji", key, cert, None, serialization.BestAvailableEncryption(password)))
    return cert


def test_with_a_signing_certificate_issued_pdfs_carry_a_valid_pades_signature(client, app, staff, make_user, tmp_path):
    pytest.importorskip("pyhanko")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = _pkcs12(tmp_path / "institusi.p12", b"rahasia")
    app.config.update(SIGNING_PKCS12=str(tmp_path / "institusi.p12"), SIGNING_PKCS12_PASSWORD="rahasia")
    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    login(client, "pemohon@test.id")
    content = client.get(f"/dokumen/{doc.id}").data
    (signature,) = PdfFileReader(io.BytesIO(content)).embedded_signatures
    root = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert _qr_in_pdf(content).endswith(f"/verifikasi/{doc.code}")
    # One byte of the page's (compressed) content changed: the signature no longer holds.
    start = content.index(b"stream", content.index(b"/Contents")) + 20
    tampered = content[:start] + bytes([content[start] ^ 0xFF]) + content[start + 1:]
    (bad,) = PdfFileReader(io.BytesIO(tampered)).embedded_signatures
    assert not validate_pdf_signature(bad, ValidationContext(trust_roots=[root])).intact


def test_document_pages_cost_the_same_queries_whatever_the_number_of_documents(client, app, staff, make_user):
    from pintu.testing import count_queries

    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    (doc,) = _issued(app, app_id)
    detail_one, _ = count_queries(client, f"/permohonan/{app_id}")  # the leadership, who may re-issue
    for i in range(3):
        current = _issued(app, app_id)[-1]
        client.post(f"/petugas/dokumen/{current.id}/terbitkan-ulang", data={"reason": f"Perbaikan {i}"})
        if i == 0:
            verify_one, _ = count_queries(client, f"/verifikasi/{doc.code}")  # superseded: names its successor
    assert len(_issued(app, app_id)) == 4
    assert count_queries(client, f"/permohonan/{app_id}")[0] == detail_one <= 4  # issue 8
    assert count_queries(client, f"/verifikasi/{doc.code}")[0] == verify_one
    login(client, staff["admin"].email)
    register_four, page = count_queries(client, "/admin/surat-keluar")
    assert page.count("/verifikasi/") == 4
    for app_id in [_at_leadership(client, app, staff, make_user) for _ in range(2)]:
        _approve(client, app, staff, app_id)
    login(client, staff["admin"].email)
    assert count_queries(client, "/admin/surat-keluar")[0] == register_four


def test_the_personal_data_export_holds_the_letters_issued_to_the_applicant(client, app, staff, make_user):
    import zipfile

    app_id = _at_leadership(client, app, staff, make_user)
    _approve(client, app, staff, app_id)
    client.post(f"/petugas/dokumen/{_issued(app, app_id)[0].id}/terbitkan-ulang", data={"reason": "Perbaikan"})
    old, new = _issued(app, app_id)
    login(client, "pemohon@test.id")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/profil/data-saya.zip").get_data()))
    letters = [n for n in archive.namelist() if "/dokumen-hasil/" in n]
    assert len(letters) == 1 and letters[0].endswith(".pdf")  # the current one; the superseded is not theirs
    assert new.number in _pdf_text(archive.read(letters[0]))
