"""PINTU plugin: Permohonan Data dan Informasi (PINTU Polije, layanan 10).

Workflow::

    kelengkapan (ULT: lengkap -> the clock starts / kembalikan / tolak)
      -> telaah (petugas informasi, Subbagian Humas) chooses the path:
           * jawab_langsung: information that is open and available; the answer
             is the note of this finishing action (target 5 minutes)
           * teruskan: to the Direktur for disposition (target 3 working days)
      -> disposisi (pimpinan routes to one or more units; every unit answers)
      -> penyampaian (petugas informasi delivers the answer) -> selesai

The clock starts at the ULT's completeness check, before anybody knows the
path.  ``completion_days`` therefore reads ``data["jalur"]``: missing or
"langsung" gives 0 working days (due the same day: the 5-minute target),
"disposisi" gives 3.  When the officer forwards to the Direktur, the
``pintu_after_transition`` hook records ``jalur = "disposisi"`` and moves
the due date to 3 working days after the day the clock started.

The answer reaches the applicant as the note of the finishing action (shown
on the timeline and in the "Jawaban" panel, and put into the e-mail by the
core), with an optional file uploaded with that same action ("Berkas data dan
informasi", a staff-step requirement of both officer steps; a file sent with
any other action is refused, so nothing is released early).  Files sent in
the message thread are listed with the answer too.  What the units answered
stays with the staff until the officer delivers it.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from pintu import (DISPOSE, FINISH, Action, Requirement, Service, Step, approve, hookimpl, refuse, send_back,
                   standard_steps)

SLUG = "data-informasi"
REQUIRED = "Wajib diisi."
DIRECT_DAYS = 0
DISPOSITION_DAYS = 3

UNITS = [("akademik", "Bagian Akademik"), ("kepegawaian", "Subbagian Kepegawaian"),
         ("umum_keuangan", "Bagian Umum dan Keuangan"), ("humas", "Subbagian Humas")]

DELIVERY = [("aplikasi", "Melalui aplikasi PINTU (diunduh di halaman permohonan)"),
            ("email", "Melalui e-mail terdaftar (dan aplikasi PINTU)")]


class DataInformasiForm(FlaskForm):
    data_diminta = TextAreaField(
        "Data / informasi yang diminta",
        description="Sebutkan serinci mungkin: jenis data, periode, unit atau program studi.",
        validators=[DataRequired(REQUIRED),
                    Length(min=10, message="Uraikan data/informasi yang diminta (minimal 10 karakter)."),
                    Length(max=4000, message="Maksimal 4000 karakter.")])
    tujuan = TextAreaField("Tujuan penggunaan data / informasi",
                           validators=[DataRequired(REQUIRED), Length(max=2000, message="Maksimal 2000 karakter.")])
    cara_menerima = SelectField("Cara menerima data / informasi", choices=DELIVERY)


def completion_days(data) -> int:
    """Working days for this application's path (see the module docstring)."""
    return DISPOSITION_DAYS if (data or {}).get("jalur") == "disposisi" else DIRECT_DAYS


CONTACT = "Telp: (0331) 333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"

DELIVERED = "Data dan informasi telah disampaikan"
#: The actions that deliver the answer (and may carry the data file).
DELIVERING = ("jawab_langsung", "sampaikan")

DATA_FILE = Requirement("berkas_data", "Berkas data dan informasi", required=False, types=("pdf", "jpg", "png"),
                        max_mb=10, note="Dilampirkan bersama penyampaian jawaban")

