"""Wisata Edukasi dan Studi Banding through HTTP: the Direktur's disposition to two units that must both
answer, Humas coordination in the message thread, the reply letter (e-mail or ULT pickup), refusal,
return and resubmit."""

from __future__ import annotations

import datetime as dt
import html

import pytest

import pintu
import pintu_wisata_edukasi
from pintu.testing import PDF, app_id_of, get_application as get, login, mails_to, outbox, pdf, png

SLUG = "wisata-edukasi"
APPLICANT = "instansi@test.id"
HUMAS = "humas@test.id"
AKADEMIK = "akademik@test.id"
UMKEU = "umkeu@test.id"
TODAY = dt.date(2026, 11, 23)

VALID = {"nama_instansi": "SMA Negeri 2 Jember", "jenis_kegiatan": "studi_banding",
         "bidang_topik": "Teaching factory pengolahan pangan", "unit_tujuan": "Jurusan Teknologi Pertanian",
         "tanggal_kegiatan": "2026-12-14", "jumlah_peserta": "45",
         "keterangan": "Pengenalan pendidikan vokasi bagi siswa kelas XII.", "pengiriman": "email"}
AGREED = "Senin 14-12-2026 pukul 08.30: paparan di Aula, lalu TeFa pengolahan pangan. Sepatu tertutup."


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(pintu_wisata_edukasi, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def cast(staff, make_user):
    return dict(staff, applicant=make_user(APPLICANT, category="instansi", name="SMA Negeri 2 Jember"),
                humas=make_user(HUMAS, "verifikator", "humas", name="Rudi Humas"),
                umkeu=make_user(UMKEU, "verifikator", "umum_keuangan", name="Wati Keuangan"))


def apply(client, submit=True, letter=True, **fields):
    data = dict(VALID, **fields)
    if letter:
        data["file_surat_permohonan"] = pdf("surat_permohonan.pdf")
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def act(client, app, app_id, action, note="", units=(), **files):
    data = {"action": action, "version": str(get(app, app_id).version), "note": note, "units": list(units)}
    data.update({f"file_{k}": v for k, v in files.items()})
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data=data, content_type="multipart/form-data")


def pending(app, app_id) -> dict[str, int]:
    """Unit key -> id of the dispositions still waiting for an answer."""
    with app.app_context():
        return {d.unit.key: d.id for d in pintu.pending_dispositions(get(app, app_id))}


def answer(client, app, app_id, unit, text):
    return client.post(f"/petugas/permohonan/{app_id}/jawab",
                       data={"disposition": pending(app, app_id).get(unit, 0),
                             "version": str(get(app, app_id).version), "answer": text})


def say(client, app_id, body, internal=False):
    data = {"body": body, **({"internal": "1"} if internal else {})}
    return client.post(f"/permohonan/{app_id}/pesan", data=data, content_type="multipart/form-data")


def page_of(client, app_id):
    return html.unescape(client.get(f"/permohonan/{app_id}").get_data(as_text=True))


def in_inbox(client, app_id) -> bool:
    """The application is listed in the logged-in staff member's task inbox."""
    return f'href="/permohonan/{app_id}"' in client.get("/petugas/").get_data(as_text=True)


def submitted(client, app, **fields):
    login(client, APPLICANT)
    return app_id_of(apply(client, **fields))


def to_koordinasi(client, app, app_id):
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "dispose", "Siapkan narasumber.", units=["akademik", "umum_keuangan"]
               ).status_code == 200
    login(client, AKADEMIK)
    assert answer(client, app, app_id, "akademik", "Jurusan siap.").status_code == 200
    login(client, UMKEU)
    assert answer(client, app, app_id, "umum_keuangan", "Aula tersedia.").status_code == 200
    assert get(app, app_id).step == "koordinasi"


# ---------------------------------------------------------------------------
# The service as declared
# ---------------------------------------------------------------------------

def test_standard_page(client):
    page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    assert "Wisata Edukasi dan Studi Banding" in page
    assert "Surat Resmi Permohonan Dari Instansi / Lembaga" in page
    assert "Jalan Mastrip PO.BOX 164, Jember" in page
    assert "Tidak dipungut biaya" in page
    assert "Informasi tentang jadual, tatacara dan unit produktif serta materi yang dikunjungi dan dipelajari" in page
    assert "Proses Disposisi: Surat permintaan diajukan ke Sekretariat Direktur" in page
    assert "dikoordinir oleh Kepala Humas" in page
    assert pintu_wisata_edukasi.REPLY_LETTER.label not in page.split("Produk pelayanan")[0]


