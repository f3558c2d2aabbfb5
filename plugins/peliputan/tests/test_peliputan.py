"""Peliputan Media through HTTP: apply, Humas agrees details in the thread, leadership answers with a
letter, Humas delivers the press release (e-mail or ULT pickup); refusal, return and resubmit."""

from __future__ import annotations

import datetime as dt
import html

import pytest

import pintu_peliputan
from pintu.testing import PDF, app_id_of, get_application as get, login, mails_to, outbox, pdf, png

SLUG = "peliputan-media"
APPLICANT = "instansi@test.id"
HUMAS = "humas@test.id"
TODAY = dt.date(2026, 11, 23)

VALID = {"asal_pemohon": "eksternal", "instansi": "SMK Negeri 1 Jember", "nama_kegiatan": "Pentas Seni Vokasi",
         "tanggal_peliputan": "2026-12-10", "durasi": "4", "durasi_satuan": "jam",
         "lokasi": "Aula Politeknik Negeri Jember", "keterangan": "Publikasi kegiatan di media sekolah.",
         "pengiriman": "email"}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(pintu_peliputan, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def cast(staff, make_user):
    applicant = make_user(APPLICANT, category="instansi", name="SMK Negeri 1 Jember")
    humas = make_user(HUMAS, "verifikator", "humas", name="Rudi Humas")
    return dict(staff, applicant=applicant, humas=humas)


def apply(client, submit=True, letter=True, **fields):
    data = dict(VALID, **fields)
    if letter:
        data["file_surat_permohonan"] = pdf("surat_permohonan.pdf")
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def act(client, app, app_id, action, note="", **files):
    data = {"action": action, "version": str(get(app, app_id).version), "note": note}
    data.update({f"file_{k}": v for k, v in files.items()})
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data=data, content_type="multipart/form-data")


def say(client, app_id, body, internal=False, attachment=None):
    data = {"body": body}
    if internal:
        data["internal"] = "1"
    if attachment:
        data["attachment"] = attachment
    return client.post(f"/permohonan/{app_id}/pesan", data=data, content_type="multipart/form-data")


def page_of(client, app_id):
    return html.unescape(client.get(f"/permohonan/{app_id}").get_data(as_text=True))


def upload_id(app, app_id, requirement):
    from pintu.data.models import Upload

    with app.app_context():
        return Upload.get((Upload.application == app_id) & (Upload.requirement == requirement)
                          & (Upload.superseded == False)).id  # noqa: E712


def submitted(client, app, **fields):
    login(client, APPLICANT)
    return app_id_of(apply(client, **fields))


AGREED = "Peliputan pukul 09.00-13.00, 1 fotografer; narahubung Ibu Sari."


def to_step(client, app, app_id, step):
    """Drive a submitted application to ``step`` with the right roles and files."""
    path = [("kelengkapan", "petugas@test.id", "lengkap", "", {}),
            ("verifikasi", HUMAS, "disepakati", AGREED, {}),
            ("persetujuan", "pimpinan@test.id", "setujui", "", {"surat_jawaban": pdf("surat_jawaban.pdf")}),
            ("liputan", HUMAS, "press_release", "", {"press_release": pdf("press_release.pdf")})]
    for key, email, action, note, files in path:
        if key == step:
            return
        login(client, email)
        r = act(client, app, app_id, action, note, **files)
        assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    assert step is None


# ---------------------------------------------------------------------------
# The service as declared
# ---------------------------------------------------------------------------

def test_standard_page(client):
    page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    assert "Peliputan Media" in page
    assert pintu_peliputan.LETTER.label in page
    assert "Tidak dipungut biaya" in page
    assert "surat jawaban atas permohonan peliputan media" in page.lower()
    assert "press release" in page
    assert "humas@polije.ac.id" in page and "(0331) 333533 Ext. 160/221" in page  # the institution profile's phone
    assert "Semua pemohon" in page
    # The products staff upload are not requirements of the applicant.
    assert pintu_peliputan.PRESS_RELEASE.label not in page


# ---------------------------------------------------------------------------
# Full paths with every role
# ---------------------------------------------------------------------------

