"""PINTU plugin: Usul Kartu TASPEN (PINTU Polije, layanan 2).

PNS (applicant categories ``pegawai`` and ``dosen``) propose the issue of
their TASPEN card.  The ULT checks completeness, the Subbagian Kepegawaian
verifies the documents, the leadership approves (or refuses with a reason)
and the applicant collects the copy (tembusan) of the covering letter that
sends the file to BKN at the ULT.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from pintu import Document, Requirement, Service, Step, approve, hookimpl, refuse, send_back, standard_steps

SLUG = "kartu-taspen"
REQUIRED = "Wajib diisi."
NIP_MISSING = ("NIP belum tercatat di profil Anda. Usul Kartu TASPEN memerlukan NIP 18 digit: lengkapi NIP "
               "pada menu Profil, lalu ajukan kembali permohonan ini.")


class TaspenForm(FlaskForm):
    unit_kerja = StringField("Unit kerja", validators=[DataRequired(REQUIRED), Length(max=120)],
                             description="Jurusan, bagian atau unit tempat Anda bertugas.")
    jabatan = StringField("Jabatan", validators=[DataRequired(REQUIRED), Length(max=120)])
    pangkat_golongan = StringField("Pangkat / golongan ruang", validators=[DataRequired(REQUIRED), Length(max=60)],
                                   description="Contoh: Penata Muda / III-a.")
    pernyataan = BooleanField("Saya menyatakan bahwa berkas yang saya unggah benar dan sesuai dengan aslinya.",
                              validators=[DataRequired("Centang pernyataan ini untuk mengajukan permohonan.")])


SCAN_NOTE = "Hasil scan, foto tidak diperkenankan"
SCAN_MB = 2

# The five documents of the seed (layanan 2), labels verbatim.
REQUIREMENTS = [
    Requirement("surat_keterangan_atasan", "Surat Keterangan dari atasan langsung", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("surat_permohonan", "Surat permohonan kepada direktur", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("kp4", "Fotocopy Surat keterangan untuk mendapatkan tunjangan keluarga (KP4)", max_mb=SCAN_MB,
                note=SCAN_NOTE),
    Requirement("spmt", "Fotocopy Surat perintah melaksanakan tugas (SPMT)", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("daftar_gaji", "Fotocopy Daftar Gaji Terbaru", max_mb=SCAN_MB, note=SCAN_NOTE),
]

CONTACT = "Telp: (0331) 333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"
PRODUCT = "Tembusan surat pengantar pengiriman berkas ke BKN"

SERVICE = Service(
    documents=[Document("surat_pengantar", "Surat Pengantar Pengiriman Berkas Usul Kartu TASPEN ke BKN",
                       "taspen/surat_pengantar.html", step="persetujuan", action="setujui",
                       number_scheme="{seq:03d}/PL17/KP/{year}")],
    slug=SLUG,
    code="TSP",
    title="Usul Kartu TASPEN",
    category="Kepegawaian",
    summary="Layanan bagi Pegawai Negeri Sipil (PNS) yang ingin mendapatkan Kartu TASPEN, dokumen penting untuk "
            "mengakses manfaat jaminan sosial dari PT TASPEN (Persero): tunjangan hari tua, jaminan kecelakaan "
            "kerja dan pensiun.",
    applicant_categories=("pegawai", "dosen"),
    form=TaspenForm,
    requirements=REQUIREMENTS,
    template_form="taspen/form_nip.html",
    template_detail="taspen/detail.html",
    steps=standard_steps(
        Step("verifikasi", "Verifikasi substansi dokumen oleh Subbagian Kepegawaian", role="verifikator",
             unit="kepegawaian", description="Subbagian Kepegawaian memverifikasi substansi dokumen persyaratan",
             actions=[approve("Memenuhi syarat", "memenuhi_syarat",
                              message="Dokumen dinyatakan memenuhi syarat oleh Subbagian Kepegawaian"),
                      send_back(), refuse()]),
        Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
             description="Pimpinan menyetujui usulan dan menandatangani surat pengantar pengiriman berkas ke BKN",
             actions=[approve("Setujui, terbitkan surat pengantar", "setujui",
                              message="Usulan disetujui pimpinan; surat pengantar pengiriman berkas ke BKN "
                                      "diterbitkan"),
                      refuse()]),
        ready_title="Tembusan surat pengantar siap diambil di ULT",
        ready_description="Tembusan surat pengantar pengiriman berkas ke BKN dapat diambil di Unit Layanan Terpadu",
    ),
    # The seed publishes no completion time; 5 working days is this
    # installation's setting for the institution to adjust.
    completion_days=5,
    fee="Tidak dipungut biaya",
    product=PRODUCT,
    procedure=[
        "Pemohon melakukan registrasi terlebih dahulu di http://Pintu.polije.ac.id atau datang langsung ke Kantor "
        "Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Petugas Unit Layanan Terpadu memeriksa kelengkapan berkas pemohon.",
        "Verifikasi substansi dokumen persyaratan oleh Subbagian Kepegawaian.",
        "Pimpinan menyetujui usulan; jika tidak disetujui, alasannya dapat dibaca pada menu tracking.",
        "Pemohon menerima tembusan surat pengantar pengiriman berkas ke BKN di Unit Layanan Terpadu.",
    ],
    complaint_channel=CONTACT,
    contact=CONTACT,
    nip_missing_message=NIP_MISSING,
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    return [("kepegawaian", "Subbagian Kepegawaian")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

def demo_files() -> dict:
    from pintu import demo_support

    return {r.key: demo_support.sample_pdf(f"{r.key}.pdf") for r in REQUIREMENTS}


@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support

    petugas, kepeg, pimpinan = staff["petugas"], staff["verifikator:kepegawaian"], staff["pimpinan"]
    lengkap = (petugas, "lengkap", "")
    memenuhi = (kepeg, "memenuhi_syarat", "")
    setujui = (pimpinan, "setujui", "")

    def make(who, steps=(), submit=True, **changes):
        data = {"unit_kerja": "Jurusan Teknologi Informasi", "jabatan": "Pengadministrasi Umum",
                "pangkat_golongan": "Penata Muda / III-a", "pernyataan": True, **changes}
        demo_support.application(SERVICE, applicants[who], data, demo_files(), list(steps), submit=submit)

    make("pegawai", submit=False)                                   # draft
    make("dosen", jabatan="Lektor", pangkat_golongan="Penata / III-c")  # waiting at the ULT
    make("pegawai", [lengkap])                                      # at Subbagian Kepegawaian
    make("dosen", [lengkap, memenuhi], jabatan="Lektor")            # at the leadership
    make("pegawai", [lengkap, (kepeg, "return", "SPMT yang diunggah terpotong pada halaman kedua. Unggah "
                                                "ulang fotocopy SPMT lengkap.")])
    make("pegawai", [lengkap, memenuhi, (pimpinan, "refuse", "Kartu TASPEN atas nama pemohon sudah pernah "
                                                             "diterbitkan; ajukan layanan penggantian kartu "
                                                             "langsung ke kantor TASPEN.")])
    make("dosen", [lengkap, memenuhi, setujui], jabatan="Lektor")   # ready for pickup
    make("pegawai", [lengkap, memenuhi, setujui, (petugas, "taken", "")])  # done