# ---------------------------------------------------------------------------
# Full path with every role and the two-unit disposition
# ---------------------------------------------------------------------------

def test_full_path_with_disposition_to_two_units(app, client, cast):
    app_id = submitted(client, app)
    application = get(app, app_id)
    assert application.reference.startswith("WSB-") and application.step == "kelengkapan"
    assert application.data["jumlah_peserta"] == 45

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "disposisi"

    # Units not routed yet cannot even see it.
    login(client, AKADEMIK)
    assert client.get(f"/permohonan/{app_id}").status_code == 404

    login(client, "pimpinan@test.id")
    page = page_of(client, app_id)
    assert 'name="units"' in page and "Bagian Akademik" in page and "Bagian Umum dan Keuangan" in page
    r = act(client, app, app_id, "dispose")
    assert r.status_code == 422 and "Pilih sekurang-kurangnya satu unit" in r.get_data(as_text=True)
    r = act(client, app, app_id, "dispose", "Mohon siapkan narasumber TeFa dan aula.",
            units=["akademik", "umum_keuangan"])
    assert r.status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "disposisi")
    assert set(pending(app, app_id)) == {"akademik", "umum_keuangan"}
    # While units are working, the Direktur may only return or refuse, not dispose again.
    assert act(client, app, app_id, "dispose", units=["kepegawaian"]).status_code == 422

    # A unit that was not routed cannot answer; an empty answer is refused.
    login(client, "kepeg@test.id")
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    login(client, AKADEMIK)
    assert in_inbox(client, app_id)  # in the unit's inbox
    assert "Mohon siapkan narasumber TeFa dan aula." in page_of(client, app_id)
    assert answer(client, app, app_id, "umum_keuangan", "bukan unit saya").status_code == 422
    r = answer(client, app, app_id, "akademik", "  ")
    assert r.status_code == 422 and "wajib diisi" in r.get_data(as_text=True)

    # The first answer alone does not move it.
    assert answer(client, app, app_id, "akademik", "Jurusan Teknologi Pertanian siap, narasumber Dr. Ani.").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "disposisi")
    assert set(pending(app, app_id)) == {"umum_keuangan"}
    assert answer(client, app, app_id, "akademik", "lagi").status_code == 422  # already answered
    login(client, HUMAS)
    assert act(client, app, app_id, "disepakati", AGREED, surat_balasan=pdf()).status_code == 422

    # The second answer moves it on to Humas.
    login(client, UMKEU)
    assert answer(client, app, app_id, "umum_keuangan", "Aula tersedia pukul 08.00-12.00.").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "koordinasi")
    assert pending(app, app_id) == {}
    login(client, AKADEMIK)
    assert not in_inbox(client, app_id)  # answered: off its list

    # Humas and the applicant coordinate in the thread.
    login(client, HUMAS)
    assert in_inbox(client, app_id)
    page = page_of(client, app_id)
    assert "Jurusan Teknologi Pertanian siap, narasumber Dr. Ani." in page  # staff see the units' answers
    assert say(client, app_id, "Berapa pendamping dan kendaraan yang dibawa?").status_code == 200
    login(client, APPLICANT)
    assert say(client, app_id, "Pendamping 3 guru, 1 bus.").status_code == 200

    login(client, HUMAS)
    r = act(client, app, app_id, "disepakati", surat_balasan=pdf())
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    r = act(client, app, app_id, "disepakati", AGREED)
    assert r.status_code == 422 and "wajib diunggah" in r.get_data(as_text=True)
    assert act(client, app, app_id, "disepakati", AGREED, surat_balasan=pdf("surat_balasan.pdf")).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Didisposisikan ke" in page and "Semua unit terkait telah menindaklanjuti" in page
    assert AGREED in page and "surat_balasan.pdf" in page
    # The units' internal answers and the Direktur's instruction are staff business.
    assert "narasumber Dr. Ani" not in page and "Mohon siapkan narasumber TeFa" not in page
    from pintu.data.models import Upload

    with app.app_context():
        reply = Upload.get(Upload.requirement == "surat_balasan")
    assert client.get(f"/berkas/{reply.id}").data == PDF
    last = mails_to(app, APPLICANT)[-1]
    assert "surat balasan dapat diunduh" in last and AGREED in last and "Status saat ini: Selesai" in last
    assert not any("Dr. Ani" in m for m in mails_to(app, APPLICANT))

    from pintu.data.models import Event

    with app.app_context():
        kinds = [(e.kind, e.actor_role) for e in Event.select().where(Event.application == app_id).order_by(Event.id)]
    assert kinds == [("submitted", "pemohon"), ("forward", "petugas"), ("dispose", "pimpinan"),
                     ("answer", "verifikator"), ("answer", "verifikator"), ("forward", "verifikator"),
                     ("forward", "verifikator")]


