"""The applicant's form path: one-time form tokens (a double click makes one application),
version-checked applicant writes, files kept across a failed try, all errors in one round, and
the return note on the fix form.  Runs on SQLite, and on PostgreSQL when
``PINTU_TEST_DATABASE_URL`` is set (threads included)."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading

from pintu.testing import (act, app_id_of, count_rows, events_of, form_token, get_application, hidden_fields, login,
                           mails_to, pdf, png)

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
APPLY = "/layanan/legalisir/ajukan"
ALUMNI = "alumni@test.id"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def applicant(app, make_user):
    make_user(ALUMNI, category="mahasiswa")
    client = app.test_client()
    login(client, ALUMNI)
    return client


def files():
    return {"file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf")}


def post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def returned_application(app, client, staff) -> int:
    """An alumni's legalisir application, returned by the front office with a note."""
    token = form_token(client, APPLY)
    app_id = app_id_of(post(client, APPLY, {**FIELDS, **files(), "submit": "1", "form_token": token}))
    petugas = app.test_client()
    login(petugas, "petugas@test.id")
    r = act(petugas, app, app_id, "return", note="Scan ijazah buram, unggah ulang.",
            internal_note="cek ke akademik dulu")
    assert r.status_code in (200, 302), r.get_data(as_text=True)[:2000]
    assert get_application(app, app_id).status == "returned"
    return app_id


# ---------------------------------------------------------------------------
# Item 10: idempotent, version-checked applicant writes
# ---------------------------------------------------------------------------

def test_same_token_twice_makes_one_application_one_event_one_mail(app, make_user):
    client = applicant(app, make_user)
    token = form_token(client, APPLY)
    first = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "form_token": token})
    second = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "form_token": token})
    app_id = app_id_of(first)
    assert app_id_of(second) == app_id  # the repeat answers with the first one's result
    assert count_rows(app, "Application") == 1
    assert [e[0] for e in events_of(app, app_id)] == ["submitted"]
    assert len(mails_to(app, ALUMNI)) == 1
    assert count_rows(app, "Upload") == 2
    assert "tidak diproses dua kali" in text(client.get(second.location))


def test_missing_token_is_refused_keeping_data_and_files(app, make_user):
    client = applicant(app, make_user)
    r = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "form_token": ""})
    assert r.status_code == 422
    page = text(r)
    assert "tidak lengkap atau sudah kedaluwarsa" in page
    assert 'value="E31170042"' in page and "Sudah diunggah: ijazah.pdf" in page
    assert count_rows(app, "Application") == 0
    # The re-rendered form carries a fresh token and the kept files: sending it again works.
    fields = hidden_fields(r.get_data(as_text=True))
    assert fields["form_token"] and fields["staged_ijazah"] and fields["staged_transkrip"]
    app_id = app_id_of(post(client, APPLY, {**FIELDS, **fields, "submit": "1"}))
    assert sorted(u.original_name for u in get_application(app, app_id).uploads) == ["ijazah.pdf", "transkrip.pdf"]


def _in_threads(app, work, n=2):
    """Run ``work(i)`` in ``n`` threads released together; returns their results (or exceptions)."""
    from pintu.data.db import database

    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # reported by the assertions
            results[i] = exc
        finally:
            with app.app_context():
                if not database.is_closed():
                    database.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_submits_with_one_token_make_one_application(app, make_user):
    make_user(ALUMNI, category="mahasiswa")
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        login(c, ALUMNI)
    token = form_token(clients[0], APPLY)

    def submit(i):
        return post(clients[i], APPLY, {**FIELDS, **files(), "submit": "1", "form_token": token})

    responses = _in_threads(app, submit)
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert len({r.location for r in responses}) == 1  # both answered with the same application
    assert count_rows(app, "Application") == 1
    assert count_rows(app, "Event") == 1
    assert count_rows(app, "Upload") == 2
    assert len(mails_to(app, ALUMNI)) == 1


def test_concurrent_resubmits_make_one_event_and_one_mail(app, make_user, staff):
    client = applicant(app, make_user)
    app_id = returned_application(app, client, staff)
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        login(c, ALUMNI)
    url = f"/permohonan/{app_id}/ubah"
    fields = hidden_fields(clients[0].get(url).get_data(as_text=True))  # one page, a double click

    responses = _in_threads(app, lambda i: post(clients[i], url, {**FIELDS, **fields, "submit": "1"}))
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert [e[0] for e in events_of(app, app_id)].count("resubmitted") == 1
    assert sum("diajukan kembali" in m for m in mails_to(app, ALUMNI)) == 1
    assert get_application(app, app_id).status == "in_process"


