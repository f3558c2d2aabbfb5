"""PINTU plugin: Peminjaman dan Penyewaan BMN (Gedung Serba Guna) (PINTU Polije, layanan 3).

The applicant looks at a building's schedule (public, no login), then fills the
form: building, dates and times, purpose and status internal / eksternal; the
fee is computed from the building's tariff and shown before submitting.  The
ULT checks completeness, the Bagian Umum dan Keuangan verifies, the leadership
approves or refuses.  External users then transfer the rent to the Bendahara
Penerimaan and upload the proof, which Umum dan Keuangan checks (accept, ask
for a new proof, or refuse); finally the Surat Izin Pemakaian Gedung is
collected at the ULT.

Each submitted application holds one :class:`~pintu_gedung.models.Booking`
(pending -> approved / refused / cancelled).  Only approved bookings block a
slot: approving a request that overlaps one is vetoed, and so is submitting
one; overlapping pending requests are listed to staff.  The rules live in
:mod:`pintu_gedung.bookings`, the pages in :mod:`pintu_gedung.views`.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from markupsafe import Markup

from pintu import (Document, FORWARD, REFUSE, Action, Requirement, Service, Step, approve, hookimpl, refuse, send_back,
                   standard_steps)

from . import bookings
from .forms import GedungForm
from .models import Booking, Building

SLUG = "gedung"
CONTACT = "Telp: (0331) 333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"

LETTER = Requirement(
    "surat_permohonan", "Surat permohonan resmi peminjaman / penyewaan gedung", types=("pdf",), max_mb=2,
    note="Ditujukan kepada Direktur Politeknik Negeri Jember, dari instansi / lembaga (pengguna eksternal) atau "
         "unit internal Politeknik Negeri Jember; hasil scan surat yang telah ditandatangani",
    missing_message="Surat permohonan resmi peminjaman / penyewaan gedung wajib dilampirkan (PDF).")
PROOF = Requirement(
    "bukti_transfer", "Bukti transfer biaya sewa ke Bendahara Penerimaan Politeknik Negeri Jember",
    types=("pdf", "jpg", "png"), max_mb=2, note="Bukti setoran / transfer bank sebesar biaya sewa",
    missing_message="Bukti transfer biaya sewa wajib diunggah.")

#: Where external users transfer the rent (the setting ``GEDUNG_REKENING``, also shown in the
#: application panel).  The standard names no account number, so none is built in.
ACCOUNT_SETTING = "GEDUNG_REKENING"


def payment_instructions(application) -> str:
    """What an external applicant must do once the leadership approved: the amount, the account,
    the proof to upload (e-mailed on approval and shown at the payment step)."""
    from flask import current_app

    data = application.data or {}
    amount = data.get("biaya_rincian") or bookings.rupiah(data.get("biaya") or 0)  # "Rp 3.000.000 (2 hari × ...)"
    lines = [f"Biaya sewa yang harus disetor: {amount}."]
    account = (current_app.config.get(ACCOUNT_SETTING) or "").strip()
    if account:
        lines.append(f"Setorkan ke rekening Bendahara Penerimaan Politeknik Negeri Jember: {account}.")
    else:
        lines.append("Setorkan melalui bank kepada Bendahara Penerimaan Politeknik Negeri Jember; nomor rekening "
                     "dapat ditanyakan ke Unit Layanan Terpadu (" + CONTACT + ").")
    lines.append("Setelah menyetor, unggah bukti transfer (PDF, JPG atau PNG, maks. 2 MB) di halaman permohonan "
                 "dan tekan \"Kirim bukti transfer\".")
    return "\n".join(lines)


APPROVAL_STEP = "persetujuan"
PAYMENT_STEP = "pembayaran"

STEPS = standard_steps(
    Step("verifikasi", "Verifikasi oleh Bagian Umum dan Keuangan", role="verifikator", unit="umum_keuangan",
         description="Bagian Umum dan Keuangan memverifikasi dokumen dan ketersediaan gedung",
         actions=[approve("Memenuhi syarat, teruskan ke pimpinan", "verified",
                          message="Dokumen diverifikasi Bagian Umum dan Keuangan"),
                  send_back(), refuse()]),
    Step(APPROVAL_STEP, "Persetujuan pimpinan", role="pimpinan",
         description="Pimpinan menyetujui atau tidak menyetujui peminjaman / penyewaan gedung",
         actions=[approve("Setujui peminjaman", "approve", message="Peminjaman gedung disetujui pimpinan"),
                  refuse("Tidak disetujui")]),
    Step(PAYMENT_STEP, "Pembayaran biaya sewa oleh pemohon", role="pemohon", condition=bookings.pays,
         description="Setorkan biaya sewa melalui bank kepada Bendahara Penerimaan Politeknik Negeri Jember, "
                     "lalu unggah bukti transfernya",
         requirements=[PROOF], instructions=payment_instructions,
         actions=[approve("Kirim bukti transfer", "paid", message="Bukti transfer biaya sewa dikirim")]),
    Step("verifikasi_pembayaran", "Verifikasi pembayaran oleh Bagian Umum dan Keuangan", role="verifikator",
         unit="umum_keuangan", condition=bookings.pays,
         description="Bagian Umum dan Keuangan memeriksa setoran biaya sewa",
         actions=[approve("Pembayaran diterima", "payment_ok", message="Pembayaran biaya sewa diterima"),
                  Action(bookings.PAYMENT_AGAIN, "Bukti belum sesuai, minta unggah ulang", FORWARD,
                         target=PAYMENT_STEP, note_required=True, style="warning",
                         message="Bukti transfer belum sesuai; pemohon diminta mengunggah bukti yang benar"),
                  refuse()]),
    ready_title="Surat Izin Pemakaian Gedung siap diambil di ULT",
    ready_description="Pemohon dapat mengambil Surat Izin Pemakaian Gedung di Unit Layanan Terpadu",
)

SERVICE = Service(
    documents=[Document("surat_izin", "Surat Izin Pemakaian Gedung", "gedung/surat_izin.html",
                       # A free booking is settled by the leadership's approval, a paid one once its
                       # payment is accepted.
                       step=(APPROVAL_STEP, "verifikasi_pembayaran"), action=("approve", "payment_ok"),
                       condition=lambda data, step: step == "verifikasi_pembayaran" or not bookings.pays(data),
                       number_scheme="{seq:03d}/PL17/UK/{year}")],
    slug=SLUG,
    code="GSG",
    title="Peminjaman dan Penyewaan BMN (Gedung Serba Guna)",
    category="Sarana dan Prasarana",
    summary="Layanan ini menyediakan fasilitas peminjaman dan penyewaan Gedung Serba Guna yang dimiliki oleh "
            "Politeknik Negeri Jember kepada masyarakat umum, baik untuk kegiatan internal kampus maupun kegiatan "
            "eksternal. Gedung Serba Guna dapat digunakan untuk berbagai acara seperti seminar, workshop, "
            "pertemuan, atau kegiatan sosial.",
    form=GedungForm,
    requirements=[LETTER],
    validators=[bookings.check_times],
    steps=STEPS,
    completion_text="Tidak ditetapkan dalam standar pelayanan; permohonan diproses sebelum tanggal pemakaian, "
                    "ajukan sedini mungkin",
    fee="Pengguna internal: tidak dipungut biaya. Pengguna eksternal: biaya sewa sesuai tarif gedung (per hari; "
        "pemakaian paling lama 5 jam dalam satu hari dikenakan tarif setengah hari), disetor melalui bank kepada "
        "Bendahara Penerimaan Politeknik Negeri Jember",
    product="Surat Izin Pemakaian Gedung, diambil di Unit Layanan Terpadu",
    procedure=[
        "Pemohon melakukan registrasi melalui situs resmi PINTU atau dengan mendatangi langsung Kantor Pusat "
        "Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Pemohon melihat jadwal gedung yang diinginkan, lalu mengisi formulir peminjaman gedung: gedung, tanggal "
        "dan jam, keterangan peminjaman, dan status keterangan (internal / eksternal).",
        "Petugas unit layanan terpadu memeriksa kelengkapan berkas administrasi yang diserahkan oleh pemohon.",
        "Dokumen pemohon diverifikasi oleh Bagian Umum dan Keuangan untuk memastikan bahwa semua persyaratan "
        "terpenuhi.",
        "Pimpinan menyetujui atau tidak menyetujui permohonan; jika tidak disetujui, pemohon mendapatkan "
        "informasi tentang alasannya.",
        "Untuk pengguna eksternal, pemohon menyetorkan biaya sewa melalui bank kepada Bendahara Penerimaan "
        "Politeknik Negeri Jember dan mengunggah bukti transfer; pengguna internal tidak melalui proses "
        "pembayaran.",
        "Setelah semua tahapan selesai, pemohon menerima Surat Izin Pemakaian Gedung di Unit Layanan Terpadu "
        "sebagai bukti bahwa peminjaman / penyewaan telah disetujui.",
    ],
    complaint_channel=CONTACT,
    contact=CONTACT,
    template_form="gedung/form_extra.html",
    template_service="gedung/service.html",
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    return [("umum_keuangan", "Bagian Umum dan Keuangan")]


@hookimpl
def pintu_models():
    return [Building, Booking]


@hookimpl
def pintu_migrations():
    return [("pintu-gedung", "pintu_gedung.migrations")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def pintu_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def pintu_validate_application(service, data, applicant, application):
    return bookings.check_request(data, applicant, application)


@hookimpl
def pintu_before_transition(application, service, step, action, actor, note):
    if action.kind != FORWARD:
        return None
    if step.key == APPROVAL_STEP:
        return bookings.approval_conflict(application)
    if step.key == PAYMENT_STEP:
        return bookings.stale_payment_proof(application, PROOF.key)
    return None


@hookimpl
def pintu_after_transition(application, service, event):
    """The booking follows the application: pending on (re)submission, approved by the leadership,
    refused with the application, cancelled (slot freed) when the applicant withdraws."""
    if event.kind in ("submitted", "resubmitted"):
        bookings.sync_booking(application)
    elif event.kind == FORWARD and event.from_step == APPROVAL_STEP:
        bookings.set_status(application, "approved")
    elif event.kind == REFUSE:
        bookings.set_status(application, "refused")
    elif event.kind == "cancel":
        bookings.set_status(application, "cancelled")


@hookimpl
def pintu_application_panels(application, service, viewer):
    data = application.data or {}
    slot = bookings.slot_of(data)
    booking = bookings.booking_of(application)
    staff_view = application.applicant_id != viewer.id
    building = booking.building if booking is not None else slot.building
    fee = bookings.quote_for(data) if "biaya" not in data else None
    panels = [("Peminjaman gedung", Markup(render_template(
        "gedung/panel.html", application=application, data=data, slot=slot, booking=booking, building=building,
        fee=fee, staff_view=staff_view, at_payment=application.step == PAYMENT_STEP, bookings=bookings)))]
    if staff_view and viewer.is_staff and building is not None and slot.complete:
        others = list(bookings.overlapping(building.id, slot.start, slot.end, bookings.VISIBLE, application.id))
        panels.append(("Jadwal bentrok", Markup(render_template(
            "gedung/overlaps.html", others=others, building=building, slot=slot, bookings=bookings))))
    return panels


@hookimpl
def pintu_demo_data(applicants, staff):
    from .demo import load

    load(SERVICE, applicants, staff)


@hookimpl
def pintu_admin_links():
    return [("Gedung", "gedung.admin_list")]
