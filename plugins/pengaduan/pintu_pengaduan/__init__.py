"""PINTU plugin: Pelayanan Bidang Pengaduan Masyarakat (PINTU Polije, layanan 5).

Open to every applicant category, members of the public included (they
register with the light registration, category "masyarakat", no NIP).

Workflow::

    verifikasi (narahubung: lengkap dan valid / kembalikan / tolak)
      -> koordinasi (narahubung: disposisi ke unit terkait; every routed unit answers)
      -> penyusunan (narahubung: drafts the official reply from the units' answers)
      -> persetujuan (pimpinan: approves and sends the official reply) -> selesai

The official reply is the note of the leadership's final action
(``kirim_jawaban``, note required), optionally with the signed reply letter
(PDF) uploaded with that same action (a staff-step requirement).  The engine
records the note on the timeline and puts it into the applicant's e-mail; the
"Jawaban resmi" panel shows note and letter prominently.  Nothing reaches the
applicant before the leadership approved: the narahubung's draft travels as
the internal note of ``ajukan_jawaban`` (staff only), and a letter uploaded
with "revisi" is refused.  Units' answers and internal notes stay with the staff.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import render_template
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pintu import (ANONYMOUS_FIELD, DISPOSE, FINISH, FORWARD, Action, Document, Requirement, Service, Step, approve,
                   hookimpl, refuse, send_back)

SLUG = "pengaduan-masyarakat"
REQUIRED = "Wajib diisi."
MIN_DESCRIPTION = 30

#: Complaint field -> (label, unit the narahubung will most likely route it to).
FIELDS = {
    "akademik": ("Akademik", "akademik"),
    "kepegawaian": ("Kepegawaian", "kepegawaian"),
    "keuangan_sarana": ("Keuangan / sarana dan prasarana", "umum_keuangan"),
    "layanan_ult": ("Layanan ULT", "humas"),
    "lainnya": ("Lainnya", "humas"),
}

UNITS = [("akademik", "Bagian Akademik"), ("kepegawaian", "Subbagian Kepegawaian"),
         ("umum_keuangan", "Bagian Umum dan Keuangan"), ("humas", "Subbagian Humas")]


def _today() -> dt.date:
    from pintu.clock import today

    return today()


class PengaduanForm(FlaskForm):
    tanggal_pengaduan = DateField("Tanggal pengaduan", default=_today,
                                  validators=[DataRequired("Wajib diisi dengan tanggal yang benar.")])
    bidang = SelectField("Bidang pengaduan", choices=[(k, v[0]) for k, v in FIELDS.items()])
    uraian = TextAreaField(
        "Uraian pengaduan",
        description=f"Jelaskan apa yang terjadi, siapa/unit mana yang terkait dan apa yang Anda harapkan "
                    f"(minimal {MIN_DESCRIPTION} karakter).",
        validators=[DataRequired(REQUIRED),
                    Length(min=MIN_DESCRIPTION, message=f"Uraian pengaduan minimal {MIN_DESCRIPTION} karakter agar "
                                                        "dapat ditindaklanjuti."),
                    Length(max=4000, message="Uraian pengaduan maksimal 4000 karakter.")])
    lokasi_waktu = StringField("Lokasi / waktu kejadian (opsional)", validators=[Optional(), Length(max=200)],
                               description="Mis. Gedung Kuliah Bersama lantai 2, 3 Maret 2026 pukul 10.00")


def not_in_the_future(data):
    value = data.get("tanggal_pengaduan")
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    if day and day > _today():
        return {"tanggal_pengaduan": "Tanggal pengaduan tidak boleh melewati hari ini."}
    return {}


CONTACT = "Telp: (0331) 333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"

REQUIREMENTS = [
    # The signed letter names the complainant: only the narahubung and the leadership open it, and an
    # anonymous report needs none (as on SP4N-LAPOR!).
    Requirement("surat_pengaduan", "Surat Pengaduan secara resmi dari pemohon kepada Direktur", types=("pdf",),
                max_mb=5, note="Ditujukan kepada Direktur Politeknik Negeri Jember; tidak diperlukan bila "
                               "Anda melapor secara anonim",
                missing_message="Surat pengaduan resmi kepada Direktur wajib diunggah.",
                condition=lambda data: not data.get(ANONYMOUS_FIELD), identifying=True),
    Requirement("bukti_pendukung", "Bukti pendukung", required=False, types=("pdf", "jpg", "png"), max_mb=5,
                note="Foto, tangkapan layar atau dokumen yang mendukung pengaduan (jika ada)"),
]

REPLY_LETTER = Requirement("surat_balasan", "Surat balasan pengaduan (ditandatangani)", required=False,
                           types=("pdf",), max_mb=5,
                           note="Diunggah pimpinan bersama persetujuan jawaban resmi")

STEPS = [
    Step("verifikasi", "Verifikasi kelengkapan dan validitas pengaduan oleh narahubung", role="petugas",
         description="Narahubung memastikan kelengkapan informasi dan validitas pengaduan",
         actions=[approve("Lengkap dan valid", "lengkap", message="Pengaduan dinyatakan lengkap dan valid",
                          starts_clock=True),
                  send_back(),
                  refuse("Tolak: bukan pengaduan yang sah")]),
    Step("koordinasi", "Koordinasi dengan unit terkait", role="petugas",
         description="Narahubung meneruskan pengaduan kepada unit terkait sesuai bidangnya untuk ditindaklanjuti",
         actions=[Action("dispose", "Teruskan ke unit terkait", DISPOSE,
                         message="Pengaduan diteruskan kepada unit terkait"),
                  approve("Tangani tanpa disposisi", "tanpa_disposisi",
                          message="Pengaduan ditangani langsung oleh narahubung")]),
    Step("penyusunan", "Penyusunan jawaban resmi oleh narahubung", role="petugas",
         description="Narahubung menyusun rancangan jawaban resmi berdasarkan tindak lanjut unit terkait",
         actions=[approve("Ajukan rancangan jawaban ke pimpinan", "ajukan_jawaban",
                          message="Rancangan jawaban resmi diajukan kepada pimpinan")]),
    Step("persetujuan", "Persetujuan jawaban resmi oleh pimpinan", role="pimpinan",
         description="Pimpinan menyetujui jawaban resmi, lalu jawaban dikirim kepada pemohon",
         requirements=[REPLY_LETTER],
         actions=[Action("kirim_jawaban", "Setujui dan kirim jawaban resmi", FINISH, note_required=True,
                         message="Jawaban resmi atas pengaduan telah disampaikan"),
                  Action("revisi", "Minta narahubung memperbaiki rancangan", FORWARD, target="penyusunan",
                         message="Rancangan jawaban sedang diperbaiki", style="secondary", internal=True)]),
]

SERVICE = Service(
    documents=[Document("surat_balasan_pengaduan", "Surat Balasan Pengaduan", "pengaduan/surat_balasan.html",
                       step="persetujuan", action="kirim_jawaban", number_scheme="{seq:03d}/PL17/PM/{year}")],
    slug=SLUG,
    code="PGM",
    title="Pengaduan Masyarakat",
    category="Informasi dan Pengaduan",
    summary="Fasilitas untuk menerima, menanggapi dan menindaklanjuti masukan serta pengaduan dari masyarakat "
            "umum terkait berbagai layanan kampus. Setiap pengaduan ditangani secara profesional dan transparan "
            "oleh pihak terkait, dan pemohon menerima jawaban resmi dari Politeknik Negeri Jember.",
    applicant_categories=(),  # everybody, members of the public included
    form=PengaduanForm,
    requirements=REQUIREMENTS,
    validators=[not_in_the_future],
    steps=STEPS,
    # The seed publishes no completion time for complaints: no clock is set.
    completion_text="Tidak ditetapkan dalam standar; setiap tahap penanganan dapat dipantau melalui menu "
                    "Permohonan Saya dan pelacakan",
    fee="Tidak dipungut biaya",
    product="Jawaban resmi (surat balasan) atas pengaduan dari Politeknik Negeri Jember, disampaikan melalui "
            "aplikasi dan e-mail pemohon atau dapat diambil di Unit Layanan Terpadu",
    procedure=[
        "Pemohon melakukan registrasi terlebih dahulu melalui situs resmi http://Pintu.polije.ac.id atau dengan "
        "mendatangi langsung Kantor Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Pengaduan yang diajukan oleh pemohon akan diverifikasi oleh narahubung untuk memastikan kelengkapan "
        "informasi dan validitas pengaduan tersebut.",
        "Narahubung kemudian akan berkoordinasi dengan unit terkait untuk memproses dan menyelesaikan pengaduan "
        "sesuai dengan bidang yang relevan.",
        "Setelah proses selesai, pemohon akan menerima jawaban resmi terkait pengaduannya dari pihak Politeknik "
        "Negeri Jember.",
    ],
    complaint_channel=CONTACT,
    contact=CONTACT,
    template_service="pengaduan/service.html",
    # "Identitas pelapor dijaga kerahasiaannya": the narahubung (ULT) and the leadership who signs the reply
    # see who complained; the units the complaint is routed to see the complaint only.
    confidential_identity=True,
    anonymous_reporting=True,
    retained_fields=("tanggal_pengaduan", "bidang"),
)


def suggested_unit(data) -> tuple[str, str] | None:
    """(unit key, unit name) the complaint's field points to."""
    field = FIELDS.get((data or {}).get("bidang"))
    if not field:
        return None
    return field[1], dict(UNITS)[field[1]]