SERVICE = Service(
    slug=SLUG,
    code="PDI",
    title="Permohonan Data dan Informasi",
    category="Informasi dan Pengaduan",
    summary="Layanan penyediaan data dan informasi terkait Politeknik Negeri Jember bagi masyarakat umum dan "
            "civitas akademika, termasuk produk unggulan, teknologi terapan, serta peraturan atau kebijakan di "
            "bidang akademik dan kemahasiswaan.",
    applicant_categories=(),
    form=DataInformasiForm,
    requirements=[
        Requirement("surat_permohonan",
                    "Permohonan tertulis, ditujukan ke Direktur Politeknik Negeri Jember, Jalan Mastrip PO.BOX 164 "
                    "Jember", types=("pdf",), max_mb=5,
                    missing_message="Surat permohonan tertulis kepada Direktur wajib diunggah."),
    ],
    steps=[
        standard_steps()[0],  # ULT completeness check: "lengkap" starts the clock
        Step("telaah", "Penelaahan oleh petugas informasi (Subbagian Humas)", role="verifikator", unit="humas",
             description="Petugas informasi menilai ketersediaan dan sifat data/informasi yang diminta",
             requirements=[DATA_FILE],
             actions=[Action("jawab_langsung", "Informasi terbuka dan tersedia: sampaikan jawaban", FINISH,
                             note_required=True, message=DELIVERED),
                      approve("Teruskan ke Direktur untuk disposisi", "teruskan",
                              message="Permohonan diteruskan kepada Direktur untuk mendapatkan disposisi"),
                      send_back(), refuse("Tolak (informasi dikecualikan / tidak dapat diberikan)")]),
        Step("disposisi", "Disposisi Direktur kepada unit kerja terkait", role="pimpinan",
             description="Direktur mendisposisikan permintaan kepada Wakil Direktur dan unit kerja terkait",
             actions=[Action("dispose", "Disposisi ke unit kerja terkait", DISPOSE,
                             message="Permintaan didisposisikan kepada unit kerja terkait"),
                      refuse("Tolak (informasi dikecualikan)")]),
        Step("penyampaian", "Penyampaian data dan informasi oleh petugas informasi", role="verifikator",
             unit="humas", description="Petugas informasi menyampaikan data dan informasi kepada pemohon",
             requirements=[DATA_FILE],
             actions=[Action("sampaikan", "Sampaikan data dan informasi", FINISH, note_required=True,
                             message=DELIVERED),
                      refuse("Tolak (data tidak tersedia / dikecualikan)")]),
    ],
    completion_days=completion_days,
    completion_text="Data dan informasi yang bersifat terbuka dan tersedia/siap: maksimal 5 (lima) menit; data dan "
                    "informasi yang bersifat tertentu dan harus melalui disposisi pimpinan: maksimal 3 (tiga) hari "
                    "kerja; dihitung sejak persyaratan dinyatakan lengkap",
    fee="Tidak dipungut biaya",
    product="Produk unggulan, teknologi terapan; peraturan atau kebijakan bidang akademik dan kemahasiswaan; data "
            "dan informasi yang berkaitan dengan kelembagaan lainnya",
    procedure=[
        "Pemohon melakukan registrasi terlebih dahulu di http://Pintu.polije.ac.id atau datang langsung ke Kantor "
        "Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Pemeriksaan kelengkapan berkas administrasi oleh unit layanan terpadu (lengkap).",
        "Pemohon log-in pada aplikasi Pelayanan Terpadu dan memilih menu Permohonan data dan informasi.",
        "Apabila data dan informasi menurut ketersediaan dan sifatnya berkaitan dengan unit kerja tertentu, maka "
        "permintaan data dan informasi tersebut diarahkan kepada Direktur untuk mendapatkan disposisi.",
        "Direktur mendisposisi permintaan data dan informasi kepada Wakil Direktur dan unit kerja terkait untuk "
        "tindak lanjut; petugas informasi dengan rekomendasi Kepala Humas dapat memberikan data dan informasi "
        "sesuai ketersediaannya kepada pemohon.",
        "Pemohon menerima data dan informasi yang dibutuhkan.",
    ],
    complaint_channel="Pengaduan dan masukan dapat disampaikan secara tertulis melalui surat yang ditujukan kepada "
                      "Direktur Politeknik Negeri Jember, Jalan Mastrip Jember dan akan dikoordinir oleh Kepala "
                      "Humas untuk tindak lanjutnya; atau melalui " + CONTACT,
    contact=CONTACT,
)


def answer_event(application):
    """The finishing event whose note is the answer, or None."""
    from pintu.models import Event

    return (Event.select().where(Event.application == application.id, Event.kind == FINISH,
                                 Event.action.in_(DELIVERING))
            .order_by(Event.id.desc()).first())


def data_file(application):
    """The data file delivered with the answer, or None."""
    from pintu.models import Upload

    return (Upload.select().where(Upload.application == application.id, Upload.requirement == DATA_FILE.key,
                                  Upload.superseded == False).order_by(Upload.id.desc()).first())  # noqa: E712