def test_full_path_press_release_by_email(app, client, cast):
    app_id = submitted(client, app)
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference.startswith("LPM-")
    assert application.data["tanggal_peliputan"] == "2026-12-10" and application.data["durasi"] == 4

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "verifikasi"

    # Humas and the applicant agree the details in the thread.
    login(client, HUMAS)
    assert f'href="/permohonan/{app_id}"' in client.get("/petugas/").get_data(as_text=True)  # Humas's inbox
    assert say(client, app_id, "Mohon kirim susunan acara dan narahubung panitia.").status_code == 200
    login(client, APPLICANT)
    r = say(client, app_id, "Susunan acara terlampir; narahubung Ibu Sari 0812-1111-2222.",
            attachment=pdf("susunan_acara.pdf"))
    assert r.status_code == 200 and "susunan_acara.pdf" in r.get_data(as_text=True)

    # Approval needs the agreed details written down for the applicant.
    login(client, HUMAS)
    r = act(client, app, app_id, "disepakati")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).step == "verifikasi"
    assert act(client, app, app_id, "disepakati", AGREED).status_code == 200
    assert get(app, app_id).step == "persetujuan"

    # The leadership approves with the signed answer letter.
    login(client, "pimpinan@test.id")
    page = page_of(client, app_id)
    assert 'name="file_surat_jawaban"' in page and 'hx-encoding="multipart/form-data"' in page
    r = act(client, app, app_id, "setujui")
    assert r.status_code == 422 and "wajib diunggah" in r.get_data(as_text=True)
    assert get(app, app_id).step == "persetujuan"
    assert act(client, app, app_id, "setujui", surat_jawaban=pdf("surat_jawaban.pdf")).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "liputan")

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "surat_jawaban.pdf" in page and AGREED in page
    assert client.get(f"/berkas/{upload_id(app, app_id, 'surat_jawaban')}").data == PDF

    # After the event Humas uploads the press release; the applicant chose e-mail: the service ends.
    login(client, HUMAS)
    r = act(client, app, app_id, "press_release")
    assert r.status_code == 422 and get(app, app_id).step == "liputan"
    r = act(client, app, app_id, "press_release", press_release=pdf("press_release_pentas.pdf"))
    assert r.status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Press release dikirim" in page and "press_release_pentas.pdf" in page
    assert client.get(f"/berkas/{upload_id(app, app_id, 'press_release')}").data == PDF
    mails = mails_to(app, APPLICANT)
    last = mails[-1]
    assert "Press release dikirim" in last and "Status saat ini: Selesai" in last
    assert f"/permohonan/{app_id}" in last
    assert any(AGREED in m for m in mails)

    from pintu.data.models import Event

    with app.app_context():
        steps = [(e.kind, e.action, e.actor_role) for e in Event.select().where(Event.application == app_id)
                 .order_by(Event.id)]
    assert steps == [("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
                     ("forward", "disepakati", "verifikator"), ("forward", "setujui", "pimpinan"),
                     ("forward", "press_release", "verifikator")]


def test_full_path_press_release_collected_at_the_ult(app, client, cast):
    app_id = submitted(client, app, pengiriman="ult")
    to_step(client, app, app_id, None)
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")
    last = mails_to(app, APPLICANT)[-1]
    assert "Press release dikirim" in last and "Status saat ini: Hasil siap diambil" in last
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    assert get(app, app_id).status == "done"


def test_humas_may_close_without_press_release_with_a_reason(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "liputan")
    login(client, HUMAS)
    assert act(client, app, app_id, "tanpa_press_release").status_code == 422
    assert act(client, app, app_id, "tanpa_press_release", "Kegiatan dibatalkan panitia.").status_code == 200
    assert get(app, app_id).status == "done"
    login(client, APPLICANT)
    assert "Kegiatan dibatalkan panitia." in page_of(client, app_id)


# ---------------------------------------------------------------------------
# The message thread
# ---------------------------------------------------------------------------

def test_internal_note_never_reaches_the_applicant(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, HUMAS)
    assert say(client, app_id, "Apakah panitia menyediakan tempat untuk fotografer?").status_code == 200
    assert say(client, app_id, "RAHASIA: fotografer senior cuti, pakai tim magang.", internal=True).status_code == 200
    # The applicant cannot write internal notes.
    login(client, APPLICANT)
    assert say(client, app_id, "Ya, di depan panggung.", internal=True).status_code == 200
    page = page_of(client, app_id)
    assert "Apakah panitia menyediakan tempat untuk fotografer?" in page
    assert "Ya, di depan panggung." in page
    assert "RAHASIA" not in page
    assert not any("RAHASIA" in m for m in outbox(app))
    from pintu.data.models import Message, Notification

    with app.app_context():
        assert not Notification.select().where(Notification.user == cast["applicant"].id,
                                               Notification.message.contains("RAHASIA")).exists()
        # the applicant's "internal" box was ignored: a normal message
        assert not Message.get(Message.body == "Ya, di depan panggung.").internal
    login(client, HUMAS)
    page = page_of(client, app_id)
    assert "RAHASIA" in page and "Ya, di depan panggung." in page
    # The applicant's question reached Humas by e-mail and the reply reached the applicant.
    assert any("Apakah panitia menyediakan tempat" in m for m in mails_to(app, APPLICANT))


def test_thread_closes_for_the_applicant_when_done(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, None)
    login(client, APPLICANT)
    r = say(client, app_id, "Terima kasih.")
    assert r.status_code == 422 and "Terima kasih." not in page_of(client, app_id)
    from pintu.data.models import Message

    with app.app_context():
        assert not Message.select().where(Message.application == app_id).exists()


# ---------------------------------------------------------------------------
# Refusal, return and resubmit
# ---------------------------------------------------------------------------

def test_humas_refusal_needs_a_reason_shown_to_the_applicant(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, HUMAS)
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    reason = "Tim Humas bertugas meliput wisuda pada tanggal tersebut."
    assert act(client, app, app_id, "refuse", reason).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.refusal_reason) == ("refused", reason)
    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]
    # Nothing more can happen.
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui", surat_jawaban=pdf()).status_code in (409, 422)