def test_resubmit_racing_a_draft_save_leaves_status_and_events_consistent(app, make_user, staff):
    """Two tabs on the fix form (two tokens, one version): one write wins, the other is a conflict."""
    client = applicant(app, make_user)
    app_id = returned_application(app, client, staff)
    url = f"/permohonan/{app_id}/ubah"
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        login(c, ALUMNI)
    tabs = [hidden_fields(c.get(url).get_data(as_text=True)) for c in clients]
    assert tabs[0]["form_token"] != tabs[1]["form_token"] and tabs[0]["version"] == tabs[1]["version"]
    buttons = [{"submit": "1"}, {"draft": "1"}]

    responses = _in_threads(app, lambda i: post(clients[i], url, {**FIELDS, **tabs[i], **buttons[i],
                                                                  "program_studi": f"Tab {i}"}))
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [302, 422], responses
    loser = next(r for r in responses if r.status_code == 422)
    assert "sejak formulir ini dibuka" in text(loser) or "sudah diajukan" in text(loser)
    a = get_application(app, app_id)
    last = events_of(app, app_id)[-1][0]
    if a.status == "returned":  # the draft save won: no resubmission event
        assert last == "return" and a.data["program_studi"] == "Tab 1"
    else:
        assert (a.status, last, a.data["program_studi"]) == ("in_process", "resubmitted", "Tab 0")


def test_stale_fix_form_gets_a_conflict_and_keeps_what_was_typed(app, make_user, staff):
    client = applicant(app, make_user)
    app_id = returned_application(app, client, staff)
    url = f"/permohonan/{app_id}/ubah"
    old_tab = hidden_fields(client.get(url).get_data(as_text=True))
    assert app_id_of(post(client, url, {**FIELDS, "draft": "1", "program_studi": "Disimpan di tab lain"})) == app_id
    r = post(client, url, {**FIELDS, **old_tab, "submit": "1", "program_studi": "Ketikan saya",
                           "file_ijazah": pdf("ijazah-baru.pdf")})
    assert r.status_code == 422
    page = text(r)
    assert "sudah diubah pada" in page and "belum disimpan" in page
    assert 'value="Ketikan saya"' in page and "Sudah diunggah: ijazah-baru.pdf" in page
    assert get_application(app, app_id).data["program_studi"] == "Disimpan di tab lain"
    # The page now carries the current version: sending it again saves, knowingly.
    again = hidden_fields(r.get_data(as_text=True))
    assert app_id_of(post(client, url, {**FIELDS, **again, "submit": "1", "program_studi": "Ketikan saya"})) == app_id
    a = get_application(app, app_id)
    assert a.status == "in_process" and a.data["program_studi"] == "Ketikan saya"
    assert {u.original_name for u in a.uploads if not u.superseded} == {"ijazah-baru.pdf", "transkrip.pdf"}


def test_step_action_cancel_and_message_do_not_double_apply(app, make_user, staff):
    client = applicant(app, make_user)
    app_id = app_id_of(post(client, APPLY, {**FIELDS, **files(), "submit": "1"}))
    detail = f"/permohonan/{app_id}"
    page = client.get(detail).get_data(as_text=True)

    message = hidden_fields(page, f"/permohonan/{app_id}/pesan")
    for _ in range(2):
        r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Kapan selesai?", **message})
        assert r.status_code == 200
    assert count_rows(app, "Message") == 1

    cancel = hidden_fields(page, f"/permohonan/{app_id}/batal")
    for _ in range(2):
        r = client.post(f"/permohonan/{app_id}/batal", data=cancel)
        assert r.status_code == 302 and r.location.endswith(detail)
    assert [e[0] for e in events_of(app, app_id)].count("cancel") == 1
    assert "sudah diproses" not in text(client.get(detail))  # the repeat is not reported as a conflict


# ---------------------------------------------------------------------------
# Item 13: files kept across a failed try, all errors in one round
# ---------------------------------------------------------------------------

def test_field_error_keeps_chosen_files_and_next_post_uses_them(app, make_user):
    client = applicant(app, make_user)
    r = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "tahun_lulus": "dua ribu"})
    assert r.status_code == 422
    page = text(r)
    assert re.search(r'id="tahun_lulus-error">', page)
    assert "Sudah diunggah: ijazah.pdf" in page and "Sudah diunggah: transkrip.pdf" in page
    assert count_rows(app, "Application") == 0 and count_rows(app, "Upload") == 0
    fields = hidden_fields(r.get_data(as_text=True))
    # Fixed field, no file chosen again: the kept files are used, stored once.
    app_id = app_id_of(post(client, APPLY, {**FIELDS, **fields, "submit": "1"}))
    uploads = list(get_application(app, app_id).uploads)
    assert sorted(u.original_name for u in uploads) == ["ijazah.pdf", "transkrip.pdf"]
    assert count_rows(app, "StagedUpload") == 0
    folder = app.config["UPLOAD_FOLDER"]
    assert sorted(os.listdir(folder)) == sorted(u.stored_name for u in uploads)