def delivered_files(application):
    """Files the staff sent to the applicant in the thread (internal notes excluded)."""
    from pintu.models import Message

    return list(Message.select().where(Message.application == application.id, Message.internal == False,  # noqa: E712
                                       Message.author != application.applicant_id,
                                       Message.attachment.is_null(False)).order_by(Message.id))


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
    """The data file goes out only with the answer: sent with any other action of the officer's
    steps, the action is refused before anything changes."""
    if step.key in ("telaah", "penyampaian") and action.key not in DELIVERING and DATA_FILE.key in files:
        return ("Berkas data dan informasi hanya dilampirkan saat menyampaikan jawaban. "
                "Kosongkan unggahan untuk tindakan ini.")
    return None


@hookimpl
def pintu_after_transition(application, service, event):
    """Record the path the officer chose; a disposition moves the due date to its own standard."""
    if event.action not in ("jawab_langsung", "teruskan"):
        return
    from pintu import clock, workingdays
    from pintu.models import Application

    data = dict(application.data or {})
    data["jalur"] = "disposisi" if event.action == "teruskan" else "langsung"
    changes = {Application.data: data}
    if event.action == "teruskan" and application.clock_started_at:
        started = clock.to_local(application.clock_started_at).date()
        application.due_date = workingdays.add_working_days(started, service.days_for(data),
                                                            current_app.config["EXTRA_HOLIDAYS"])
        changes[Application.due_date] = application.due_date
    Application.update(changes).where(Application.id == application.id).execute()
    application.data = data


@hookimpl
def pintu_application_panels(application, service, viewer):
    answer = answer_event(application) if application.status == "done" else None
    if answer is None:
        return None
    html = render_template("data_informasi/answer.html", application=application, answer=answer,
                           data_file=data_file(application), files=delivered_files(application))
    return [("Jawaban permohonan data dan informasi", Markup(html))]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support, workflow
    from pintu.models import Application

    warga, instansi = applicants["masyarakat"], applicants["instansi"]
    petugas, pimpinan = staff["petugas"], staff["pimpinan"]
    humas = staff["verifikator:humas"]
    brochure = {"data_diminta": "Daftar program studi Diploma IV beserta akreditasinya dan daya tampung tahun ini.",
                "tujuan": "Bahan pertimbangan memilih program studi untuk anak saya.", "cara_menerima": "email"}
    research = {"data_diminta": "Jumlah lulusan per program studi tahun 2021-2025 dan rata-rata masa tunggu kerja "
                                "lulusan.",
                "tujuan": "Kajian kebutuhan tenaga kerja vokasi di Kabupaten Jember.", "cara_menerima": "aplikasi"}

    def make(applicant, values, steps=(), submit=True):
        files = {"surat_permohonan": demo_support.sample_pdf("surat_permohonan.pdf")}
        return demo_support.application(SERVICE, applicant, values, files, list(steps), submit=submit)

    lengkap = (petugas, "lengkap", "")
    teruskan = (humas, "teruskan", "")
    make(warga, brochure, submit=False)                                     # draft
    make(warga, brochure)                                                   # at the ULT
    make(instansi, research, [lengkap])                                     # at the information officer
    make(warga, brochure, [lengkap, (humas, "jawab_langsung",
                                     "Daftar program studi Diploma IV, akreditasi dan daya tampung terlampir; "
                                     "informasi terbaru juga tersedia di https://www.polije.ac.id.",
                                     {DATA_FILE.key: demo_support.sample_pdf("program_studi_D4.pdf")})])
    # ^ answered at once, with the file
    make(instansi, research, [lengkap, teruskan])                           # waiting for the Direktur
    make(instansi, dict(research, data_diminta="Data pribadi (alamat dan nomor telepon) seluruh alumni 2020."),
         [lengkap, (humas, "refuse", "Data pribadi alumni termasuk informasi yang dikecualikan (UU 14/2008 Pasal "
                                     "17 huruf h) sehingga tidak dapat diberikan.")])
    make(warga, brochure, [(petugas, "return", "Surat permohonan belum ditujukan kepada Direktur. Mohon unggah "
                                               "ulang surat yang ditujukan kepada Direktur.")])

    # Disposed to two units; Bagian Akademik answered, Humas has not yet.
    routed = make(instansi, research, [lengkap, teruskan])
    workflow.perform(routed, pimpinan, "dispose", units=["akademik", "humas"],
                     note="Siapkan data lulusan dan masa tunggu.")
    routed = Application.get_by_id(routed.id)
    akademik = staff["verifikator:akademik"]
    workflow.answer_disposition(routed, akademik, workflow.answerable_dispositions(routed, akademik)[0].id,
                                "Rekap jumlah lulusan 2021-2025 per program studi sudah disiapkan (berkas Excel).")
