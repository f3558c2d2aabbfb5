"""PINTU plugin: Wisata Edukasi dan Studi Banding (PINTU Polije, layanan 8).

An institution, organisation or member of the public asks to visit the
campus.  The ULT checks completeness; the Direktur (role ``pimpinan``)
disposes the request to the units concerned, each of which must answer
(the step waits until every routed unit has); the Subbagian Humas then
agrees schedule, procedure and material with the applicant in the
application's message thread, writes them down as the note of its approval
and uploads the reply letter (surat balasan), which the applicant collects
at the ULT or receives "by e-mail" (an e-mail that it is ready, with a link
to download it from the application page).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from pintu import Action, Document, Requirement, Service, Step, dispose, hookimpl, refuse, send_back, standard_steps

SLUG = "wisata-edukasi"
REQUIRED = "Wajib diisi."
MAX_PARTICIPANTS = 500


class TanggalField(DateField):
    """A date input: the browser's ISO format or the Indonesian hh-bb-tttt / hh/bb/tttt."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
                         invalid_value_message="Tanggal tidak valid. Gunakan format hh-bb-tttt, mis. 17-08-2026.",
                         **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class WisataEdukasiForm(FlaskForm):
    nama_instansi = StringField("Nama instansi / lembaga", validators=[DataRequired(REQUIRED), Length(max=150)])
    jenis_kegiatan = SelectField("Jenis kegiatan", choices=[("wisata_edukasi", "Wisata edukasi"),
                                                            ("studi_banding", "Studi banding")])
    bidang_topik = StringField("Bidang / topik", validators=[DataRequired(REQUIRED), Length(max=200)],
                               description="Mis. teaching factory pengolahan pangan, sistem penjaminan mutu.")
    unit_tujuan = StringField("Unit tujuan yang diinginkan", validators=[DataRequired(REQUIRED), Length(max=200)],
                              description="Jurusan, program studi atau unit produktif yang ingin dikunjungi.")
    tanggal_kegiatan = TanggalField("Tanggal kegiatan yang diusulkan", validators=[InputRequired(REQUIRED)])
    jumlah_peserta = IntegerField("Jumlah peserta", validators=[
        InputRequired("Wajib diisi dengan angka, mis. 40."),
        NumberRange(1, MAX_PARTICIPANTS, f"Jumlah peserta 1 sampai {MAX_PARTICIPANTS} orang.")])
    keterangan = TextAreaField("Keterangan (dasar permohonan)", validators=[DataRequired(REQUIRED), Length(max=2000)])
    pengiriman = SelectField("Cara menerima surat balasan", choices=[
        ("email", "Dikirim melalui e-mail (diunduh dari halaman permohonan)"),
        ("ult", "Diambil di Unit Layanan Terpadu")])


def today() -> dt.date:
    """The submission date (a function so that tests can pin it)."""
    from pintu.clock import today as local_today

    return local_today()


def proposed_date(data) -> dict[str, str]:
    value = data.get("tanggal_kegiatan")
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return {}
    if day is not None and day <= today():
        return {"tanggal_kegiatan": f"Tanggal kegiatan {day:%d-%m-%Y} harus sesudah hari ini: permohonan perlu "
                                    "didisposisikan dan dikoordinasikan lebih dahulu."}
    return {}


def by_pickup(data) -> bool:
    """The ULT pickup step applies only when the applicant chose to collect the letter."""
    return (data or {}).get("pengiriman") == "ult"


CONTACT = "Telp: (0331)-333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"

LETTER = Requirement("surat_permohonan", "Surat Resmi Permohonan Dari Instansi / Lembaga", types=("pdf",), max_mb=2,
                     note="Permohonan tertulis ditujukan kepada Direktur Politeknik Negeri Jember, Jalan Mastrip "
                          "PO.BOX 164, Jember; hasil scan surat yang telah ditandatangani")
REPLY_LETTER = Requirement("surat_balasan", "Surat Balasan Permohonan Wisata Edukasi / Studi Banding",
                           types=("pdf",), max_mb=5, note="Hasil scan surat balasan yang telah ditandatangani")

