"""PINTU plugin: Usulan Pensiun Dini (PINTU Polije, layanan 1).

PNS and CPNS (applicant categories ``pegawai`` and ``dosen``) propose early
retirement.  The ULT checks completeness, the Subbagian Kepegawaian verifies
the documents, the leadership approves and the applicant collects the copy
(tembusan) of the covering letter at the ULT.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import partial
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask import render_template
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from pintu import (approve, bulan_tahun, contact_text, demo_application, Document, hookimpl, local_date, refuse,
                   Requirement, sample_pdf, send_back, Service, standard_steps, Step, TanggalField, today)


SLUG = "pensiun-dini"
REQUIRED = "Wajib diisi."
MIN_AGE_YEARS = 50
MIN_SERVICE_YEARS = 20
#: Nobody can be appointed CPNS before this age; an earlier TMT means a typing error.
MIN_AGE_AT_CPNS = 18


# ---------------------------------------------------------------------------
# Form
# ---------------------------------------------------------------------------


class PensiunDiniForm(FlaskForm):
    tanggal_lahir = TanggalField("Tanggal lahir", validators=[InputRequired(REQUIRED)])
    tmt_cpns = TanggalField("TMT CPNS", validators=[InputRequired(REQUIRED)],
                            description="Terhitung mulai tanggal pengangkatan sebagai CPNS, lihat SK CPNS.")
    unit_kerja = StringField("Unit kerja", validators=[DataRequired(REQUIRED), Length(max=120)])
    jabatan = StringField("Jabatan", validators=[DataRequired(REQUIRED), Length(max=120)])
    alasan = TextAreaField("Alasan mengajukan pensiun dini", validators=[DataRequired(REQUIRED), Length(max=2000)])


# ---------------------------------------------------------------------------
# The age and service rule
# ---------------------------------------------------------------------------


def as_date(value) -> dt.date | None:
    """A date from the stored form data (ISO string) or a date object; None when absent or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def span(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Whole years and remaining whole months from ``start`` to ``end``."""
    delta = relativedelta(end, start)
    return delta.years, delta.months


def span_text(years: int, months: int) -> str:
    """``48 tahun 3 bulan``; zero parts are left out (``50 tahun``, ``5 bulan``)."""
    parts = []
    if years:
        parts.append(f"{years} tahun")
    if months or not years:
        parts.append(f"{months} bulan")
    return " ".join(parts)


def age_and_service(data) -> dict[str, str]:
    """Seed requirement 3: "Umur minimal 50 Tahun dan memiliki masa kerja keseluruhan 20 tahun".

    Age is counted at the submission date, total service from TMT CPNS to the
    same date.  Messages name the computed values, so the applicant sees at
    once how far off they are.
    """
    on = today()
    errors: dict[str, str] = {}
    born = as_date(data.get("tanggal_lahir"))
    tmt = as_date(data.get("tmt_cpns"))
    if born is None:
        errors["tanggal_lahir"] = REQUIRED
    elif born > on:
        errors["tanggal_lahir"] = "Tanggal lahir tidak boleh melewati tanggal hari ini."
    else:
        years, months = span(born, on)
        if years < MIN_AGE_YEARS:
            errors["tanggal_lahir"] = (f"Umur Anda {span_text(years, months)}; pensiun dini mensyaratkan umur "
                                       f"minimal {MIN_AGE_YEARS} tahun.")
    if tmt is None:
        errors["tmt_cpns"] = REQUIRED
    elif tmt > on:
        errors["tmt_cpns"] = "TMT CPNS tidak boleh melewati tanggal hari ini."
    elif born is not None and born <= on and tmt < born + relativedelta(years=MIN_AGE_AT_CPNS):
        errors["tmt_cpns"] = (f"TMT CPNS {tmt:%d-%m-%Y} jatuh sebelum Anda berumur {MIN_AGE_AT_CPNS} tahun "
                              f"(lahir {born:%d-%m-%Y}). Periksa kembali tanggal lahir dan TMT CPNS.")
    else:
        years, months = span(tmt, on)
        if years < MIN_SERVICE_YEARS:
            errors["tmt_cpns"] = (f"Masa kerja Anda {span_text(years, months)} (sejak TMT CPNS {tmt:%d-%m-%Y}); "
                                  f"pensiun dini mensyaratkan masa kerja keseluruhan minimal "
                                  f"{MIN_SERVICE_YEARS} tahun.")
    return errors


# ---------------------------------------------------------------------------
# The dates against the NIP
# ---------------------------------------------------------------------------

NIP_MISSING = ("NIP belum tercatat di profil Anda. Usulan pensiun dini memerlukan NIP 18 digit (tanggal lahir dan "
               "TMT CPNS diperiksa terhadap NIP): lengkapi NIP di halaman Profil, lalu ajukan kembali.")


def nip_parts(nip: str) -> tuple[dt.date | None, tuple[int, int] | None]:
    """What an 18-digit NIP (PP 11/2017 layout) says: digits 1-8 the birth date (YYYYMMDD) and
    digits 9-14 the year and month of the CPNS appointment (YYYYMM); 15 is the sex, 16-18 a
    serial number.  Parts that are not a real date come back as None."""
    nip = (nip or "").replace(" ", "")
    if len(nip) != 18 or not nip.isdigit():
        return None, None
    try:
        born = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        born = None
    year, month = int(nip[8:12]), int(nip[12:14])
    return born, ((year, month) if 1 <= month <= 12 else None)


def check_against_nip(data, nip: str) -> dict[str, str]:
    """The typed tanggal lahir and TMT CPNS must agree with the NIP in the applicant's profile."""
    errors: dict[str, str] = {}
    nip = (nip or "").replace(" ", "")
    nip_born, nip_tmt = nip_parts(nip)
    born, tmt = as_date(data.get("tanggal_lahir")), as_date(data.get("tmt_cpns"))
    if born is not None and nip_born is not None and born != nip_born:
        errors["tanggal_lahir"] = (
            f"Tanggal lahir {born:%d-%m-%Y} tidak sesuai dengan NIP Anda ({nip}): digit ke-1 sampai ke-8 NIP "
            f"menunjukkan tanggal lahir {nip_born:%d-%m-%Y}. Periksa kembali tanggal lahir, atau perbaiki NIP di "
            f"halaman Profil bila NIP yang salah.")
    if tmt is not None and nip_tmt is not None and (tmt.year, tmt.month) != nip_tmt:
        year, month = nip_tmt
        errors["tmt_cpns"] = (
            f"TMT CPNS {tmt:%d-%m-%Y} tidak sesuai dengan NIP Anda ({nip}): digit ke-9 sampai ke-14 NIP "
            f"menunjukkan TMT CPNS {bulan_tahun(dt.date(year, month, 1))}. Periksa kembali TMT CPNS sesuai SK CPNS, atau "
            f"perbaiki NIP di halaman Profil bila NIP yang salah.")
    return errors


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------

SCAN_NOTE = "Hasil scan, foto tidak diperkenankan"
SCAN_MB = 2

# The seed lists 14 "persyaratan".  Item 3, "Umur minimal 50 Tahun dan memiliki
# masa kerja keseluruhan 20 tahun", is a condition, not a document: it is
# checked from the tanggal lahir and TMT CPNS fields by ``age_and_service``
# (declared in ``validators``), so the remaining 13 items are the uploads.
REQUIREMENTS = [
    Requirement("surat_pengantar", "Surat Pengantar dari Pimpinan Unit Kerja / Atasan Langsung",
                max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("surat_permohonan", "Surat permohonan dari yang bersangkutan kepada Direktur Bermaterai 6000",
                max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("kartu_pegawai", "Foto Copy Kartu Pegawai", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("ijazah_cpns", "Foto Copy Ijazah pada pengangkatan pertama (CPNS)", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("ktp_ksk", "Foto Copy KTP dan Kartu Susunan keluarga (KSK) Legalisir", max_mb=SCAN_MB,
                note=SCAN_NOTE),
    # Only applicants with children under 25 still at school have such a document.
    Requirement("akta_anak", "Fotocopy Akta kelahiran anak dibawah umur 25 tahun yang masih sekolah dilegalisir",
                required=False, max_mb=SCAN_MB,
                note=SCAN_NOTE + ". Hanya jika memiliki anak di bawah umur 25 tahun yang masih sekolah; "
                                 "beberapa akta digabung dalam satu PDF"),
    Requirement("konversi_nip", "Foto Copy Konversi NIP Baru", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("bebas_hukuman_disiplin", "Surat Keterangan tidak pernah dijatuhi hukuman disiplin ringan atau "
                "berat dari pimpinan instansi", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("dpcp", "Data perorangan Calon Penerima Pensiun (DPCP)", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("kp4", "Surat keterangan mendapatkan tunjangan keluarga (KP4)", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("keterangan_kesehatan", "Surat Keterangan dari tim penguji kesehatan (RS Pemerintah)",
                max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("bebas_hutang", "Surat pernyataan bermaterai 6000 dari kepala bagian umum dan keuangan bahwa yang "
                "bersangkutan tidak mempunyai hutang piutang", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("pas_foto", "Pas Foto berwarna 3 x 4 sebanyak 10 Lembar Masing Masing persyaratan 4 (empat) set",
                types=("jpg", "png"), max_mb=1,
                note="Unggah satu pas foto digital; cetakan pas foto dan berkas persyaratan sebanyak 4 (empat) set "
                     "diserahkan ke ULT"),
]

# The institution's contact from its profile (edited by the administrator), with the Humas e-mail the
# seed names: read when the page is shown, so it follows the profile.
CONTACT = partial(contact_text, "humas@polije.ac.id")

SARANA = ("Aplikasi Pelayanan Terpadu PINTU (http://pintu.polije.ac.id) untuk registrasi, pengunggahan "
          "persyaratan dan pelacakan; Kantor Pusat Informasi dan Layanan Terpadu Politeknik Negeri Jember "
          "untuk layanan langsung dan pengambilan produk.")

SERVICE = Service(
    documents=[Document("surat_pengantar", "Surat Pengantar Usulan Pensiun Dini", "pensiun_dini/surat_pengantar.html",
                       step="persetujuan", action="setujui", number_scheme="{seq:03d}/PL17/KP/{year}")],
    slug=SLUG,
    code="PSD",
    title="Usulan Pensiun Dini",
    category="Kepegawaian",
    summary="Layanan bagi Pegawai Negeri Sipil (PNS) dan Calon Pegawai Negeri Sipil (CPNS) yang bermaksud "
            "mengajukan pensiun dini. Setelah verifikasi dokumen dan persetujuan pimpinan, pemohon menerima surat "
            "pengantar sebagai bukti bahwa pengajuan pensiun dini telah diterima.",
    applicant_categories=("pegawai", "dosen"),
    form=PensiunDiniForm,
    requirements=REQUIREMENTS,
    # The dates are checked against the profile NIP, then the age and service rule is applied
    # (``pintu_validate_application`` below), so a typing error is named as such.
    nip_missing_message=NIP_MISSING,
    eligibility=[
        f"Berumur minimal {MIN_AGE_YEARS} tahun dan memiliki masa kerja keseluruhan minimal {MIN_SERVICE_YEARS} "
        "tahun (sejak TMT CPNS), dihitung pada tanggal pengajuan.",
        "NIP 18 digit tercatat di profil akun; tanggal lahir dan TMT CPNS yang diisi harus sesuai dengan NIP.",
    ],
    max_total_mb=30,
    steps=standard_steps(
        Step("verifikasi", "Verifikasi persyaratan oleh Subbagian Kepegawaian", role="verifikator",
             unit="kepegawaian", description="Subbagian Kepegawaian memverifikasi dokumen persyaratan",
             actions=[approve("Memenuhi syarat", "memenuhi_syarat",
                              message="Persyaratan dinyatakan memenuhi syarat oleh Subbagian Kepegawaian"),
                      send_back(), refuse()]),
        Step("persetujuan", "Persetujuan pimpinan dan penerbitan surat pengantar", role="pimpinan",
             description="Pimpinan menyetujui usulan dan menandatangani surat pengantar",
             actions=[approve("Setujui, terbitkan surat pengantar", "setujui",
                              message="Usulan disetujui; surat pengantar usulan pensiun dini siap diambil di ULT"),
                      refuse()]),
        ready_title="Surat pengantar siap diambil di ULT",
        ready_description="Tembusan surat pengantar usulan pensiun dini dapat diambil di Unit Layanan Terpadu",
    ),
    # The seed publishes no completion time; 14 working days is this
    # installation's setting for the institution to adjust.
    completion_days=14,
    # The full standard (PermenPAN-RB 15/2014).  Seed 000 names only the facilities among the eight
    # manufacturing components; the others stay unset and read "Belum ditetapkan" (never invented).
    manufacturing={"sarana_prasarana": SARANA},
    responsible_unit="Subbagian Kepegawaian",
    source="Layanan unggulan PINTU Politeknik Negeri Jember, no. 1",
    notes=["Sumber (PINTU Politeknik Negeri Jember) tidak mencantumkan jangka waktu penyelesaian layanan ini."],
    fee="Tidak dipungut biaya",
    product="Surat pengantar usulan pensiun dini (tembusan)",
    procedure=[
        "Pemohon melakukan registrasi melalui situs resmi http://Pintu.polije.ac.id atau datang langsung ke Kantor "
        "Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Kelengkapan dokumen administrasi diperiksa oleh unit layanan terpadu.",
        "Setelah dinyatakan lengkap, dokumen diverifikasi oleh bagian kepegawaian.",
        "Jika semua persyaratan terpenuhi, pemohon menerima surat pengantar permohonan pensiun dini.",
        "Pemohon dapat mengambil tembusan surat pengantar permohonan pensiun dini di unit layanan terpadu.",
    ],
    complaint_channel=CONTACT,
    contact=CONTACT,
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


@hookimpl
def pintu_validate_application(service, data, applicant, application):
    """Dates that disagree with the NIP are reported as such; the age and service rule is applied to
    the dates that agree (the core has already required an 18-digit NIP)."""
    errors = check_against_nip(data, applicant.id_number)
    for key, message in age_and_service(data).items():
        errors.setdefault(key, message)
    return errors


def reference_date(application) -> dt.date:
    """The date age and service are counted at: the submission (its WIB date), or today for a draft."""

    return local_date(application.submitted_at)  # None (a draft): today


@hookimpl
def pintu_application_panels(application, service, viewer):
    data = application.data or {}
    born, tmt = as_date(data.get("tanggal_lahir")), as_date(data.get("tmt_cpns"))
    on = reference_date(application)
    age = span(born, on) if born and born <= on else None
    work = span(tmt, on) if tmt and tmt <= on else None
    eligible = bool(age and work and age[0] >= MIN_AGE_YEARS and work[0] >= MIN_SERVICE_YEARS)
    html = render_template("pensiun_dini/detail.html", application=application, born=born, tmt=tmt, on=on,
                           age=span_text(*age) if age else None, work=span_text(*work) if work else None,
                           eligible=eligible, min_age=MIN_AGE_YEARS, min_service=MIN_SERVICE_YEARS)
    return [("Umur dan masa kerja", Markup(html))]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

# A 1x1 PNG for the demo pas foto (the demo helpers only provide a PDF).
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def demo_files() -> dict:
    files = {r.key: sample_pdf(f"{r.key}.pdf") for r in REQUIREMENTS if "pdf" in r.types}
    files["pas_foto"] = FileStorage(io.BytesIO(_PNG), filename="pas_foto.png", content_type="image/png")
    return files


@hookimpl
def pintu_demo_data(applicants, staff):
    pegawai = applicants["pegawai"]
    # Matches the demo account's NIP 197001011995031001: born 1 Jan 1970, CPNS March 1995.
    data = {"tanggal_lahir": "1970-01-01", "tmt_cpns": "1995-03-01", "unit_kerja": "Jurusan Teknologi Informasi",
            "jabatan": "Pengadministrasi Umum", "alasan": "Alasan keluarga: merawat orang tua yang sakit."}
    petugas, kepeg, pimpinan = staff["petugas"], staff["verifikator:kepegawaian"], staff["pimpinan"]
    lengkap = (petugas, "lengkap", "")
    memenuhi = (kepeg, "memenuhi_syarat", "")

    def make(steps=(), submit=True):
        demo_application(SERVICE, pegawai, data, demo_files(), list(steps), submit=submit)

    make(submit=False)                                    # draft
    make()                                                # submitted, waiting at the ULT
    make([lengkap])                                       # at Subbagian Kepegawaian
    make([lengkap, memenuhi])                             # at the leadership
    make([lengkap, (kepeg, "refuse", "Berdasarkan data kepegawaian, yang bersangkutan sedang menjalani hukuman "
                                     "disiplin tingkat sedang sehingga belum dapat diusulkan pensiun dini.")])
    make([lengkap, (kepeg, "return", "DPCP belum ditandatangani. Unggah ulang DPCP yang telah ditandatangani.")])
    make([lengkap, memenuhi, (pimpinan, "setujui", "")])  # ready for pickup
