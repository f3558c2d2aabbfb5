"""Pages cost a fixed number of queries whatever the amount of data: the staff inbox (every tab,
keyset pages, capped counts) and the application page with its timeline."""

from __future__ import annotations

import re

import pytest

from pintu.engine import queues
from pintu.testing import act, count_queries, get_application, login, pdf, png, sql_statements

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
HTMX = {"HX-Request": "true", "HX-Target": "kerja"}
REF = re.compile(r"\b(LGS-\d{4}-\d{5})\b")


@pytest.fixture
def cast(app, make_user, staff):
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    make_user("sari@test.id", "petugas", name="Sari Petugas")
    return staff


def submit(client) -> int:
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                                                       "file_transkrip": pdf("transkrip.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return int(r.location.rstrip("/").split("/")[-1])


def refs(page: str) -> list[str]:
    return list(dict.fromkeys(REF.findall(page)))  # in page order, once each


def counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'href="/petugas/\?tab=(\w+)[^"]*"[^>]*>[^<]*<span class="count">([\d+]+)</span>', page))


def next_link(page: str) -> str | None:
    m = re.search(r'href="(/petugas/\?[^"]*setelah=[^"]*)"', page)
    return m.group(1).replace("&amp;", "&") if m else None


def inbox_queries(client) -> dict[str, int]:
    """Queries of the inbox per tab and sort ("tugas/lama")."""
    return {f"{tab}/{sort}": count_queries(client, f"/petugas/?tab={tab}&urut={sort}")[0]
            for tab in queues.TABS for sort in queues.SORTS}


def walk_pages(client, url: str, each=None) -> tuple[list[str], int, str]:
    """Follow "Halaman berikutnya" from ``url``: (references listed, pages, last page).
    ``each(url, queries)`` is called for every page."""
    seen, pages, page = [], 0, ""
    while url:
        n, page = count_queries(client, url)
        if each is not None:
            each(url, n)
        seen += refs(page.split("<tbody>", 1)[1])
        pages += 1
        url = next_link(page)
    return seen, pages, page