AGREED = Action(
    "disepakati", "Jadwal dan materi disepakati, kirim surat balasan", note_required=True,
    message="Jadwal, tata cara, unit produktif dan materi kunjungan telah disepakati; surat balasan dapat "
            "diunduh di halaman permohonan")

_steps = standard_steps(
    Step("disposisi", "Disposisi Direktur ke unit terkait", role="pimpinan",
         description="Direktur mendisposisikan permohonan kepada Wakil Direktur dan unit terkait; setiap unit "
                     "menindaklanjuti",
         actions=[dispose("Disposisi ke unit terkait"), send_back(), refuse()]),
    Step("koordinasi", "Koordinasi jadwal dan materi oleh Subbagian Humas", role="verifikator", unit="humas",
         description="Subbagian Humas berkoordinasi dengan pemohon dan unit terkait tentang jadwal, tata cara dan "
                     "materi kunjungan, lalu menerbitkan surat balasan",
         requirements=[REPLY_LETTER],
         actions=[AGREED, send_back(), refuse()]),
    ready_title="Surat balasan siap diambil di ULT",
    ready_description="Surat Balasan Permohonan Wisata Edukasi / Studi Banding dapat diambil di Unit Layanan Terpadu",
)
# The pickup step only when the applicant chose it; otherwise Humas's reply letter ends the service.
STEPS = [*_steps[:-1], dataclasses.replace(_steps[-1], condition=by_pickup)]