def test_reply_letter_collected_at_the_ult(app, client, cast):
    app_id = submitted(client, app, pengiriman="ult")
    to_koordinasi(client, app, app_id)
    login(client, HUMAS)
    assert act(client, app, app_id, "disepakati", AGREED, surat_balasan=pdf()).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")
    assert "Status saat ini: Hasil siap diambil" in mails_to(app, APPLICANT)[-1]
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    assert get(app, app_id).status == "done"


# ---------------------------------------------------------------------------
# The thread
# ---------------------------------------------------------------------------

def test_internal_note_never_reaches_the_applicant(app, client, cast):
    app_id = submitted(client, app)
    to_koordinasi(client, app, app_id)
    login(client, HUMAS)
    assert say(client, app_id, "Mohon kirim daftar nama peserta.").status_code == 200
    assert say(client, app_id, "INTERNAL: lab agroindustri renovasi, alihkan ke TeFa.", internal=True).status_code == 200
    login(client, APPLICANT)
    assert say(client, app_id, "Daftar peserta menyusul besok.").status_code == 200
    page = page_of(client, app_id)
    assert "Mohon kirim daftar nama peserta." in page and "Daftar peserta menyusul besok." in page
    assert "INTERNAL" not in page
    assert not any("INTERNAL" in m for m in outbox(app))
    from pintu.data.models import Notification

    with app.app_context():
        texts = [n.message for n in Notification.select().where(Notification.user == cast["applicant"].id)]
    assert texts and not any("INTERNAL" in t for t in texts)
    login(client, HUMAS)
    assert "INTERNAL: lab agroindustri" in page_of(client, app_id)


# ---------------------------------------------------------------------------
# Refusal, return and resubmit
# ---------------------------------------------------------------------------

def test_director_refuses_with_reason(app, client, cast):
    app_id = submitted(client, app)
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    reason = "Pada tanggal tersebut kampus melaksanakan ujian akhir semester."
    assert act(client, app, app_id, "refuse", reason).status_code == 200
    assert (get(app, app_id).status, get(app, app_id).refusal_reason) == ("refused", reason)
    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]


def test_humas_refuses_with_reason(app, client, cast):
    app_id = submitted(client, app)
    to_koordinasi(client, app, app_id)
    login(client, HUMAS)
    assert act(client, app, app_id, "refuse", "Unit tujuan tidak menerima kunjungan pada semester ini.").status_code == 200
    login(client, APPLICANT)
    assert "Unit tujuan tidak menerima kunjungan pada semester ini." in page_of(client, app_id)