def test_inbox_costs_the_same_queries_for_3_and_120_applications_and_pages_by_keyset(app, cast):
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    for _ in range(3):
        submit(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    few = inbox_queries(sari)
    for _ in range(117):
        submit(applicant)
    many = inbox_queries(sari)
    assert many == few, (few, many)
    # The user with roles and unread badge, the tab counts, the page (ids joined to their rows).
    assert set(many.values()) == {3}, many

    # Keyset pages: 50 + 50 + 20, oldest first, nothing twice, nothing left out.
    def same_cost(url, n):
        assert n == many["tugas/lama"] if "setelah" not in url else n <= many["tugas/lama"]

    seen, pages, page = walk_pages(sari, "/petugas/", same_cost)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    assert seen == sorted(seen)  # submitted in reference order, so oldest first is reference order
    assert counts(page)["tugas"] == "120"


def test_newest_first_and_deadline_sorts_page_without_gaps(app, cast):
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    for _ in range(55):
        submit(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    for sort, expect in (("baru", "desc"), ("tenggat", None)):
        seen, _, _ = walk_pages(sari, f"/petugas/?urut={sort}")
        assert len(seen) == len(set(seen)) == 55, sort
        if expect == "desc":
            assert seen == sorted(seen, reverse=True)


def test_tab_counts_are_capped(app, cast, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 5)
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    for _ in range(7):
        submit(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    page = sari.get("/petugas/").get_data(as_text=True)
    assert counts(page) == {"tugas": "4+", "baru": "4+", "saya": "0", "terlambat": "0"}
    assert len(refs(page.split("<tbody>", 1)[1])) == 7  # the list itself is not capped


@pytest.mark.config(CLOCK_NOW="2026-11-02T02:00:00")  # Monday 02-11-2026 09:00 WIB
def test_overdue_tab_lists_the_same_whichever_index_it_reads(app, cast, monkeypatch):
    """The overdue tab sorted by waiting time reads the overdue tasks through the due-key index
    when they are few (under the count cap) and walks the waiting-time index when they are many:
    both list the same applications in the same order, page by page, each through an index."""
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    sari = app.test_client()
    login(sari, "sari@test.id")
    ids = [submit(applicant) for _ in range(8)]
    # Declared complete in this order (the clock starts, and the task waits since then): due 5, 6 and 16 Nov.
    for day, order in (("2026-11-02", (2, 0, 1)), ("2026-11-03", (5, 3, 4)), ("2026-11-11", (6, 7))):
        app.config["CLOCK_NOW"] = f"{day}T02:00:00"
        for i in order:
            assert act(sari, app, ids[i], "lengkap").status_code == 200
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    app.config["CLOCK_NOW"] = "2026-11-12T02:00:00"  # Thursday 12-11-2026: the first six are late
    with app.app_context():
        from pintu.data.models import Application

        ref = {a.id: a.reference for a in Application.select().where(Application.id.in_(ids))}
    waiting = [ref[ids[i]] for i in (2, 0, 1, 5, 3, 4)]  # longest waiting first
    expected = {"lama": waiting, "baru": waiting[::-1], "tenggat": [ref[i] for i in ids[:6]]}
    monkeypatch.setattr(queues, "PER_PAGE", 4)  # two pages of the six
    with sql_statements() as few:
        listed = {sort: walk_pages(akademik, f"/petugas/?tab=terlambat&urut={sort}")[0] for sort in expected}
    assert listed == expected
    page = akademik.get("/petugas/?tab=terlambat").get_data(as_text=True)
    assert counts(page)["terlambat"] == "6" and page.count('class="due late"') == 4
    assert "(terlambat 5 hari kerja)" in page  # due Thursday 5th, a week before
    monkeypatch.setattr(queues, "COUNT_CAP", 3)  # "many" overdue now: the other index
    with sql_statements() as many:
        assert {sort: walk_pages(akademik, f"/petugas/?tab=terlambat&urut={sort}")[0] for sort in expected} == expected
    if app.config["DATABASE_URL"].startswith("sqlite"):
        with app.app_context():
            from pintu.data.db import database

            def task_reads(statements, sorted_by=None) -> set[str]:
                """The indexes the statements read ``task`` through (each must be a covering index)."""
                used = set()
                for sql, params in statements:
                    if "FROM task" not in sql or (sorted_by and f"{sorted_by} AS k" not in sql):
                        continue
                    plan = [row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
                    reads = [p for p in plan if " task " in f"{p} "]
                    assert reads and all(p.startswith("SEARCH task USING COVERING INDEX") for p in reads), plan
                    used |= {p.split("INDEX ")[1].split(" ")[0] for p in reads}
                return used

            task_reads(few + many)
            # By waiting time: few overdue are read through the due-key index, many walk the "since" one.
            assert task_reads(few, "since") == {"task_queue_due_key_application_id_applicant_since"}
            assert task_reads(many, "since") == {"task_queue_since_application_id_applicant_due_key"}


def test_an_application_is_filed_once_per_queue(app, cast):
    """A step's queue and a pending disposition to the same unit (two dispositions, even) file one
    task: rebuilt by init-db without error, listed and counted once in that unit's inbox."""
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    sari = app.test_client()
    login(sari, "sari@test.id")
    app_id = submit(applicant)
    assert act(sari, app, app_id, "lengkap").status_code == 200  # at "verifikasi", Bagian Akademik's queue
    with app.app_context():
        from pintu.data.models import Disposition, Task, Unit

        akademik = Unit.get(Unit.key == "akademik")
        for _ in range(2):  # written behind the engine's back, as an older version could have left them
            Disposition.create(application=app_id, step="verifikasi", unit=akademik, instruction="Periksa")
        queues.rebuild()
        assert list(Task.select(Task.queue).where(Task.application == app_id).tuples()) == [
            ("legalisir/verifikator/akademik",)]
    verifier = app.test_client()
    login(verifier, "akademik@test.id")
    page = verifier.get("/petugas/").get_data(as_text=True)
    assert len(refs(page.split("<tbody>", 1)[1])) == 1 and counts(page)["tugas"] == "1"


def test_application_page_costs_the_same_queries_whatever_its_history(app, cast):
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    short_id, long_id = submit(applicant), submit(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    # Give the second one a long history: returned and resubmitted five times, with new files.
    for i in range(5):
        act(sari, app, long_id, "return", note=f"Perbaiki berkas ke-{i}")
        r = applicant.post(f"/permohonan/{long_id}/ubah",
                           data={**FIELDS, "submit": "1", "file_ijazah": pdf(f"ijazah-{i}.pdf")},
                           content_type="multipart/form-data")
        assert r.status_code == 302, re.findall(r'class="[^"]*(?:error|galat|warning)[^"]*"[^>]*>([^<]+)', r.get_data(as_text=True))
    for viewer in (applicant, sari):
        short_n, short_page = count_queries(viewer, f"/permohonan/{short_id}")
        long_n, long_page = count_queries(viewer, f"/permohonan/{long_id}")
        assert long_page.count("Perbaiki berkas ke-") >= 5  # the history is really on the page
        assert long_n == short_n, (viewer is sari, short_n, long_n)
        # user+roles+badge, then the application with its applicant and every list of the page in
        # one query (pintu.data.pagedata); staff also write the audit entry of a staff view.
        assert long_n <= (3 if viewer is sari else 2), long_n


def test_the_page_data_reads_every_column_as_peewee_does(app, cast):
    """pintu.data.pagedata builds the page's objects from one row of JSON lists, converting only the
    columns that need it: every object holds exactly what peewee's own read gives (timestamps,
    dates, JSON data, booleans, joined names)."""
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    app_id = submit(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    assert act(sari, app, app_id, "return", note="Perbaiki berkas").status_code == 200
    r = applicant.post(f"/permohonan/{app_id}/pesan", data={"body": "Sudah saya perbaiki", "attachment": png("a.png")},
                       content_type="multipart/form-data")
    assert r.status_code == 200, r.status_code
    with app.app_context():
        from pintu.data import pagedata
        from pintu.data.models import Application, Event, Message, Upload, User

        page = pagedata.load(app_id)
        a = Application.get_by_id(app_id)
        assert page.__data__ == a.__data__ and a.submitted_at and a.data
        assert page.applicant.__data__ == User.get_by_id(a.applicant_id).__data__
        for attr, model in (("_uploads", Upload), ("_events", Event), ("_messages", Message)):
            expected = [o.__data__ for o in model.select().where(model.application == app_id).order_by(model.id)]
            assert expected and [o.__data__ for o in getattr(page, attr)] == expected, attr
        assert [e.actor.name for e in page._events] == [e.actor.name for e in
                                                       Event.select().where(Event.application == app_id).order_by(Event.id)]
        assert page._messages[-1].attachment.original_name == "a.png"

def test_tracking_lookup_reads_the_reference_index(app, cast):
    """/lacak finds the application through the unique index on its reference, whatever the case
    the visitor typed (a scan of every application ever filed grew with the history)."""
    import logging

    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    app_id = submit(applicant)
    with app.app_context():
        from pintu.data.models import Application

        a = Application.get_by_id(app_id)
    statements = []

    class Recorder(logging.Handler):
        def emit(self, record):
            if record.name == "peewee" and isinstance(record.msg, tuple) and "application" in record.msg[0]:
                statements.append(record.msg)

    logger, handler = logging.getLogger("peewee"), Recorder()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        page = app.test_client().get("/lacak", query_string={"reference": a.reference.lower(),
                                                              "code": a.tracking_code}).get_data(as_text=True)
    finally:
        logger.removeHandler(handler)
    assert a.reference in page  # found, though typed in lower case
    lookup = next(s for s in statements if "reference" in s[0])
    if app.config["DATABASE_URL"].startswith("sqlite"):
        with app.app_context():
            from pintu.data.db import database

            plan = " ".join(str(row) for row in database.execute_sql("EXPLAIN QUERY PLAN " + lookup[0], lookup[1]))
        assert "USING INDEX" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", ""), plan



def test_a_matching_tracking_lookup_costs_one_query(app, cast):
    """/lacak reads the address's rate limit, the application and the steps it passed with one
    statement (pintu.engine.tracking.lookup); they were three."""
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    a = get_application(app, submit(applicant))
    n, page = count_queries(app.test_client(), "/lacak",
                            query_string={"reference": a.reference, "code": a.tracking_code})
    assert a.reference in page and "sedang diproses" in page
    assert n == 1, n

COMPLAINT = "pengaduan-masyarakat"
COMPLAINT_FIELDS = {"tanggal_pengaduan": "2026-01-05", "bidang": "keuangan_sarana", "lokasi_waktu": "Parkir GSG",
                    "uraian": "Lampu penerangan di area parkir padam sejak dua minggu lalu, rawan pada malam hari."}


def test_application_page_costs_at_most_4_queries_with_many_events_files_messages_and_dispositions(
        app, make_user, staff):
    """Issue 8: the application page (applicant, officer, a unit answering a disposition) costs the
    same few queries for a short history as for one with many events, files, messages (with
    attachments and internal notes) and dispositions."""
    from pintu.testing import act

    make_user("warga@test.id", category="masyarakat", name="Budi Warga")
    make_user("keu@test.id", "verifikator", "umum_keuangan", name="Unit Keuangan")
    make_user("humas@test.id", "verifikator", "humas", name="Unit Humas")
    applicant, officer, keu, humas = (app.test_client() for _ in range(4))
    for client, email in ((applicant, "warga@test.id"), (officer, "petugas@test.id"), (keu, "keu@test.id"),
                          (humas, "humas@test.id")):
        login(client, email)

    def file_complaint() -> int:
        r = applicant.post(f"/layanan/{COMPLAINT}/ajukan", content_type="multipart/form-data",
                           data={**COMPLAINT_FIELDS, "submit": "1", "file_surat_pengaduan": pdf("surat.pdf")})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        return int(r.location.rstrip("/").split("/")[-1])

    def route_and_answer(app_id: int, rounds: int) -> None:
        from pintu.data.models import Disposition, Unit

        assert act(officer, app, app_id, "lengkap").status_code == 200
        assert act(officer, app, app_id, "dispose", note=f"Instruksi {app_id}",
                   units=["umum_keuangan", "humas"][:rounds]).status_code == 200
        with app.app_context():
            waiting = {d.unit.key: d.id for d in Disposition.select(Disposition, Unit).join(Unit).where(
                Disposition.application == app_id, Disposition.answered_at.is_null())}
        for key, client in (("umum_keuangan", keu), ("humas", humas))[:rounds]:
            r = client.post(f"/petugas/permohonan/{app_id}/jawab", data={
                "disposition": waiting[key], "version": get_application(app, app_id).version,
                "answer": f"Tindak lanjut {key} nomor {app_id}"})
            assert r.status_code == 200, r.get_data(as_text=True)[:2000]

    short_id, long_id = file_complaint(), file_complaint()
    route_and_answer(short_id, 1)
    # The long history: returned and fixed four times with new files, two units, a dozen messages.
    for i in range(4):
        assert act(officer, app, long_id, "return", note=f"Lengkapi bukti ke-{i}").status_code == 200
        r = applicant.post(f"/permohonan/{long_id}/ubah", content_type="multipart/form-data",
                           data={**COMPLAINT_FIELDS, "submit": "1", "file_bukti_pendukung": png(f"bukti-{i}.png")})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    route_and_answer(long_id, 2)
    for i in range(4):
        for client, extra in ((applicant, {}), (officer, {}), (officer, {"internal": "1"})):
            r = client.post(f"/permohonan/{long_id}/pesan", content_type="multipart/form-data",
                            data={"body": f"Pesan nomor {i}", "attachment": pdf(f"lampiran-{i}.pdf"), **extra})
            assert r.status_code == 200, r.get_data(as_text=True)[:2000]

    for who, viewer in (("applicant", applicant), ("officer", officer), ("unit", keu)):
        short_n, _ = count_queries(viewer, f"/permohonan/{short_id}")
        long_n, page = count_queries(viewer, f"/permohonan/{long_id}")
        # The history is really on the page (the applicant does not see internal notes or units' names).
        assert page.count("Pesan nomor") == (8 if who == "applicant" else 12), who
        assert page.count("lampiran-") >= 8 and "Lengkapi bukti ke-3" in page, who
        if who != "applicant":
            assert "Tindak lanjut humas" in page
        assert long_n == short_n, (who, short_n, long_n)
        # The user (with roles and unread count), the application with every list of its page, and
        # for staff the audit entry of their view.
        assert long_n <= 4, (who, long_n)


@pytest.mark.config(CLOCK_NOW="2026-11-02T02:00:00")  # Monday 02-11-2026 09:00 WIB
def test_tab_counts_follow_every_change_of_the_queues(app, cast, make_user):
    """The tab counts add up per-queue tallies kept with the tasks: after claims, completions,
    returns, resubmissions, cancellations, dispositions, a rebuild and days passing, every tab of
    every inbox counts exactly what it lists (a staff member's own application neither listed
    nor counted), and the tallies hold what the tasks hold, without empty rows."""
    from pintu.data.models import Task, TaskTally

    make_user("ganda@test.id", "petugas", category="mahasiswa", name="Ganda Petugas dan Alumni")
    # Front office and Bagian Akademik's verifier at once: a disposition could put one application
    # in two of this user's queues, so their counts walk the tasks instead of adding up tallies.
    make_user("dua@test.id", "petugas", name="Dua Peran")
    make_user("dua@test.id", "verifikator", "akademik")
    applicant, sari, ganda, akademik, dua = (app.test_client() for _ in range(5))
    for client, email in ((applicant, "alumni@test.id"), (sari, "sari@test.id"), (ganda, "ganda@test.id"),
                          (akademik, "akademik@test.id"), (dua, "dua@test.id")):
        login(client, email)
    ids = [submit(applicant) for _ in range(9)]
    own = [submit(ganda) for _ in range(2)]  # in the petugas queue, but not for Ganda

    def claim(client, app_id, allowed=True):
        r = client.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": get_application(app, app_id).version},
                        headers=HTMX)
        assert (r.status_code == 200) == allowed, r.get_data(as_text=True)[:1000]

    def check(when: str) -> None:
        for who, client in (("sari", sari), ("ganda", ganda), ("akademik", akademik), ("dua", dua)):
            page = client.get("/petugas/").get_data(as_text=True)
            shown = counts(page)
            for tab in queues.TABS:
                listed = walk_pages(client, f"/petugas/?tab={tab}")[0]
                assert shown[tab] == str(len(listed)), (when, who, tab, shown, listed)
                if who == "ganda":
                    assert not {get_application(app, i).reference for i in own} & set(listed), (when, tab)
        with app.app_context():
            tasks = {}
            for t in Task.select():
                key = (t.queue, t.assignee, str(t.due_key))
                tasks[key] = tasks.get(key, 0) + 1
            tallies = {(t.queue, t.assignee, str(t.due_key)): t.n for t in TaskTally.select()}
        assert tallies == tasks, when

    check("submitted")
    claim(sari, ids[0])
    claim(sari, ids[1])
    claim(ganda, own[0], allowed=False)  # nobody processes their own application
    claim(sari, own[1])
    check("claimed")
    for i in (0, 2, 3, 4):  # complete: on to Bagian Akademik's queue, due in 3 working days
        assert act(sari, app, ids[i], "lengkap").status_code == 200
    assert act(sari, app, ids[5], "return", note="Lengkapi legalisir").status_code == 200
    claim(akademik, ids[2])
    check("completed")
    r = applicant.post(f"/permohonan/{ids[5]}/ubah", content_type="multipart/form-data",
                       data={**FIELDS, "submit": "1", "file_ijazah": pdf("ijazah2.pdf")})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    r = applicant.post(f"/permohonan/{ids[6]}/batal", data={"version": get_application(app, ids[6]).version,
                                                              **_cancel_fields(applicant, ids[6])})
    assert r.status_code in (200, 302), r.get_data(as_text=True)[:2000]
    assert get_application(app, ids[6]).status == "cancelled"
    check("resubmitted and cancelled")
    with app.app_context():
        queues.rebuild()
    check("rebuilt")
    app.config["CLOCK_NOW"] = "2026-11-12T02:00:00"  # the completed ones are late now
    check("late")
    assert counts(akademik.get("/petugas/").get_data(as_text=True))["terlambat"] == "4"  # all four completed


def _cancel_fields(client, app_id) -> dict:
    from pintu.testing import hidden_fields

    return hidden_fields(client.get(f"/permohonan/{app_id}").get_data(as_text=True), f"/permohonan/{app_id}/batal")
