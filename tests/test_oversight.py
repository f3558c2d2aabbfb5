"""Oversight (issue 10 section 3): the staff search over everything a user may see (closed ones
included, keyset pages, fixed query count), the read-only view of admin and pimpinan with its
audit trail, the dashboard's figures and the CSV/XLSX exports."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from pintu.oversight import search
from pintu.testing import act, count_queries, login, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
REF = re.compile(r"\b(LGS-\d{4}-\d{5})\b")


@pytest.fixture
def cast(app, make_user, staff):
    make_user("rina@test.id", category="mahasiswa", name="Rina Alumni")
    make_user("budi@test.id", category="mahasiswa", name="Budi Santoso")
    with app.app_context():
        from pintu.data.models import User

        User.update(id_number="3509010101800001").where(User.email == "budi@test.id").execute()
    return staff


def submit(app, email="rina@test.id", submit=True) -> int:
    client = app.test_client()
    login(client, email)
    data = {**FIELDS, "file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf")}
    if submit:
        data["submit"] = "1"
    r = client.post("/layanan/legalisir/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return int(r.location.rstrip("/").split("/")[-1])


def as_user(app, email):
    client = app.test_client()
    login(client, email)
    return client


def refs(page: str) -> list[str]:
    return list(dict.fromkeys(REF.findall(page)))


def reference(app, app_id) -> str:
    from pintu.testing import get_application

    return get_application(app, app_id).reference


def finish(app, app_id):
    """lengkap -> legalised -> taken: done."""
    petugas, akademik = as_user(app, "petugas@test.id"), as_user(app, "akademik@test.id")
    assert act(petugas, app, app_id, "lengkap").status_code == 200
    assert act(akademik, app, app_id, "legalised").status_code == 200
    assert act(petugas, app, app_id, "taken").status_code == 200


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------

def test_search_finds_open_and_closed_files_by_every_key(app, cast):
    done, refused, open_, budi = submit(app), submit(app), submit(app), submit(app, "budi@test.id")
    draft = submit(app, submit=False)
    finish(app, done)
    act(as_user(app, "petugas@test.id"), app, refused, "refuse", note="Ijazah tidak terbaca.")
    petugas = as_user(app, "petugas@test.id")
    everything = petugas.get("/petugas/cari").get_data(as_text=True)
    assert set(refs(everything)) == {reference(app, i) for i in (done, refused, open_, budi)}  # no draft
    assert f"/permohonan/{draft}" not in everything

    def found(**args):
        r = petugas.get("/petugas/cari", query_string=args)
        assert r.status_code == 200
        return set(refs(r.get_data(as_text=True)))

    assert found(q=reference(app, done).lower()) == {reference(app, done)}
    from pintu.testing import get_application

    code = get_application(app, open_).tracking_code
    assert reference(app, open_) in found(q=code)
    assert found(q="budi") == found(q="3509010101800001") == found(q="BUDI@test.id") == {reference(app, budi)}
    assert found(status="done") == {reference(app, done)}
    assert found(status="refused") == {reference(app, refused)}
    assert found(layanan="legalisir", q="rina") == {reference(app, i) for i in (done, refused, open_)}
    assert found(dari="2020-01-01", sampai="2020-12-31") == set()
    assert len(found(dari="2020-01-01")) == 4


def test_search_follows_who_may_see_what(app, cast):
    app_id = submit(app)
    ref = reference(app, app_id)
    assert ref in as_user(app, "akademik@test.id").get("/petugas/cari").get_data(as_text=True)
    kepegawaian = as_user(app, "kepeg@test.id")  # no step in legalisir
    page = kepegawaian.get("/petugas/cari", query_string={"q": ref}).get_data(as_text=True)
    assert f"/permohonan/{app_id}" not in page and "Tidak ada permohonan yang cocok" in page
    assert kepegawaian.get(f"/permohonan/{app_id}").status_code == 404
    assert as_user(app, "rina@test.id").get("/petugas/cari").status_code == 403  # applicants: no search


def test_search_pages_by_keyset_with_a_fixed_number_of_queries(app, cast, monkeypatch):
    ids = [submit(app) for _ in range(5)]
    monkeypatch.setattr(search, "PER_PAGE", 2)
    petugas = as_user(app, "petugas@test.id")
    seen, url = [], "/petugas/cari?q=rina"
    while url:
        page = petugas.get(url).get_data(as_text=True)
        seen += refs(page)
        m = re.search(r'href="([^"]*setelah=\d+[^"]*)"', page)
        url = m.group(1).replace("&amp;", "&") if m else None
    assert seen == [reference(app, i) for i in reversed(ids)]  # newest first, each once

    few, _ = count_queries(petugas, "/petugas/cari?q=rina")
    for _ in range(4):
        submit(app)
    many, page = count_queries(petugas, "/petugas/cari?q=rina")
    assert few == many and len(refs(page)) == 2


def test_a_wrong_date_is_told_in_indonesian_and_keeps_the_input(app, cast):
    r = as_user(app, "petugas@test.id").get("/petugas/cari", query_string={"q": "budi", "dari": "kemarin"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Tanggal tidak valid" in page and 'value="budi"' in page
    r = as_user(app, "petugas@test.id").get("/petugas/cari", query_string={"dari": "2026-02-01", "sampai": "2026-01-01"})
    assert r.status_code == 422 and "tidak boleh sebelum" in r.get_data(as_text=True)


def test_admin_and_pimpinan_read_every_file_and_their_views_are_audited(app, cast):
    app_id = submit(app)
    ref = reference(app, app_id)
    admin = as_user(app, "admin@test.id")
    assert ref in admin.get("/petugas/cari").get_data(as_text=True)
    page = admin.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert ref in page and 'name="action"' not in page  # read-only: no action buttons
    assert f"/permohonan/{app_id}/pesan" not in page  # nor a message form
    assert admin.post(f"/permohonan/{app_id}/pesan", data={"body": "Halo", "form_token": "x" * 32}).status_code == 404
    upload_id = int(re.search(r'href="/berkas/(\d+)"', page).group(1))
    assert admin.get(f"/berkas/{upload_id}").status_code == 200
    pimpinan = as_user(app, "pimpinan@test.id")  # legalisir has no pimpinan step
    assert pimpinan.get(f"/permohonan/{app_id}").status_code == 200
    assert act(pimpinan, app, app_id, "lengkap").status_code == 404  # read-only: no action
    with app.app_context():
        from pintu.data.models import AuditEntry

        rows = [(e.action, e.actor_email, e.details) for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert ("application.view", "admin@test.id", {"oversight": True}) in rows
    assert any(a == "upload.download" and who == "admin@test.id" and d.get("oversight") for a, who, d in rows)
    assert ("application.view", "pimpinan@test.id", {"oversight": True}) in rows
    log = admin.get("/admin/audit", query_string={"aksi": "upload.download"}).get_data(as_text=True)
    assert "admin@test.id" in log


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------

def figures(page: str, label: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page, re.S).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


def test_dashboard_counts_and_times_per_service_and_unit(app, cast):
    done, refused, returned, open_ = submit(app), submit(app), submit(app), submit(app)
    finish(app, done)
    petugas = as_user(app, "petugas@test.id")
    act(petugas, app, refused, "refuse", note="Tidak terbaca.")
    act(petugas, app, returned, "return", note="Scan ulang.")
    act(petugas, app, open_, "lengkap")
    assert as_user(app, "petugas@test.id").get("/dasbor").status_code == 403
    admin = as_user(app, "admin@test.id")
    page = admin.get("/dasbor").get_data(as_text=True)
    # received, finished, in progress, returned, refused, median, p90, on time
    assert figures(page, "Legalisir Ijazah dan Transkrip Akademik") == ["4", "1", "1", "1", "1", "0", "0", "100 %"]
    assert figures(page, "Bagian Akademik") == ["4", "1", "1", "1", "1", "0", "0", "100 %"]
    assert page.count("<svg") == 3 and "<script" not in page.split("</header>")[-1]
    assert as_user(app, "pimpinan@test.id").get("/dasbor").status_code == 200


@pytest.mark.config(CLOCK_NOW="2026-12-31T02:00:00")
def test_dashboard_lists_overdue_work_with_links(app, cast):
    with app.app_context():
        from pintu.data.models import Application

        app_id = submit(app)
        act(as_user(app, "petugas@test.id"), app, app_id, "lengkap")
        Application.update(due_date="2026-12-01").where(Application.id == app_id).execute()
    page = as_user(app, "pimpinan@test.id").get("/dasbor").get_data(as_text=True)
    section = page.split("Lewat batas waktu")[1]
    assert f'href="/permohonan/{app_id}"' in section and "1 Des 2026" in section


def test_dashboard_costs_a_fixed_number_of_queries(app, cast):
    admin = as_user(app, "admin@test.id")
    submit(app)
    few, _ = count_queries(admin, "/dasbor")
    for i in range(3):
        finish(app, submit(app))
    many, _ = count_queries(admin, "/dasbor")
    assert few == many


def test_dashboard_percentiles_read_off_the_histogram():
    from pintu.oversight.dashboard import Row

    row = Row("x", "x", durations={1: 5, 3: 4, 10: 1})  # ten applications
    assert (row.median, row.p90, row.percentile(1.0)) == (1, 3, 10)
    assert Row("y", "y").median is None


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------

def test_search_exports_csv_and_xlsx_streamed_and_formula_safe(app, cast, make_user):
    make_user("eve@test.id", category="mahasiswa", name="=HYPERLINK(\"http://x\")")
    ids = [submit(app), submit(app, "eve@test.id")]
    petugas = as_user(app, "petugas@test.id")
    r = petugas.get("/petugas/cari/unduh.csv", query_string={"layanan": "legalisir"})
    assert r.status_code == 200 and r.is_streamed and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"] and r.headers["Cache-Control"] == "no-store"
    import csv

    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Nomor", "Layanan", "Pemohon"] and len(rows) == 3
    assert {row[0] for row in rows[1:]} == {reference(app, i) for i in ids}
    assert "'=HYPERLINK(\"http://x\")" in [row[2] for row in rows]

    r = petugas.get("/petugas/cari/unduh.xlsx", query_string={"layanan": "legalisir"})
    assert r.status_code == 200 and r.is_streamed
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3 and values[0][0] == "Nomor"
    assert "'=HYPERLINK(\"http://x\")" in [v[2] for v in values]
    assert petugas.get("/petugas/cari/unduh.pdf").status_code == 404


def test_exports_read_the_rows_in_batches_without_a_cap(app, cast, monkeypatch):
    monkeypatch.setattr(search, "BATCH", 2)
    ids = [submit(app) for _ in range(5)]
    r = as_user(app, "admin@test.id").get("/petugas/cari/unduh.csv")
    lines = r.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 1 + len(ids)


def test_dashboard_exports(app, cast):
    finish(app, submit(app))
    admin = as_user(app, "admin@test.id")
    text = admin.get("/dasbor/unduh.csv").get_data(as_text=True)
    assert "Layanan,Legalisir Ijazah dan Transkrip Akademik,1,0,1" in text and "Total,Semua layanan,1" in text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(admin.get("/dasbor/unduh.xlsx").get_data()))
    assert book.sheetnames == ["Ringkasan", "Umur backlog"]
    assert as_user(app, "petugas@test.id").get("/dasbor/unduh.csv").status_code == 403


def test_the_rollup_kept_by_the_engine_equals_the_one_rebuilt_by_init_db(app, cast):
    """The dashboard reads a daily rollup kept in the transaction of each change; init-db computes it
    again from the applications and events: both must agree, whatever happened to the files."""
    done, refused, returned, cancelled = submit(app), submit(app), submit(app), submit(app)
    finish(app, done)
    petugas = as_user(app, "petugas@test.id")
    act(petugas, app, refused, "refuse", note="Tidak terbaca.")
    act(petugas, app, returned, "return", note="Scan ulang.")
    rina = as_user(app, "rina@test.id")
    r = rina.post(f"/permohonan/{returned}/ubah", data={**FIELDS, "submit": "1"}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    finish(app, returned)  # returned once, resubmitted, finished
    assert rina.post(f"/permohonan/{cancelled}/batal", data={}).status_code == 302

    def rollup():
        with app.app_context():
            from pintu.data.models import DailyCount

            return sorted((str(r.day), r.service, r.metric, r.value) for r in DailyCount.select() if r.value)

    kept = rollup()
    metrics = {m: v for _, _, m, v in kept}
    assert metrics["received"] == 4 and metrics["done"] == 2 and metrics["refused"] == 1
    assert metrics["cancelled"] == 1 and metrics["returned"] == 1 and "open" not in metrics  # all closed
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "Rekap harian dasbor disusun ulang" in result.output, result.output
    assert rollup() == kept


def test_a_unit_pimpinan_is_no_overseer(app, cast, make_user):
    """The head of a Bidang holds pimpinan in that unit: not the institution's leadership, so no
    dashboard and no read-only view of other units' files."""
    make_user("kabid@test.id", "pimpinan", "kepegawaian")
    app_id = submit(app)
    kabid = as_user(app, "kabid@test.id")
    assert kabid.get("/dasbor").status_code == 403
    assert kabid.get(f"/permohonan/{app_id}").status_code == 404
    assert "Dasbor" not in kabid.get("/").get_data(as_text=True)