def test_return_fix_and_resubmit(app, client, cast):
    app_id = submitted(client, app)
    to_koordinasi(client, app, app_id)
    login(client, HUMAS)
    note = "Jumlah peserta di formulir (45) berbeda dengan surat (80). Mohon disesuaikan."
    assert act(client, app, app_id, "return").status_code == 422
    assert act(client, app, app_id, "return", note).status_code == 200
    assert (get(app, app_id).status, get(app, app_id).step) == ("returned", None)
    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    r = client.post(f"/permohonan/{app_id}/ubah", data=dict(VALID, jumlah_peserta="80", submit="1"),
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["jumlah_peserta"] == 80
    # The second round goes through a fresh disposition (the first round's answers stay in the history).
    to_koordinasi(client, app, app_id)
    login(client, HUMAS)
    assert act(client, app, app_id, "disepakati", AGREED, surat_balasan=pdf()).status_code == 200
    assert get(app, app_id).status == "done"
    from pintu.data.models import Disposition

    with app.app_context():
        assert Disposition.select().where(Disposition.application == app_id).count() == 4


def test_return_while_a_unit_has_not_answered_starts_a_fresh_disposition(app, client, cast):
    app_id = submitted(client, app)
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    login(client, "pimpinan@test.id")
    act(client, app, app_id, "dispose", "Siapkan narasumber.", units=["akademik", "umum_keuangan"])
    login(client, AKADEMIK)
    assert answer(client, app, app_id, "akademik", "Jurusan siap.").status_code == 200
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "return", "Lampirkan daftar peserta.").status_code == 200
    # The unit that had not answered is released (and told why on the staff panel).
    assert pending(app, app_id) == {}
    login(client, UMKEU)
    assert not in_inbox(client, app_id)
    login(client, APPLICANT)
    r = client.post(f"/permohonan/{app_id}/ubah", data=dict(VALID, submit="1"), content_type="multipart/form-data")
    assert r.status_code == 302
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    login(client, "pimpinan@test.id")
    page = page_of(client, app_id)
    assert "Disposisi ditutup tanpa tindak lanjut: permohonan dikembalikan kepada pemohon" in page
    # The Direktur disposes anew; this time only Akademik, whose answer moves it on.
    assert act(client, app, app_id, "dispose", "Cukup Akademik.", units=["akademik"]).status_code == 200
    login(client, AKADEMIK)
    assert answer(client, app, app_id, "akademik", "Siap.").status_code == 200
    assert get(app, app_id).step == "koordinasi"


# ---------------------------------------------------------------------------
# Form rules
# ---------------------------------------------------------------------------

def test_form_rules(app, client, cast):
    login(client, APPLICANT)
    r = apply(client, tanggal_kegiatan="2026-11-23", jumlah_peserta="0")
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "Jumlah peserta 1 sampai 500 orang." in page
    r = apply(client, tanggal_kegiatan="2026-11-23")
    assert r.status_code == 422 and "harus sesudah hari ini" in r.get_data(as_text=True)
    r = apply(client, letter=False)
    assert r.status_code == 422 and "wajib diunggah" in r.get_data(as_text=True)
    r = client.post(f"/layanan/{SLUG}/ajukan", data=dict(VALID, submit="1", file_surat_permohonan=png("s.pdf")),
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "bukan PDF" in r.get_data(as_text=True)
    assert apply(client, tanggal_kegiatan="24-11-2026").status_code == 302


def test_demo_data_covers_every_state(app, make_user, staff):
    from pintu.data.models import Application, Disposition, Message, User

    instansi = make_user("instansi@demo.id", category="instansi")
    people = {"petugas": staff["petugas"], "pimpinan": staff["pimpinan"],
              "verifikator:humas": make_user("humas@demo.id", "verifikator", "humas"),
              "verifikator:akademik": staff["akademik"],
              "verifikator:umum_keuangan": make_user("umkeu@demo.id", "verifikator", "umum_keuangan")}
    with app.app_context():
        pintu_wisata_edukasi.pintu_demo_data(applicants={"instansi": User.get_by_id(instansi.id)},
                                             staff={k: User.get_by_id(u.id) for k, u in people.items()})
        rows = list(Application.select().where(Application.service == SLUG))
        statuses = sorted(a.status for a in rows)
        steps = sorted(a.step for a in rows if a.status == "in_process")
        half = [a for a in rows if a.step == "disposisi"
                and Disposition.select().where(Disposition.application == a.id).exists()]
        assert len(half) == 1
        assert Disposition.select().where((Disposition.application == half[0].id)
                                          & Disposition.answered_at.is_null()).count() == 1
        assert Message.select().where(Message.internal == True).count() == 1  # noqa: E712
        refused = next(a for a in rows if a.status == "refused")
    assert statuses == ["done", "draft", "in_process", "in_process", "in_process", "in_process", "ready",
                        "refused", "returned"]
    assert steps == ["disposisi", "disposisi", "kelengkapan", "koordinasi"]
    assert "ujian akhir semester" in refused.refusal_reason