SERVICE = Service(
    documents=[Document("surat_balasan_kunjungan", "Surat Balasan Permohonan Wisata Edukasi / Studi Banding",
                       "wisata_edukasi/surat_balasan.html", step="koordinasi", action="disepakati",
                       signer="verifikator", position="Kepala Subbagian Hubungan Masyarakat",
                       number_scheme="{seq:03d}/PL17/HM/{year}")],
    slug=SLUG,
    code="WSB",
    title="Wisata Edukasi dan Studi Banding",
    category="Kehumasan",
    summary="Layanan ini memberikan kesempatan bagi institusi, organisasi, maupun masyarakat umum untuk melakukan "
            "kunjungan wisata edukasi atau studi banding ke Politeknik Negeri Jember. Kegiatan ini bertujuan untuk "
            "berbagi informasi, pengetahuan, dan praktik terbaik terkait bidang-bidang yang ada di Politeknik "
            "Negeri Jember, serta mengenalkan unit-unit produktif yang ada.",
    form=WisataEdukasiForm,
    requirements=[LETTER],
    validators=[proposed_date],
    steps=STEPS,
    # The standard publishes no completion time: the answer follows the proposed visit date.
    completion_text="Sesuai jadwal kunjungan yang disepakati; jawaban diberikan sebelum tanggal kegiatan "
                    "yang diusulkan",
    fee="Tidak dipungut biaya",
    product="Informasi tentang jadual, tatacara dan unit produktif serta materi yang dikunjungi dan dipelajari "
            "(Surat Balasan Permohonan Wisata Edukasi / Studi Banding, diambil di Unit Layanan Terpadu atau "
            "dikirimkan ke email pemohon)",
    procedure=[
        "Informasi Awal: Pemohon dapat mencari informasi terkait wisata edukasi atau studi banding melalui surat "
        "resmi, kunjungan langsung, email, telepon, atau media sosial.",
        "Koordinasi Awal: Petugas informasi mengarahkan pemohon ke bagian Humas untuk mendapatkan informasi "
        "mengenai tata cara berkunjung serta koordinasi awal terkait jadwal dan unit yang akan dikunjungi.",
        "Penerimaan Surat Permintaan: Bagian Tata Usaha atau petugas informasi menerima surat permintaan "
        "kunjungan dan mencatat serta mendokumentasikannya.",
        "Proses Disposisi: Surat permintaan diajukan ke Sekretariat Direktur untuk mendapatkan disposisi dari "
        "Direktur, Wakil Direktur, dan unit terkait.",
        "Sinkronisasi dan Koordinasi: Pihak terkait melakukan koordinasi untuk memastikan materi dan jadwal "
        "sesuai dengan permintaan pemohon.",
        "Jawaban Permohonan: Setelah pemrosesan selesai, pemohon akan menerima jawaban dan melaksanakan kegiatan "
        "kunjungan, wisata edukasi, atau studi banding.",
    ],
    complaint_channel="Pengaduan dan masukan dapat disampaikan secara tertulis melalui surat yang ditujukan kepada "
                      "Direktur Politeknik Negeri Jember, Jalan Mastrip Jember dan akan dikoordinir oleh Kepala "
                      "Humas untuk tindak lanjutnya; pengaduan dan masukan dapat juga melalui " + CONTACT,
    contact=CONTACT,
    template_detail="wisata_edukasi/detail.html",
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    # Humas has a step; Akademik and Umum dan Keuangan are the usual units the Direktur disposes to.
    return [("humas", "Subbagian Humas"), ("akademik", "Bagian Akademik"),
            ("umum_keuangan", "Bagian Umum dan Keuangan")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support, messages, uploads, workflow
    from pintu.models import Application

    instansi = applicants["instansi"]
    petugas, pimpinan, humas = staff["petugas"], staff["pimpinan"], staff["verifikator:humas"]
    units = ["akademik", "umum_keuangan"]
    data = {"nama_instansi": "SMA Negeri 2 Jember", "jenis_kegiatan": "wisata_edukasi",
            "bidang_topik": "Teaching factory pengolahan pangan dan agroindustri",
            "unit_tujuan": "Jurusan Teknologi Pertanian, Teaching Factory",
            "tanggal_kegiatan": (today() + dt.timedelta(days=21)).isoformat(), "jumlah_peserta": 60,
            "keterangan": "Program pengenalan pendidikan vokasi bagi siswa kelas XII.", "pengiriman": "email"}
    lengkap = (petugas, "lengkap", "")
    agreed = ("Kunjungan Kamis pukul 08.30-12.00: paparan di Aula, lalu Teaching Factory pengolahan pangan dan "
              "laboratorium agroindustri. Peserta memakai sepatu tertutup.")

    def make(steps=(), submit=True, **changes):
        letter = {"surat_permohonan": demo_support.sample_pdf("surat_permohonan_kunjungan.pdf")}
        return demo_support.application(SERVICE, instansi, dict(data, **changes), letter, list(steps),
                                        submit=submit)

    def disposed(application, answered=tuple(units)):
        """The Direktur disposes to both units; ``answered`` of them answer."""
        workflow.perform(application, pimpinan, "dispose", note="Mohon disiapkan narasumber dan jadwal.",
                         units=units)
        for unit in answered:
            application = Application.get_by_id(application.id)
            pending = {d.unit.key: d for d in workflow.pending_dispositions(application)}
            workflow.answer_disposition(application, staff[f"verifikator:{unit}"], pending[unit].id,
                                        "Siap menerima kunjungan; narasumber disiapkan.")
        return Application.get_by_id(application.id)

    make(submit=False)                                       # draft
    make()                                                   # waiting at the ULT
    make([lengkap])                                          # waiting for the Direktur's disposition
    disposed(make([lengkap]), answered=units[:1])            # one unit answered, one still pending
    talking = disposed(make([lengkap]))                      # at Humas, talking with the applicant
    messages.post(talking, humas, "Mohon konfirmasi jumlah pendamping dan kendaraan yang digunakan.")
    messages.post(talking, instansi, "Pendamping 4 guru, 2 bus.")
    messages.post(talking, humas, "Lab agroindustri sedang renovasi; alihkan ke TeFa.", internal=True)
    make([lengkap, (pimpinan, "refuse", "Pada tanggal yang diusulkan kampus melaksanakan ujian akhir semester; "
                                        "silakan mengajukan kembali untuk bulan berikutnya.")])
    workflow.perform(disposed(make([lengkap])), humas, "return",
                     note="Jumlah peserta pada formulir (60) berbeda dengan surat (80). Mohon disesuaikan.")
    for pickup in ("ult", "email"):                          # ready at the ULT; sent by e-mail (done)
        reply = uploads.check(demo_support.sample_pdf("surat_balasan_kunjungan.pdf"), REPLY_LETTER)
        workflow.perform(disposed(make([lengkap], pengiriman=pickup)), humas, "disepakati", note=agreed,
                         files={"surat_balasan": reply})
