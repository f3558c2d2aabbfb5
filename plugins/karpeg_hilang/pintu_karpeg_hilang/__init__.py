"""PINTU plugin: Kartu Pegawai Hilang (PINTU Polije, layanan 6).

A PNS (applicant categories ``pegawai`` and ``dosen``) who lost the Kartu
Pegawai (Karpeg) asks for a covering letter to BKN for its replacement.  The
ULT checks completeness, the Bagian Umum dan Keuangan verifies the documents
(the police loss report above all), the leadership approves or refuses with a
reason and the applicant collects the letter at the ULT.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pintu import Document, Requirement, Service, Step, approve, hookimpl, refuse, send_back, standard_steps

SLUG = "kartu-pegawai-hilang"
REQUIRED = "Wajib diisi."
NIP_MISSING = ("NIP belum tercatat di profil Anda. Penggantian Kartu Pegawai memerlukan NIP 18 digit: lengkapi "
               "NIP pada menu Profil, lalu ajukan kembali permohonan ini.")
POLICE_REPORT_MISSING = ("Surat Keterangan kehilangan dari kepolisian wajib dilampirkan. Kartu Pegawai yang hilang "
                         "hanya dapat diganti dengan surat keterangan kehilangan dari kepolisian: laporkan "
                         "kehilangan ke kantor polisi terdekat, lalu unggah hasil scan suratnya.")


class TanggalField(DateField):
    """A date input with Indonesian messages; empty is left to ``InputRequired``/``Optional``.

    Besides the browser's ISO format, the usual ``hh-bb-tttt`` / ``hh/bb/tttt`` typing is accepted.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
                         invalid_value_message="Tanggal tidak valid. Gunakan format hh-bb-tttt, mis. 17-08-2025.",
                         **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class KarpegHilangForm(FlaskForm):
    unit_kerja = StringField("Unit kerja", validators=[DataRequired(REQUIRED), Length(max=120)])
    nomor_karpeg = StringField("Nomor Kartu Pegawai yang hilang", validators=[Optional(), Length(max=30)],
                               description="Isi jika diketahui (tertera pada fotokopi Karpeg atau SK).")
    tanggal_kehilangan = TanggalField("Tanggal kehilangan", validators=[InputRequired(REQUIRED)],
                                      description="Perkiraan tanggal bila tidak diketahui pasti.")
    tempat_kehilangan = StringField("Tempat kehilangan", validators=[DataRequired(REQUIRED), Length(max=200)],
                                    description="Contoh: Pasar Tanjung, Jember, atau perjalanan Jember–Surabaya.")
    nomor_laporan_polisi = StringField("Nomor surat keterangan kehilangan dari kepolisian",
                                       validators=[DataRequired(REQUIRED), Length(max=80)],
                                       description="Contoh: SKTLK/123/VIII/2025/SPKT/POLRES JEMBER.")
    tanggal_laporan_polisi = TanggalField("Tanggal surat keterangan kehilangan",
                                          validators=[InputRequired(REQUIRED)])
    kronologi = TextAreaField("Kronologi singkat kehilangan", validators=[Optional(), Length(max=2000)])


def today() -> dt.date:
    """Today's date in WIB (``pintu.clock``, not the server's zone; a function so that tests can pin it)."""
    from pintu import clock

    return clock.today()


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def loss_dates(data) -> dict[str, str]:
    """The loss cannot lie in the future, and the police report comes after the loss."""
    errors: dict[str, str] = {}
    lost, report = as_date(data.get("tanggal_kehilangan")), as_date(data.get("tanggal_laporan_polisi"))
    if lost and lost > today():
        errors["tanggal_kehilangan"] = "Tanggal kehilangan tidak boleh melewati tanggal hari ini."
    if report and report > today():
        errors["tanggal_laporan_polisi"] = "Tanggal surat keterangan tidak boleh melewati tanggal hari ini."
    elif lost and report and report < lost:
        errors["tanggal_laporan_polisi"] = (f"Tanggal surat keterangan ({report:%d-%m-%Y}) tidak boleh sebelum "
                                            f"tanggal kehilangan ({lost:%d-%m-%Y}).")
    return errors


SCAN_NOTE = "Hasil scan, foto tidak diperkenankan"
SCAN_MB = 2