def backlog_row(page: str, label: str) -> list[int]:
    table = page.split('aria-label="Tabel backlog menurut umur"')[1].split("</table>")[0]
    m = re.search(rf"<tr><td>{re.escape(label)}</td>((?:<td>\d+</td>)+)</tr>", table)
    assert m, table[:2000]
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", m.group(1))]


def test_the_backlog_by_age_is_kept_in_the_rollup_whatever_the_number_of_open_files(app, cast):
    """The dashboard's backlog (work waiting on the office, by days since submission) comes from the
    rollup's ``backlog`` rows, kept by the engine: a return takes a file out of it, a resubmission puts
    it back, closing takes it out; init-db computes the same rows again."""
    waiting, returned, back, done = submit(app), submit(app), submit(app), submit(app)
    petugas, rina = as_user(app, "petugas@test.id"), as_user(app, "rina@test.id")
    act(petugas, app, waiting, "lengkap")
    act(petugas, app, returned, "return", note="Scan ulang.")
    act(petugas, app, back, "return", note="Scan ulang.")
    r = rina.post(f"/permohonan/{back}/ubah", data={**FIELDS, "submit": "1"}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    finish(app, done)

    def rollup():
        with app.app_context():
            from pintu.data.models import DailyCount

            return sorted((str(r.day), r.service, r.metric, r.value) for r in DailyCount.select() if r.value)

    with app.app_context():
        from pintu import now, today

        submitted_on, in_four_days = today(), now() + dt.timedelta(days=4)
    kept = rollup()
    assert [(day, v) for day, _, m, v in kept if m == "backlog"] == [(str(submitted_on), 2)]  # waiting and back
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert rollup() == kept
    title = "Legalisir Ijazah dan Transkrip Akademik"
    admin = as_user(app, "admin@test.id")
    assert backlog_row(admin.get("/dasbor").get_data(as_text=True), title) == [2, 0, 0, 0, 0]
    app.config["CLOCK_NOW"] = in_four_days.isoformat()  # four days on: the 3-5 days bucket
    assert backlog_row(admin.get("/dasbor").get_data(as_text=True), title) == [0, 2, 0, 0, 0]