def test_leadership_refusal_with_reason(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "persetujuan")
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "refuse").status_code == 422
    assert act(client, app, app_id, "refuse", "Kegiatan tidak terkait dengan institusi.").status_code == 200
    login(client, APPLICANT)
    assert "Kegiatan tidak terkait dengan institusi." in page_of(client, app_id)


def test_return_fix_and_resubmit(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, HUMAS)
    note = "Surat belum ditandatangani kepala sekolah; tanggal juga bentrok, mohon pilih tanggal lain."
    assert act(client, app, app_id, "return").status_code == 422
    assert act(client, app, app_id, "return", note).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("returned", None)

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    r = client.post(f"/permohonan/{app_id}/ubah",
                    data=dict(VALID, tanggal_peliputan="2026-12-17", submit="1",
                              file_surat_permohonan=pdf("surat_ditandatangani.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["tanggal_peliputan"] == "2026-12-17"
    from pintu.data.models import Event, Upload

    with app.app_context():
        letters = [(u.original_name, u.superseded) for u in Upload.select().where(
            (Upload.application == app_id) & (Upload.requirement == "surat_permohonan")).order_by(Upload.id)]
        kinds = [e.kind for e in Event.select().where(Event.application == app_id).order_by(Event.id)]
    assert letters == [("surat_permohonan.pdf", True), ("surat_ditandatangani.pdf", False)]
    assert kinds == ["submitted", "forward", "return", "resubmitted"]
    to_step(client, app, app_id, None)
    assert get(app, app_id).status == "done"


# ---------------------------------------------------------------------------
# Form rules and permissions
# ---------------------------------------------------------------------------

def test_past_date_and_too_long_duration_are_refused(app, client, cast):
    login(client, APPLICANT)
    r = apply(client, tanggal_peliputan="2026-11-22", durasi="40", durasi_satuan="jam")
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "Tanggal peliputan 22-11-2026 sudah lewat." in page
    assert "Durasi paling lama 24 jam" in page
    # The same on the day itself and 20 days are fine.
    assert apply(client, tanggal_peliputan="2026-11-23", durasi="20", durasi_satuan="hari").status_code == 302
    assert apply(client, durasi="31", durasi_satuan="hari").status_code == 422
    assert "Wajib diisi" in apply(client, durasi="").get_data(as_text=True)


def test_letter_is_required_and_must_be_a_pdf(app, client, cast):
    login(client, APPLICANT)
    r = apply(client, letter=False)
    assert r.status_code == 422 and "wajib diunggah" in r.get_data(as_text=True)
    data = dict(VALID, submit="1", file_surat_permohonan=png("surat.pdf"))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "bukan PDF" in r.get_data(as_text=True)


def test_wrong_roles_cannot_act(app, client, cast):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, "akademik@test.id")  # a verifier of another unit
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "disepakati", AGREED).status_code == 422
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "disepakati", AGREED).status_code == 422
    assert get(app, app_id).step == "verifikasi"
    login(client, HUMAS)
    act(client, app, app_id, "disepakati", AGREED)
    # Humas cannot approve for the leadership, nor upload its letter.
    assert act(client, app, app_id, "setujui", surat_jawaban=pdf()).status_code == 422
    assert get(app, app_id).step == "persetujuan"


def test_demo_data_covers_every_state(app, make_user, staff):
    from pintu.data.models import Application, Message, User

    instansi = make_user("instansi@demo.id", category="instansi")
    humas = make_user("humas@demo.id", "verifikator", "humas")
    with app.app_context():
        pintu_peliputan.pintu_demo_data(
            applicants={"instansi": User.get_by_id(instansi.id)},
            staff={"petugas": User.get_by_id(staff["petugas"].id), "pimpinan": User.get_by_id(staff["pimpinan"].id),
                   "verifikator:humas": User.get_by_id(humas.id)})
        rows = list(Application.select().where(Application.service == SLUG))
        statuses = sorted(a.status for a in rows)
        steps = sorted(a.step for a in rows if a.status == "in_process")
        refused = next(a for a in rows if a.status == "refused")
        assert Message.select().count() == 3 and Message.select().where(Message.internal == True).count() == 1  # noqa: E712
    assert statuses == ["done", "draft", "in_process", "in_process", "in_process", "in_process", "ready",
                        "refused", "returned"]
    assert steps == ["kelengkapan", "liputan", "persetujuan", "verifikasi"]
    assert "wisuda" in refused.refusal_reason