REQUIREMENTS = [
    Requirement("surat_keterangan_atasan", "Surat Keterangan dari atasan langsung", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("surat_permohonan", "Surat permohonan yang ditujukan kepada Direktur Politeknik Negeri Jember",
                max_mb=SCAN_MB, note=SCAN_NOTE),
    # The seed reads "Pas Foto Suami/Istri berukuran 3x4 sebanyak 4 lembar", copied from the Karis/Karsu
    # service; for a lost Karpeg the photo is the employee's own, so "Suami/Istri" is left out.
    Requirement("pas_foto", "Pas Foto berukuran 3x4 sebanyak 4 lembar", types=("jpg", "png"), max_mb=1,
                note="Unggah satu pas foto digital Anda; cetakan pas foto 4 lembar diserahkan ke ULT"),
    Requirement("surat_kehilangan_polisi",
                "Surat Keterangan kehilangan dari kepolisian yang menyatakan bahwa Karpeg hilang",
                max_mb=SCAN_MB, note=SCAN_NOTE + ". Wajib: tanpa surat ini permohonan tidak dapat diproses",
                missing_message=POLICE_REPORT_MISSING),
]

CONTACT = "Telp: (0331) 333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"
PRODUCT = "Surat pengantar penggantian Kartu Pegawai (Karpeg) ke Badan Kepegawaian Negara (BKN)"

SERVICE = Service(
    documents=[Document("surat_pengantar", "Surat Pengantar Penggantian Kartu Pegawai yang Hilang",
                       "karpeg_hilang/surat_pengantar.html", step="persetujuan", action="setujui",
                       number_scheme="{seq:03d}/PL17/KP/{year}")],
    slug=SLUG,
    code="KPH",
    title="Kartu Pegawai Hilang",
    category="Kepegawaian",
    summary="Layanan bagi Pegawai Negeri Sipil (PNS) di Politeknik Negeri Jember yang mengalami kehilangan Kartu "
            "Pegawai (Karpeg) dan membutuhkan penggantian kartu.",
    applicant_categories=("pegawai", "dosen"),
    form=KarpegHilangForm,
    requirements=REQUIREMENTS,
    validators=[loss_dates],
    template_detail="karpeg_hilang/detail.html",
    steps=standard_steps(
        Step("verifikasi", "Verifikasi dokumen oleh Bagian Umum dan Keuangan", role="verifikator",
             unit="umum_keuangan",
             description="Bagian Umum dan Keuangan memverifikasi kelengkapan dan keabsahan dokumen",
             actions=[approve("Memenuhi syarat", "memenuhi_syarat",
                              message="Dokumen dinyatakan lengkap dan sah oleh Bagian Umum dan Keuangan"),
                      send_back(), refuse()]),
        Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
             description="Pimpinan menyetujui dan menandatangani surat pengantar penggantian Karpeg ke BKN",
             actions=[approve("Setujui, terbitkan surat pengantar", "setujui",
                              message="Permohonan disetujui pimpinan; surat pengantar penggantian Karpeg ke BKN "
                                      "diterbitkan"),
                      refuse()]),
        ready_title="Surat pengantar siap diambil di ULT",
        ready_description="Tembusan surat pengantar pengiriman berkas permohonan Karpeg ke BKN dapat diambil di "
                          "Unit Layanan Terpadu",
    ),
    # The seed publishes no completion time; 5 working days is this
    # installation's setting for the institution to adjust.
    completion_days=5,
    fee="Tidak dipungut biaya",
    product=PRODUCT,
    procedure=[
        "Pemohon melakukan registrasi terlebih dahulu melalui situs resmi http://Pintu.polije.ac.id atau dengan "
        "datang langsung ke Kantor Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Kelengkapan berkas administrasi diperiksa oleh petugas unit layanan terpadu.",
        "Dokumen persyaratan diverifikasi oleh bagian umum dan keuangan untuk memastikan kelengkapan dan keabsahan "
        "dokumen yang diajukan.",
        "Pimpinan menyetujui permohonan; jika tidak disetujui, alasannya dapat dibaca pada menu tracking.",
        "Setelah seluruh dokumen memenuhi syarat, pemohon menerima surat pengantar untuk penggantian Karpeg yang "
        "dapat diajukan ke Badan Kepegawaian Negara (BKN); tembusannya diambil di Unit Layanan Terpadu.",
        "Pastikan semua dokumen persyaratan telah disiapkan secara lengkap sebelum melakukan pengajuan, terutama "
        "Surat Keterangan kehilangan dari kepolisian.",
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
    return [("umum_keuangan", "Bagian Umum dan Keuangan")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

# A 1x1 PNG for the demo pas foto (the demo helpers only provide a PDF).
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def demo_files() -> dict:
    from pintu import demo_support

    files = {r.key: demo_support.sample_pdf(f"{r.key}.pdf") for r in REQUIREMENTS if "pdf" in r.types}
    files["pas_foto"] = FileStorage(io.BytesIO(_PNG), filename="pas_foto.png", content_type="image/png")
    return files


@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support

    petugas, umum, pimpinan = staff["petugas"], staff["verifikator:umum_keuangan"], staff["pimpinan"]
    lengkap = (petugas, "lengkap", "")
    memenuhi = (umum, "memenuhi_syarat", "")
    setujui = (pimpinan, "setujui", "")
    when = today() - dt.timedelta(days=20)

    def make(who, steps=(), submit=True, **changes):
        data = {"unit_kerja": "Bagian Umum dan Keuangan", "nomor_karpeg": "", "tanggal_kehilangan": when.isoformat(),
                "tempat_kehilangan": "Pasar Tanjung, Jember",
                "nomor_laporan_polisi": "SKTLK/123/VIII/2025/SPKT/POLRES JEMBER",
                "tanggal_laporan_polisi": (when + dt.timedelta(days=1)).isoformat(),
                "kronologi": "Dompet berisi Karpeg hilang saat berbelanja.", **changes}
        demo_support.application(SERVICE, applicants[who], data, demo_files(), list(steps), submit=submit)

    make("pegawai", submit=False)                                         # draft
    make("dosen", tempat_kehilangan="Terminal Tawang Alun, Jember")       # waiting at the ULT
    make("pegawai", [lengkap])                                            # at Umum dan Keuangan
    make("dosen", [lengkap, memenuhi])                                    # at the leadership
    make("pegawai", [lengkap, (umum, "return", "Surat keterangan kehilangan dari kepolisian tidak terbaca. Unggah "
                                               "ulang hasil scan yang jelas.")])
    make("dosen", [lengkap, (umum, "refuse", "Surat keterangan dari kepolisian menyatakan kehilangan KTP, bukan "
                                             "Kartu Pegawai. Ajukan kembali dengan surat keterangan yang sesuai.")])
    make("pegawai", [lengkap, memenuhi, setujui])                         # ready for pickup
    make("dosen", [lengkap, memenuhi, setujui, (petugas, "taken", "")])   # done
