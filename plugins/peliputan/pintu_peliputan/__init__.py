"""PINTU plugin: Peliputan Media (PINTU Polije, layanan 4).

An external institution or an internal unit asks the Subbagian Humas to cover
an event.  The ULT checks completeness; Humas agrees the operational details
with the applicant in the application's message thread and verifies the
request (the agreed details are the note of its approval, so the applicant has
them in writing); the leadership approves and uploads the signed answer letter
(surat jawaban); after the event Humas uploads the press release.  The press
release is then either collected at the ULT or "sent by e-mail": the applicant
is e-mailed that it is ready and downloads it from the application page (the
mail itself carries a link, not the file).

Staff upload the answer letter and the press release through the core's staff
step ``requirements`` (see ``pintu.contract.services.Step``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from pintu import (FINISH, Action, approve, contact_text, demo_application, Document, hookimpl, post_message, refuse,
                   Requirement, sample_pdf, send_back, Service, standard_steps, Step, TanggalField, today)


SLUG = "peliputan-media"
REQUIRED = "Wajib diisi."
#: Longest coverage the form accepts, per unit of duration.
MAX_DURATION = {"jam": 24, "hari": 30}


# ---------------------------------------------------------------------------
# Form
# ---------------------------------------------------------------------------


class PeliputanForm(FlaskForm):
    asal_pemohon = SelectField("Asal pemohon", choices=[
        ("eksternal", "Instansi / lembaga eksternal"),
        ("internal", "Unit internal Politeknik Negeri Jember")])
    instansi = StringField("Nama instansi / unit", validators=[DataRequired(REQUIRED), Length(max=150)],
                           description="Instansi atau lembaga pengusul, atau unit internal Politeknik Negeri Jember.")
    nama_kegiatan = StringField("Nama kegiatan", validators=[DataRequired(REQUIRED), Length(max=200)])
    tanggal_peliputan = TanggalField("Tanggal peliputan", validators=[InputRequired(REQUIRED)])
    durasi = IntegerField("Durasi kegiatan", validators=[
        InputRequired("Wajib diisi dengan angka, mis. 3."),
        NumberRange(1, 999, "Durasi harus berupa angka 1 atau lebih.")])
    durasi_satuan = SelectField("Satuan durasi", choices=[("jam", "Jam"), ("hari", "Hari")])
    lokasi = StringField("Lokasi kegiatan", validators=[DataRequired(REQUIRED), Length(max=200)])
    keterangan = TextAreaField("Keterangan (alasan permohonan)",
                               validators=[DataRequired(REQUIRED), Length(max=2000)])
    pengiriman = SelectField("Cara menerima press release", choices=[
        ("email", "Dikirim melalui e-mail (diunduh dari halaman permohonan)"),
        ("ult", "Diambil di Unit Layanan Terpadu")])


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def schedule(data) -> dict[str, str]:
    """The coverage cannot be in the past, and the duration must be plausible for its unit."""
    errors: dict[str, str] = {}
    day = as_date(data.get("tanggal_peliputan"))
    if day is not None and day < today():
        errors["tanggal_peliputan"] = (f"Tanggal peliputan {day:%d-%m-%Y} sudah lewat. "
                                       "Isi tanggal hari ini atau sesudahnya.")
    unit = data.get("durasi_satuan") or "jam"
    limit = MAX_DURATION.get(unit, MAX_DURATION["jam"])
    duration = data.get("durasi")
    if isinstance(duration, int) and duration > limit:
        errors["durasi"] = f"Durasi paling lama {limit} {unit} untuk satu permohonan peliputan."
    return errors


def by_pickup(data) -> bool:
    """The ULT pickup step applies only when the applicant chose to collect the press release."""
    return (data or {}).get("pengiriman") == "ult"


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------

# The institution's contact from its profile (edited by the administrator), with the Humas e-mail the
# seed names: read when the page is shown, so it follows the profile.
CONTACT = partial(contact_text, "humas@polije.ac.id")

#: Label from the standard ("Upload Surat Resmi Permohonan Dari ..."), its typo "eksteran" corrected.
LETTER = Requirement(
    "surat_permohonan",
    "Surat Resmi Permohonan Dari (Instansi / Lembaga untuk eksternal) atau unit internal Politeknik Negeri Jember",
    types=("pdf",), max_mb=2, note="Hasil scan surat yang telah ditandatangani")

ANSWER_LETTER = Requirement("surat_jawaban", "Surat jawaban atas permohonan peliputan media", types=("pdf",),
                            max_mb=5, note="Hasil scan surat jawaban yang telah ditandatangani pimpinan")
PRESS_RELEASE = Requirement("press_release", "Press release kegiatan", types=("pdf",), max_mb=5)

AGREED = Action(
    "disepakati", "Detail operasional disepakati, berkas terverifikasi", note_required=True,
    message="Detail operasional peliputan telah disepakati dan berkas diverifikasi oleh Subbagian Humas")

_steps = standard_steps(
    Step("verifikasi", "Kesepakatan detail operasional dan verifikasi oleh Subbagian Humas", role="verifikator",
         unit="humas",
         description="Subbagian Humas menyepakati detail operasional dan teknis peliputan dengan pemohon "
                     "melalui percakapan, lalu memverifikasi berkas",
         actions=[AGREED, send_back(), refuse()]),
    Step("persetujuan", "Persetujuan pimpinan dan surat jawaban", role="pimpinan",
         description="Pimpinan menyetujui permohonan dan menandatangani surat jawaban",
         requirements=[ANSWER_LETTER],
         actions=[approve("Setujui dan unggah surat jawaban", "setujui",
                          message="Permohonan peliputan disetujui pimpinan; surat jawaban dapat diunduh "
                                  "di halaman permohonan"),
                  refuse()]),
    Step("liputan", "Peliputan kegiatan dan press release oleh Subbagian Humas", role="verifikator",
         unit="humas",
         description="Subbagian Humas meliput kegiatan dan menerbitkan press release",
         requirements=[PRESS_RELEASE],
         actions=[approve("Unggah dan kirim press release", "press_release",
                          message="Press release dikirim: kegiatan telah diliput dan press release dapat "
                                  "diunduh di halaman permohonan"),
                  Action("tanpa_press_release", "Selesai tanpa press release (kegiatan batal)", FINISH,
                         note_required=True, message="Permohonan diselesaikan tanpa press release",
                         style="secondary")]),
    ready_title="Press release siap diambil di ULT",
    ready_description="Press release dapat diambil di Unit Layanan Terpadu",
)
# The pickup step only for applicants who chose to collect it; otherwise the press release step ends the service.
STEPS = [*_steps[:-1], dataclasses.replace(_steps[-1], condition=by_pickup)]

SARANA = ("Aplikasi Pelayanan Terpadu PINTU (http://pintu.polije.ac.id) untuk registrasi, pengunggahan "
          "persyaratan dan pelacakan; Kantor Pusat Informasi dan Layanan Terpadu Politeknik Negeri Jember "
          "untuk layanan langsung dan pengambilan produk.")

SERVICE = Service(
    documents=[Document("surat_jawaban_peliputan", "Surat Jawaban Permohonan Peliputan Media",
                       "peliputan/surat_jawaban.html", step="persetujuan", action="setujui", number_scheme="{seq:03d}/PL17/HM/{year}")],
    slug=SLUG,
    code="LPM",
    title="Peliputan Media",
    category="Kehumasan",
    summary="Layanan Peliputan Media merupakan fasilitas yang disediakan oleh Politeknik Negeri Jember untuk "
            "mendukung kegiatan peliputan atau dokumentasi yang dilakukan oleh instansi eksternal maupun unit "
            "internal kampus. Layanan ini mencakup penyediaan bantuan teknis peliputan, koordinasi dengan bagian "
            "humas, serta penerbitan press release.",
    form=PeliputanForm,
    requirements=[LETTER],
    validators=[schedule],
    steps=STEPS,
    # The standard publishes no completion time: the work follows the event's date.
    completion_text="Sesuai jadwal kegiatan yang disepakati dengan Subbagian Humas; surat jawaban diberikan "
                    "sebelum tanggal peliputan dan press release diterbitkan setelah kegiatan diliput",
    # The full standard (PermenPAN-RB 15/2014).  Seed 000 names only the facilities among the eight
    # manufacturing components; the others stay unset and read "Belum ditetapkan" (never invented).
    manufacturing={"sarana_prasarana": SARANA},
    responsible_unit="Subbagian Humas",
    source="Layanan unggulan PINTU Politeknik Negeri Jember, no. 4",
    fee="Tidak dipungut biaya",
    product="Surat jawaban atas permohonan peliputan media dan press release kegiatan (diambil di ULT atau "
            "dikirimkan melalui e-mail)",
    procedure=[
        "Pemohon melakukan registrasi terlebih dahulu melalui situs resmi http://Pintu.polije.ac.id atau dengan "
        "datang langsung ke Kantor Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Kelengkapan berkas administrasi akan diperiksa oleh petugas unit layanan terpadu untuk memastikan "
        "seluruh dokumen sudah lengkap.",
        "Dokumen persyaratan akan diverifikasi oleh bagian humas setelah detail operasional dan teknis kegiatan "
        "peliputan disepakati antara pemohon dan sub bagian humas.",
        "Jika semua persyaratan terpenuhi, pemohon akan menerima surat jawaban atas permohonan peliputan media.",
        "Bagian humas akan melakukan verifikasi obyek liputan dan membuat press release.",
        "Surat press release dapat diambil di bagian ULT atau dikirimkan melalui email. Tahapan ini merupakan "
        "tahapan penyelesaian untuk layanan ini.",
    ],
    complaint_channel=CONTACT,
    contact=CONTACT,
    template_detail="peliputan/detail.html",
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    return [("humas", "Subbagian Humas")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

def demo_data_for(start: dt.date) -> dict:
    return {"asal_pemohon": "eksternal", "instansi": "SMK Negeri 1 Jember",
            "nama_kegiatan": "Kunjungan industri dan penandatanganan kerja sama",
            "tanggal_peliputan": (start + dt.timedelta(days=14)).isoformat(), "durasi": 3, "durasi_satuan": "jam",
            "lokasi": "Gedung Direktorat Politeknik Negeri Jember",
            "keterangan": "Mohon peliputan penandatanganan nota kesepahaman untuk publikasi di media sekolah.",
            "pengiriman": "email"}


@hookimpl
def pintu_demo_data(applicants, staff):
    instansi = applicants["instansi"]
    petugas, humas, pimpinan = staff["petugas"], staff["verifikator:humas"], staff["pimpinan"]
    data = demo_data_for(today())
    letter = {"surat_permohonan": sample_pdf("surat_permohonan_peliputan.pdf")}
    lengkap = (petugas, "lengkap", "")
    disepakati = (humas, "disepakati", "Peliputan pukul 09.00-12.00 oleh 1 fotografer dan 1 penulis; "
                                       "narahubung panitia: Bapak Andi (0812-3456-7890).")
    setujui = (pimpinan, "setujui", "", {"surat_jawaban": sample_pdf("surat_jawaban_peliputan.pdf")})
    rilis = (humas, "press_release", "", {"press_release": sample_pdf("press_release.pdf")})

    def make(steps=(), submit=True, **changes):
        return demo_application(SERVICE, instansi, dict(data, **changes), letter, list(steps),
                                        submit=submit)

    make(submit=False)                                            # draft
    make()                                                        # waiting at the ULT
    talking = make([lengkap])                                     # Humas agreeing details in the thread
    post_message(talking, humas, "Selamat siang. Mohon informasi susunan acara dan narahubung panitia "
                                  "agar tim kami dapat menyiapkan peliputan.")
    post_message(talking, instansi, "Susunan acara terlampir di surat. Narahubung: Bapak Andi (0812-3456-7890).")
    post_message(talking, humas, "Fotografer tersedia; penulis dikonfirmasi besok.", internal=True)
    make([lengkap, disepakati])                                   # at the leadership
    make([lengkap, disepakati, setujui])                          # approved, coverage pending
    make([lengkap, (humas, "refuse", "Pada tanggal tersebut seluruh tim Humas bertugas meliput wisuda, "
                                     "sehingga peliputan tidak dapat dilayani.")])
    make([lengkap, (humas, "return", "Surat permohonan belum ditandatangani pimpinan instansi. Unggah ulang "
                                     "surat yang telah ditandatangani dan distempel.")])
    make([lengkap, disepakati, setujui, rilis], pengiriman="ult")  # press release ready at the ULT
    make([lengkap, disepakati, setujui, rilis])                   # press release sent: done