def official_reply(application):
    """The leadership's final event (its note is the official reply), or None."""
    from pintu.models import Event

    return (Event.select().where(Event.application == application.id, Event.kind == FINISH,
                                 Event.action == "kirim_jawaban")
            .order_by(Event.id.desc()).first())


def reply_letter(application):
    """The signed reply letter uploaded with the approval, or None."""
    from pintu.models import Upload

    return (Upload.select().where(Upload.application == application.id, Upload.requirement == REPLY_LETTER.key,
                                  Upload.superseded == False).order_by(Upload.id.desc()).first())  # noqa: E712


def reply_attachments(application):
    """Files staff sent to the applicant in the thread (not internal)."""
    from pintu.models import Message

    return list(Message.select().where(Message.application == application.id, Message.internal == False,  # noqa: E712
                                       Message.author != application.applicant_id,
                                       Message.attachment.is_null(False)).order_by(Message.id))


def drafts(application):
    """The narahubung's drafts of the reply (internal notes of ``ajukan_jawaban``), newest first."""
    from pintu.models import Event, User

    return list(Event.select(Event, User).join(User)
                .where(Event.application == application.id, Event.action == "ajukan_jawaban",
                       Event.internal_note != "").order_by(Event.id.desc()))


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    return list(UNITS)


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def pintu_before_transition(application, service, step, action, actor, note, files):
    """The reply letter is released only with the approval, never with a request for revision."""
    if action.key == "revisi" and REPLY_LETTER.key in files:
        return ("Surat balasan hanya diunggah bersama persetujuan jawaban resmi. "
                "Kosongkan unggahan untuk meminta perbaikan rancangan.")
    return None