def test_a_new_choice_replaces_the_kept_file(app, make_user):
    client = applicant(app, make_user)
    r = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "tahun_lulus": "x"})
    fields = hidden_fields(r.get_data(as_text=True))
    app_id = app_id_of(post(client, APPLY, {**FIELDS, **fields, "submit": "1", "file_ijazah": pdf("ganti.pdf")}))
    current = {u.requirement: u.original_name for u in get_application(app, app_id).uploads if not u.superseded}
    assert current == {"ijazah": "ganti.pdf", "transkrip": "transkrip.pdf"}


def test_kept_files_of_another_user_are_not_usable(app, make_user):
    client = applicant(app, make_user)
    r = post(client, APPLY, {**FIELDS, **files(), "submit": "1", "tahun_lulus": "x"})
    stolen = {k: v for k, v in hidden_fields(r.get_data(as_text=True)).items() if k.startswith("staged_")}
    assert stolen
    make_user("other@test.id", category="mahasiswa")
    other = app.test_client()
    login(other, "other@test.id")
    r = post(other, APPLY, {**FIELDS, **stolen, "submit": "1"})
    assert r.status_code == 422
    page = text(r)
    assert "Sudah diunggah" not in page and "ijazah.pdf" not in page
    assert re.search(r'id="file_ijazah-error">', page)
    assert count_rows(app, "Application") == 0 and count_rows(app, "StagedUpload") == 2


def test_empty_submit_reports_fields_and_missing_files_in_one_round(app, make_user):
    client = applicant(app, make_user)
    r = post(client, APPLY, {"submit": "1", "nim": "", "program_studi": "", "tahun_lulus": ""})
    assert r.status_code == 422
    page = text(r)
    for name in ("nim", "program_studi", "tahun_lulus", "file_ijazah", "file_transkrip"):
        assert re.search(rf'id="{name}-error">', page), name


def test_validators_run_with_field_errors_and_files(app, make_user):
    """A service validator's message comes in the same round as a wrong field and a wrong file."""
    client = applicant(app, make_user)
    r = post(client, APPLY, {**FIELDS, "submit": "1", "tahun_lulus": "x", "jumlah_ijazah": "0",
                             "jumlah_transkrip": "0", "file_ijazah": png("ijazah.pdf")})
    page = text(r)
    assert re.search(r'id="tahun_lulus-error">', page)
    assert "Isi sekurang-kurangnya satu lembar" in page  # legalisir's at_least_one_copy
    assert re.search(r'id="file_ijazah-error">Isi berkas bukan PDF', page)
    assert re.search(r'id="file_transkrip-error">', page)


def test_sweep_removes_old_kept_files(app, make_user):
    client = applicant(app, make_user)
    post(client, APPLY, {**FIELDS, **files(), "submit": "1", "tahun_lulus": "x"})
    folder = app.config["UPLOAD_FOLDER"]
    assert len(os.listdir(folder)) == 2
    with app.app_context():
        from pintu.data import staging
        from pintu.data.models import StagedUpload, utcnow

        assert staging.sweep_staged(dt.timedelta(days=1)) == 0  # fresh ones stay
        StagedUpload.update(created_at=utcnow() - dt.timedelta(days=2)).execute()
    result = app.test_cli_runner().invoke(args=["sweep-staged"])
    assert result.exit_code == 0, result.output
    assert "2 berkas" in result.output
    assert os.listdir(folder) == [] and count_rows(app, "StagedUpload") == 0


# ---------------------------------------------------------------------------
# Item 17: the return note on the fix form
# ---------------------------------------------------------------------------

def test_fix_form_and_application_page_show_the_return_note(app, make_user, staff):
    client = applicant(app, make_user)
    app_id = returned_application(app, client, staff)
    form = text(client.get(f"/permohonan/{app_id}/ubah"))
    assert "Alasan dikembalikan" in form and "Scan ijazah buram, unggah ulang." in form
    assert form.index("Scan ijazah buram") < form.index('name="nim"')  # at the top, before the fields
    assert "cek ke akademik dulu" not in form  # never the internal note
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Alasan dikembalikan" in page and "Scan ijazah buram, unggah ulang." in page
    assert "cek ke akademik dulu" not in page
