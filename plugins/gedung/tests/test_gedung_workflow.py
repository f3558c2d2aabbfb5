"""Peminjaman dan Penyewaan Gedung Serba Guna through HTTP: every path of the workflow and the booking rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pintu.testing import login, outbox, pdf, png


def version_on_page(page: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


# ---------------------------------------------------------------------------
# Internal path: no fee, no payment steps
# ---------------------------------------------------------------------------

def test_internal_path_to_pickup_without_fee(app, client, cast, h):
    app_id = h.submitted(client, h.INTERNAL, cast["aula"], start="08:00", end="16:00", status="internal")
    application = h.get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference.startswith("GSG-")
    assert application.data["biaya"] == 0
    assert application.data["biaya_rincian"] == "Tidak dipungut biaya (pengguna internal)"
    b = h.booking(app, app_id)
    assert (b.status, b.building_id) == ("pending", cast["aula"])
    assert (b.start, b.end) == (dt.datetime.combine(h.DAY, dt.time(8)), dt.datetime.combine(h.DAY, dt.time(16)))

    # Each staff role in turn; nobody else may act at another's step.
    login(client, h.KEU)
    assert h.act(client, app, app_id, "lengkap").status_code == 422
    login(client, "petugas@test.id")
    assert h.act(client, app, app_id, "lengkap").status_code == 200
    login(client, "pimpinan@test.id")
    assert h.act(client, app, app_id, "verified").status_code == 422
    login(client, h.KEU)
    assert h.act(client, app, app_id, "verified").status_code == 200
    assert h.get(app, app_id).step == "persetujuan"
    login(client, "pimpinan@test.id")
    assert h.act(client, app, app_id, "approve").status_code == 200

    application = h.get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")  # payment steps skipped
    assert h.booking(app, app_id).status == "approved"

    login(client, "petugas@test.id")
    assert h.act(client, app, app_id, "taken").status_code == 200
    assert h.get(app, app_id).status == "done"
    assert h.booking(app, app_id).status == "approved"
    assert [(k, a, role) for k, a, role, _ in h.events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"), ("forward", "verified", "verifikator"),
        ("forward", "approve", "pimpinan"), ("finish", "taken", "petugas")]

    login(client, h.INTERNAL)
    page = h.text(client.get(f"/permohonan/{app_id}").get_data(as_text=True))
    for phrase in ("Dokumen diverifikasi Bagian Umum dan Keuangan", "Peminjaman gedung disetujui pimpinan",
                   "Gedung Aula Lantai 3 (kapasitas 200 orang)", "Jam mulai 08:00",
                   "Status keterangan Internal (kegiatan civitas akademika Politeknik Negeri Jember)",
                   "Tidak dipungut biaya (pengguna internal)", "Aula Lantai 3", "Disetujui (terpakai)",
                   "Surat Izin Pemakaian Gedung telah diambil"):
        assert phrase in page
    mails = [m for m in outbox(app) if f"To: {h.INTERNAL}" in m]
    assert any("Surat Izin Pemakaian Gedung siap diambil" in m or "Peminjaman gedung disetujui" in m for m in mails)


# ---------------------------------------------------------------------------
# External path: fee, proof of transfer, payment check (sent back once), pickup
# ---------------------------------------------------------------------------

@pytest.mark.config(GEDUNG_REKENING="Bank BRI 0123-01-000123-30-9 a.n. BPN 071 Politeknik Negeri Jember")
def test_external_path_with_fee_payment_upload_and_verification(app, client, cast, h):
    app_id = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    application = h.get(app, app_id)
    assert application.data["biaya"] == 5_000_000
    assert application.data["biaya_rincian"] == "Rp 5.000.000 (1 hari × Rp 5.000.000)"

    h.approved(client, app, app_id)
    application = h.get(app, app_id)
    assert (application.status, application.step) == ("in_process", "pembayaran")
    assert h.booking(app, app_id).status == "approved"

    # Staff cannot upload in the applicant's place.
    login(client, h.KEU)
    assert h.act(client, app, app_id, "paid").status_code == 422

    login(client, h.EXTERNAL)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert 'name="file_bukti_transfer"' in page
    assert "setorkan biaya sewa sebesar Rp 5.000.000" in h.text(page)
    assert "Bank BRI 0123-01-000123-30-9 a.n. BPN 071 Politeknik Negeri Jember" in page
    # Without the proof: refused, nothing moves.
    r = h.step_action(client, app, app_id, "paid")
    assert r.status_code == 422 and "Bukti transfer biaya sewa wajib diunggah." in r.get_data(as_text=True)
    assert h.get(app, app_id).step == "pembayaran"
    r = h.step_action(client, app, app_id, "paid", {"file_bukti_transfer": png("transfer.png")})
    assert r.status_code == 302
    assert h.get(app, app_id).step == "verifikasi_pembayaran"

    # Umum dan Keuangan: the proof is not right -> back to the applicant's payment step, note required.
    login(client, h.KEU)
    r = h.act(client, app, app_id, "payment_again")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    note = "Nominal transfer Rp 500.000 kurang dari biaya sewa. Mohon unggah bukti pelunasan."
    assert h.act(client, app, app_id, "payment_again", note=note).status_code == 200
    application = h.get(app, app_id)
    assert (application.status, application.step) == ("in_process", "pembayaran")

    login(client, h.EXTERNAL)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and 'name="file_bukti_transfer"' in page
    # Sending the refused proof again is not accepted: a new file is needed.
    r = h.step_action(client, app, app_id, "paid")
    assert r.status_code == 422
    assert "Unggah bukti transfer yang baru" in r.get_data(as_text=True)
    assert h.get(app, app_id).step == "pembayaran"
    r = h.step_action(client, app, app_id, "paid", {"file_bukti_transfer": pdf("pelunasan.pdf")})
    assert r.status_code == 302 and h.get(app, app_id).step == "verifikasi_pembayaran"

    login(client, h.KEU)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "pelunasan.pdf" in page  # the current proof is what staff see
    assert h.act(client, app, app_id, "payment_ok").status_code == 200
    application = h.get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")

    login(client, "petugas@test.id")
    assert h.act(client, app, app_id, "taken").status_code == 200
    assert h.get(app, app_id).status == "done"
    assert [a for _, a, _, _ in h.events(app, app_id)] == [
        "", "lengkap", "verified", "approve", "paid", "payment_again", "paid", "payment_ok", "taken"]
    assert h.booking(app, app_id).status == "approved"


def test_external_booking_of_a_free_building_skips_payment(app, client, cast, h):
    from pintu_gedung.models import Building

    with app.app_context():
        free = Building.create(name="Lapangan Upacara", capacity=2000, tariff_day=0, tariff_half_day=0).id
    app_id = h.submitted(client, h.EXTERNAL, free, status="eksternal")
    assert h.get(app, app_id).data["biaya"] == 0
    h.approved(client, app, app_id)
    assert h.get(app, app_id).step == "pengambilan"


# ---------------------------------------------------------------------------
# Refusal, return and resubmission
# ---------------------------------------------------------------------------

def test_refusal_needs_reason_shown_to_applicant_and_frees_the_slot(app, client, cast, h):
    app_id = h.submitted(client, h.EXTERNAL, cast["gsg"], status="eksternal")
    schedule_url = f"/gedung/jadwal?gedung={cast['gsg']}&tanggal={h.DAY.isoformat()}"
    assert "08.00–16.00 Menunggu persetujuan" in h.text(client.get(schedule_url).get_data(as_text=True))
    h.to_approval(client, app, app_id)
    login(client, "pimpinan@test.id")
    r = h.act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    assert h.get(app, app_id).step == "persetujuan" and h.booking(app, app_id).status == "pending"

    reason = "Pada tanggal tersebut gedung dipakai untuk persiapan wisuda."
    assert h.act(client, app, app_id, "refuse", note=reason).status_code == 200
    application = h.get(app, app_id)
    assert (application.status, application.refusal_reason) == ("refused", reason)
    assert h.booking(app, app_id).status == "refused"

    login(client, h.EXTERNAL)
    page = h.text(client.get(f"/permohonan/{app_id}").get_data(as_text=True))
    assert f"Alasan penolakan: {reason}" in page
    assert reason in [m for m in outbox(app) if f"To: {h.EXTERNAL}" in m][-1]
    # The refused request is gone from the public schedule.
    client.post("/keluar")
    schedule = client.get(schedule_url).get_data(as_text=True).split("<footer", 1)[0]  # the footer: office hours
    assert "08.00–16.00" not in h.text(schedule)


def test_refusal_at_every_staff_step(app, client, cast, h):
    reason = "Surat permohonan bukan dari instansi yang bersangkutan."
    # ULT completeness
    first = h.submitted(client, h.EXTERNAL, cast["aula"], status="eksternal")
    login(client, "petugas@test.id")
    assert h.act(client, app, first, "refuse", note=reason).status_code == 200
    # Umum dan Keuangan verification
    second = h.submitted(client, h.EXTERNAL, cast["aula"], status="eksternal", day=h.DAY + dt.timedelta(days=1))
    login(client, "petugas@test.id")
    h.act(client, app, second, "lengkap")
    login(client, h.KEU)
    assert h.act(client, app, second, "refuse", note=reason).status_code == 200
    # Payment verification, after the leadership approved: the approved slot is released.
    third = h.submitted(client, h.EXTERNAL, cast["aula"], status="eksternal", day=h.DAY + dt.timedelta(days=2))
    h.approved(client, app, third)
    login(client, h.EXTERNAL)
    h.step_action(client, app, third, "paid", {"file_bukti_transfer": pdf("bukti.pdf")})
    login(client, h.KEU)
    assert h.act(client, app, third, "refuse", note="Tidak ada setoran masuk ke rekening Bendahara.").status_code == 200
    for app_id in (first, second, third):
        assert h.get(app, app_id).status == "refused"
        assert h.booking(app, app_id).status == "refused"
    assert h.get(app, third).refusal_reason == "Tidak ada setoran masuk ke rekening Bendahara."


def test_return_fix_and_resubmit_moves_the_booking(app, client, cast, h):
    from pintu.data.models import Upload

    app_id = h.submitted(client, h.INTERNAL, cast["aula"], start="08:00", end="12:00")
    reference = h.get(app, app_id).reference
    login(client, "petugas@test.id")
    assert h.act(client, app, app_id, "return").status_code == 422
    note = "Surat permohonan belum ditandatangani ketua jurusan; tanggal juga bentrok dengan ujian."
    assert h.act(client, app, app_id, "return", note=note).status_code == 200
    assert h.get(app, app_id).status == "returned"

    login(client, h.INTERNAL)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    edit = client.get(f"/permohonan/{app_id}/ubah").get_data(as_text=True)
    assert f'value="{h.DAY.isoformat()}"' in edit and 'value="08:00"' in edit and "Sudah diunggah" in edit

    new_day = h.DAY + dt.timedelta(days=3)
    data = h.form(cast["gsg"], day=new_day, start="13:00", end="17:00", status="eksternal")
    data.update(submit="1", file_surat_permohonan=pdf("surat_ditandatangani.pdf"))
    r = client.post(f"/permohonan/{app_id}/ubah", data=data, content_type="multipart/form-data")
    assert h.app_id_of(r) == app_id
    application = h.get(app, app_id)
    assert (application.status, application.step, application.reference) == ("in_process", "kelengkapan", reference)
    b = h.booking(app, app_id)
    assert (b.building_id, b.status) == (cast["gsg"], "pending")
    assert (b.start, b.end) == (dt.datetime.combine(new_day, dt.time(13)), dt.datetime.combine(new_day, dt.time(17)))
    # The fee follows the new request: 4 hours, external -> half-day tariff of the GSG.
    assert application.data["biaya"] == 3_000_000
    assert [(k, a) for k, a, _, _ in h.events(app, app_id)] == [("submitted", ""), ("return", "return"),
                                                                ("resubmitted", "")]
    with app.app_context():
        assert [(u.original_name, u.superseded) for u in
                Upload.select().where(Upload.application == app_id).order_by(Upload.id)] == [
            ("surat_permohonan.pdf", True), ("surat_ditandatangani.pdf", False)]


# ---------------------------------------------------------------------------
# Conflicts
# ---------------------------------------------------------------------------

def test_two_leaders_approving_overlapping_requests_only_one_wins(app, client, cast, h):
    first = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    second = h.submitted(client, h.INTERNAL, cast["gsg"], start="13:00", end="21:00")
    h.to_approval(client, app, first)
    h.to_approval(client, app, second)

    # Staff see the overlapping pending request on each application, with a link.
    login(client, "pimpinan@test.id")
    page_first = client.get(f"/permohonan/{first}").get_data(as_text=True)
    assert "Jadwal bentrok" in page_first and f'href="/permohonan/{second}"' in page_first
    # Both leaders load their page first ...
    other = client.application.test_client()
    login(other, "pimpinan2@test.id")
    page_second = other.get(f"/permohonan/{second}").get_data(as_text=True)
    assert f'href="/permohonan/{first}"' in page_second
    v_first, v_second = version_on_page(page_first), version_on_page(page_second)

    # ... then approve one after the other, each with the version they saw.
    assert h.act(client, app, first, "approve", version=v_first).status_code == 200
    r = h.act(other, app, second, "approve", version=v_second)
    assert r.status_code == 422
    message = h.text(r.get_data(as_text=True))
    assert "Tidak dapat disetujui: jadwal bentrok." in message
    assert h.get(app, first).reference in message

    assert h.get(app, first).step == "pembayaran" and h.booking(app, first).status == "approved"
    assert h.get(app, second).step == "persetujuan" and h.booking(app, second).status == "pending"
    from pintu_gedung.models import Booking

    with app.app_context():
        assert Booking.select().where(Booking.status == "approved").count() == 1
    # The panel now warns that the slot is taken; the leader refuses with the reason.
    page = h.text(other.get(f"/permohonan/{second}").get_data(as_text=True))
    assert "bentrok dengan peminjaman yang sudah disetujui" in page
    assert h.act(other, app, second, "refuse", note="Jadwal bentrok dengan kegiatan lain.").status_code == 200


def test_concurrent_approvals_in_threads_book_the_slot_once(app, h, cast):
    """Two approvals of overlapping requests at the same moment, each in its own thread and connection."""
    import threading

    from pintu.engine import workflow
    from pintu.data.db import database
    from pintu.data.models import Application, User
    from pintu_gedung.models import Booking

    client = app.test_client()
    ids = [h.submitted(client, h.EXTERNAL, cast["aula"], start="08:00", end="12:00", status="eksternal"),
           h.submitted(client, h.INTERNAL, cast["aula"], start="10:00", end="14:00")]
    for app_id in ids:
        h.to_approval(client, app, app_id)
    barrier = threading.Barrier(2)
    outcome = {}

    def approve(app_id, email):
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                actor = User.get(User.email == email)
                application = Application.get_by_id(app_id)
                barrier.wait(timeout=10)
                workflow.perform(application, actor, "approve", expected_version=application.version)
                outcome[app_id] = "approved"
            except workflow.WorkflowError as exc:
                outcome[app_id] = str(exc)
            except Exception as exc:  # a database lock error is also "not approved"
                outcome[app_id] = f"error: {exc}"
            finally:
                database.close()

    threads = [threading.Thread(target=approve, args=(ids[0], "pimpinan@test.id")),
               threading.Thread(target=approve, args=(ids[1], "pimpinan2@test.id"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v == "approved" for v in outcome.values()) == [False, True], outcome
    loser = next(k for k, v in outcome.items() if v != "approved")
    assert "jadwal bentrok" in outcome[loser]
    with app.app_context():
        assert Booking.select().where(Booking.status == "approved").count() == 1
        assert Booking.get(Booking.application == loser).status == "pending"


def test_submitting_over_an_approved_booking_is_an_error_on_the_date(app, client, cast, h):
    taken = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    h.approved(client, app, taken)

    login(client, h.INTERNAL)
    r = h.apply(client, cast["gsg"], start="15:00", end="18:00")
    assert r.status_code == 422
    message = h.field_error(r.get_data(as_text=True), "tanggal_mulai")
    assert message and message.startswith("Gedung Serba Guna Polije sudah dipakai pada")
    assert "08.00–16.00" in message
    from pintu.data.models import Application

    with app.app_context():
        assert Application.select().count() == 1
    # Right after it (touching, not overlapping), another building, or a pending-only slot: fine.
    assert h.apply(client, cast["gsg"], start="16:00", end="18:00").status_code == 302
    assert h.apply(client, cast["aula"], start="08:00", end="16:00").status_code == 302
    assert h.apply(client, cast["aula"], start="09:00", end="10:00").status_code == 302


def test_cancellation_frees_the_slot(app, client, cast, h):
    first = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    second = h.submitted(client, h.INTERNAL, cast["gsg"], start="09:00", end="12:00")
    h.approved(client, app, first)  # waiting for the transfer
    h.to_approval(client, app, second)
    login(client, "pimpinan@test.id")
    assert h.act(client, app, second, "approve").status_code == 422  # blocked by the first

    login(client, "dosen2@test.id")
    assert h.apply(client, cast["gsg"], start="10:00", end="11:00").status_code == 422

    schedule_url = f"/gedung/jadwal?gedung={cast['gsg']}&tanggal={h.DAY.isoformat()}&tampilan=minggu"
    assert "08.00–16.00 Terpakai" in h.text(client.get(schedule_url).get_data(as_text=True))
    login(client, h.EXTERNAL)
    r = client.post(f"/permohonan/{first}/batal", data={"version": h.get(app, first).version})
    assert r.status_code == 302
    assert h.get(app, first).status == "cancelled"
    assert h.booking(app, first).status == "cancelled"
    assert h.events(app, first)[-1][0] == "cancel"
    schedule = client.get(schedule_url).get_data(as_text=True).split("<footer", 1)[0]  # the footer: office hours
    assert "08.00–16.00" not in h.text(schedule)

    # The slot is free: the waiting request can now be approved, and a new one submitted.
    login(client, "pimpinan@test.id")
    assert h.act(client, app, second, "approve").status_code == 200
    assert h.booking(app, second).status == "approved"
    assert h.get(app, second).status == "ready"
    login(client, "dosen2@test.id")
    assert h.apply(client, cast["gsg"], start="13:00", end="15:00").status_code == 302


# ---------------------------------------------------------------------------
# Form rules
# ---------------------------------------------------------------------------

def test_form_rules_with_indonesian_messages(app, client, cast, h):
    from pintu.data.models import Application

    login(client, h.EXTERNAL)
    cases = [
        (dict(start="16:00", end="08:00"), "jam_selesai", "Jam selesai harus sesudah jam mulai."),
        (dict(last_day=h.DAY - dt.timedelta(days=1)), "tanggal_selesai",
         "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        (dict(day=dt.date.today() - dt.timedelta(days=2)), "tanggal_mulai",
         "Waktu mulai pemakaian sudah lewat. Pilih tanggal dan jam yang akan datang."),
        (dict(status="internal"), "status_peminjam",
         "Status internal hanya untuk pegawai, dosen dan mahasiswa Politeknik Negeri Jember. Pilih Eksternal."),
        (dict(status="eksternal", jumlah_peserta="500"), "jumlah_peserta",
         "Jumlah peserta melebihi kapasitas Aula Lantai 3 (200 orang)."),
        (dict(status="eksternal", jam_mulai="25:00"), "jam_mulai", "Jam tidak valid. Gunakan format jj:mm, mis. 08:00."),
        (dict(status="eksternal", tanggal_mulai="31-02-2027"), "tanggal_mulai",
         "Tanggal tidak valid. Gunakan format hh-bb-tttt, mis. 17-08-2026."),
        (dict(status="eksternal", last_day=h.DAY + dt.timedelta(days=40)), "tanggal_selesai",
         "Satu permohonan paling lama 30 hari. Ajukan permohonan terpisah untuk periode berikutnya."),
    ]
    for overrides, field, message in cases:
        r = h.apply(client, cast["aula"], **overrides)
        assert r.status_code == 422, overrides
        assert h.field_error(r.get_data(as_text=True), field) == message, overrides
    r = h.apply(client, "", status="eksternal")
    assert h.field_error(r.get_data(as_text=True), "gedung") == "Pilih gedung yang diinginkan."
    r = h.apply(client, cast["aula"], status="eksternal", with_letter=False)
    assert h.field_error(r.get_data(as_text=True), "file_surat_permohonan") == \
        "Surat permohonan resmi peminjaman / penyewaan gedung wajib dilampirkan (PDF)."
    r = h.apply(client, cast["aula"], status="eksternal", file_surat_permohonan=png("surat.png"))
    assert r.status_code == 422
    with app.app_context():
        assert Application.select().count() == 0
    # A draft may be saved incomplete; nothing is booked yet.
    r = h.apply(client, cast["aula"], submit=False, with_letter=False, jam_mulai="", jam_selesai="")
    app_id = h.app_id_of(r)
    assert h.get(app, app_id).status == "draft" and h.booking(app, app_id) is None


def test_inactive_building_cannot_be_chosen(app, client, cast, h):
    from pintu_gedung.models import Building

    with app.app_context():
        Building.update(active=False).where(Building.id == cast["aula"]).execute()
    login(client, h.INTERNAL)
    page = client.get("/layanan/gedung/ajukan").get_data(as_text=True)
    assert "Gedung Serba Guna Polije" in page and "Aula Lantai 3" not in page
    r = h.apply(client, cast["aula"])
    assert h.field_error(r.get_data(as_text=True), "gedung") == \
        "Gedung ini tidak tersedia untuk dipinjam. Pilih gedung lain."


def test_fee_is_shown_on_the_form_and_kept_when_the_tariff_changes(app, client, cast, h):
    from pintu_gedung.models import Building

    login(client, h.EXTERNAL)
    # Re-rendered after an error (no letter): the fee is computed server-side and shown.
    r = h.apply(client, cast["gsg"], status="eksternal", with_letter=False, last_day=h.DAY + dt.timedelta(days=1))
    assert r.status_code == 422
    assert "Rp 10.000.000 (2 hari × Rp 5.000.000)" in r.get_data(as_text=True)
    app_id = h.app_id_of(h.apply(client, cast["gsg"], status="eksternal", last_day=h.DAY + dt.timedelta(days=1)))
    with app.app_context():
        Building.update(tariff_day=7_000_000).where(Building.id == cast["gsg"]).execute()
    assert h.get(app, app_id).data["biaya"] == 10_000_000
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Rp 10.000.000 (2 hari × Rp 5.000.000)" in page