@hookimpl
def pintu_application_panels(application, service, viewer):
    panels = []
    reply = official_reply(application) if application.status == "done" else None
    if reply is not None:
        html = render_template("pengaduan/reply.html", application=application, reply=reply,
                               letter=reply_letter(application), attachments=reply_attachments(application))
        panels.append(("Jawaban resmi atas pengaduan", Markup(html)))
    staff = viewer.is_staff and viewer.id != application.applicant_id
    if staff and application.status not in ("draft", "done", "refused", "cancelled"):
        html = render_template("pengaduan/staff.html", application=application,
                               suggested=suggested_unit(application.data), drafts=drafts(application))
        panels.append(("Penanganan pengaduan", Markup(html)))
    panels.append(("Kanal pengaduan nasional SP4N-LAPOR!",
                   Markup(render_template("pengaduan/lapor.html", application=application))))
    return panels


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support, uploads, workflow
    from pintu.models import Application

    warga = applicants["masyarakat"]
    mahasiswa = applicants["mahasiswa"]
    petugas, pimpinan = staff["petugas"], staff["pimpinan"]
    data = {"tanggal_pengaduan": _today().isoformat(), "bidang": "keuangan_sarana",
            "uraian": "Lampu penerangan di area parkir Gedung Serba Guna padam sejak dua minggu lalu sehingga "
                      "rawan bagi pengunjung pada malam hari. Mohon segera diperbaiki.",
            "lokasi_waktu": "Area parkir Gedung Serba Guna, setiap malam sejak awal bulan"}
    akademik = dict(data, bidang="akademik", lokasi_waktu="",
                    uraian="Nilai mata kuliah Basis Data semester lalu belum muncul di sistem informasi akademik "
                           "padahal ujian sudah dilaksanakan; mohon kejelasan jadwal input nilai.")

    def files():
        return {"surat_pengaduan": demo_support.sample_pdf("surat_pengaduan.pdf")}

    def make(applicant, values, steps=(), submit=True):
        return demo_support.application(SERVICE, applicant, values, files(), list(steps), submit=submit)

    lengkap = (petugas, "lengkap", "")
    make(warga, data, submit=False)                                           # draft
    make(warga, data)                                                         # waiting for the narahubung
    make(mahasiswa, akademik, [lengkap])                                      # to be routed
    make(warga, dict(data, uraian="Saya kecewa dengan pelayanan di kantin, makanannya kurang enak sekali."),
         [(petugas, "refuse", "Isi pengaduan tidak berkaitan dengan layanan Politeknik Negeri Jember yang dapat "
                              "ditindaklanjuti; kantin dikelola pihak ketiga. Silakan sampaikan langsung kepada "
                              "pengelola kantin.")])
    make(warga, data, [(petugas, "return", "Surat pengaduan belum ditandatangani. Unggah ulang surat yang "
                                           "telah ditandatangani.")])

    # Routed to two units: one answered, one still pending.
    routed = make(warga, data, [lengkap])
    workflow.perform(routed, petugas, "dispose", units=["umum_keuangan", "humas"],
                     note="Mohon ditindaklanjuti dan dilaporkan hasilnya.")
    routed = Application.get_by_id(routed.id)
    answerable = workflow.answerable_dispositions(routed, staff["verifikator:umum_keuangan"])
    workflow.answer_disposition(routed, staff["verifikator:umum_keuangan"], answerable[0].id,
                                "Lampu parkir dijadwalkan diganti minggu ini oleh teknisi BMN.")

    # Waiting for the leadership's approval of the drafted reply.
    waiting = make(mahasiswa, akademik, [lengkap])
    workflow.perform(waiting, petugas, "dispose", units=["akademik"])
    waiting = Application.get_by_id(waiting.id)
    unit = staff["verifikator:akademik"]
    workflow.answer_disposition(waiting, unit, workflow.answerable_dispositions(waiting, unit)[0].id,
                                "Nilai Basis Data sudah diinput dosen pengampu dan tampil mulai hari ini.")
    waiting = Application.get_by_id(waiting.id)
    workflow.perform(waiting, petugas, "ajukan_jawaban",
                     internal_note="Rancangan: Nilai mata kuliah Basis Data telah diinput dan dapat dilihat di "
                                   "sistem informasi akademik. Mohon maaf atas keterlambatannya.")

    # Fully handled: the official reply was sent.
    done = make(warga, data, [lengkap])
    workflow.perform(done, petugas, "dispose", units=["umum_keuangan"])
    done = Application.get_by_id(done.id)
    unit = staff["verifikator:umum_keuangan"]
    workflow.answer_disposition(done, unit, workflow.answerable_dispositions(done, unit)[0].id,
                                "Sepuluh lampu parkir telah diganti pada hari Senin; jadwal pemeriksaan rutin "
                                "ditambahkan setiap bulan.")
    done = Application.get_by_id(done.id)
    workflow.perform(done, petugas, "ajukan_jawaban",
                     internal_note="Rancangan: Terima kasih atas pengaduan Anda. Lampu parkir telah diganti ...")
    done = Application.get_by_id(done.id)
    letter = uploads.check(demo_support.sample_pdf("surat_balasan_pengaduan.pdf"), REPLY_LETTER)
    workflow.perform(done, pimpinan, "kirim_jawaban", files={REPLY_LETTER.key: letter},
                     note="Terima kasih atas pengaduan Saudara. Sepuluh lampu penerangan di area parkir Gedung "
                          "Serba Guna telah diganti dan pemeriksaan rutin dilakukan setiap bulan. Kami mohon maaf "
                          "atas ketidaknyamanan yang terjadi.")
