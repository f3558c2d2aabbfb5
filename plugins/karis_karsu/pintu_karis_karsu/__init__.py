"""PINTU plugin: Usul Kartu Istri/Suami, Karis/Karsu (PINTU Polije, layanan 7).

A CPNS or PNS (applicant categories ``pegawai`` and ``dosen``) proposes the
Kartu Istri (Karis) or Kartu Suami (Karsu) for the spouse.  The ULT checks
completeness, the Subbagian Kepegawaian verifies, the leadership approves or
refuses with a reason and the applicant collects the covering letter at the ULT.

The Laporan Perkawinan Pertama (LPP) is either uploaded as a signed scan or
filled in on the form, in which case it is generated as a PDF from the stored
data (:mod:`pintu_karis_karsu.lpp`) and downloadable from the application page.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from pintu import (Document, Requirement, Service, Step, approve, audit, hookimpl, refuse, send_back,
                   standard_steps)

SLUG = "kartu-istri-suami"
REQUIRED = "Wajib diisi."
LPP_REQUIRED = "Wajib diisi karena LPP diisi di formulir ini."
#: spouse -> (short name, card name) of the card proposed.
KARTU = {"istri": ("Karis", "Kartu Istri"), "suami": ("Karsu", "Kartu Suami")}

NIP_MISSING = ("NIP belum tercatat di profil Anda. Usul Kartu Istri/Suami memerlukan NIP 18 digit: lengkapi NIP "
               "pada menu Profil, lalu ajukan kembali permohonan ini.")
LPP_UPLOAD_MISSING = ("Laporan Perkawinan Pertama (LPP) belum diunggah. Unggah LPP yang sudah diisi dan "
                      "ditandatangani, atau pilih \"Isi formulir LPP di sini\" dan lengkapi isian LPP.")
LPP_FIELDS_MISSING = ("Isian Laporan Perkawinan Pertama (LPP) belum lengkap. Lengkapi isian yang ditandai, atau "
                      "pilih \"Unggah LPP yang sudah ditandatangani\" dan unggah berkasnya.")


class TanggalField(DateField):
    """A date input with Indonesian messages; empty is left to the validators (``Optional`` here).

    Besides the browser's ISO format, the usual ``hh-bb-tttt`` / ``hh/bb/tttt`` typing is accepted.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
                         invalid_value_message="Tanggal tidak valid. Gunakan format hh-bb-tttt, mis. 17-08-1990.",
                         **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


LPP_NOTE = "Wajib jika LPP diisi di formulir ini."


class KarisKarsuForm(FlaskForm):
    pasangan = SelectField("Kartu yang diusulkan", choices=[
        ("", "— Pilih —"), ("istri", "Karis (Kartu Istri): pasangan saya istri"),
        ("suami", "Karsu (Kartu Suami): pasangan saya suami")],
        validators=[DataRequired("Pilih Karis (untuk istri) atau Karsu (untuk suami).")])
    cara_lpp = RadioField("Laporan Perkawinan Pertama (LPP)", choices=[
        ("isi", "Isi formulir LPP di sini; PINTU membuatkan PDF LPP dari isian Anda"),
        ("unggah", "Unggah LPP yang sudah diisi dan ditandatangani (butir 5 pada bagian unggah persyaratan)")],
        validate_choice=False,
        validators=[DataRequired("Pilih cara melengkapi LPP: isi di sini atau unggah LPP yang sudah "
                                 "ditandatangani."),
                    AnyOf(("isi", "unggah"), "Pilih cara melengkapi LPP: isi di sini atau unggah LPP yang sudah "
                                             "ditandatangani.")])
    # Data pegawai (name and NIP come from the profile)
    unit_kerja = StringField("Unit kerja", validators=[DataRequired(REQUIRED), Length(max=120)])
    pangkat_golongan = StringField("Pangkat / golongan ruang", validators=[DataRequired(REQUIRED), Length(max=60)],
                                   description="Contoh: Penata Muda / III-a. CPNS: tulis golongan ruang.")
    jabatan = StringField("Jabatan", validators=[DataRequired(REQUIRED), Length(max=120)])
    tempat_lahir_pegawai = StringField("Tempat lahir pegawai", validators=[Optional(), Length(max=80)],
                                       description=LPP_NOTE)
    tanggal_lahir_pegawai = TanggalField("Tanggal lahir pegawai", validators=[Optional()], description=LPP_NOTE)
    alamat = TextAreaField("Alamat tempat tinggal", validators=[Optional(), Length(max=300)], description=LPP_NOTE)
    # Data suami/istri
    nama_pasangan = StringField("Nama suami/istri", validators=[DataRequired(REQUIRED), Length(max=120)],
                                description="Sesuai akta nikah.")
    tempat_lahir_pasangan = StringField("Tempat lahir suami/istri", validators=[Optional(), Length(max=80)],
                                        description=LPP_NOTE)
    tanggal_lahir_pasangan = TanggalField("Tanggal lahir suami/istri", validators=[Optional()],
                                          description=LPP_NOTE)
    pekerjaan_pasangan = StringField("Pekerjaan suami/istri", validators=[Optional(), Length(max=120)],
                                     description=LPP_NOTE + " Jika PNS, tulis juga NIP-nya.")
    tanggal_perkawinan = TanggalField("Tanggal perkawinan", validators=[Optional()], description=LPP_NOTE)
    tempat_perkawinan = StringField("Tempat perkawinan", validators=[Optional(), Length(max=120)],
                                    description=LPP_NOTE + " Contoh: KUA Kecamatan Sumbersari, Jember.")
    nomor_akta_nikah = StringField("Nomor akta nikah", validators=[Optional(), Length(max=60)],
                                   description=LPP_NOTE)


#: The fields the generated LPP needs (besides those every application needs).
LPP_FIELDS = ("tempat_lahir_pegawai", "tanggal_lahir_pegawai", "alamat", "tempat_lahir_pasangan",
              "tanggal_lahir_pasangan", "pekerjaan_pasangan", "tanggal_perkawinan", "tempat_perkawinan",
              "nomor_akta_nikah")


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


def fills_lpp(data) -> bool:
    """True when the applicant fills the LPP in on the form (rather than uploading it)."""
    return (data or {}).get("cara_lpp") == "isi"


def kartu(data) -> tuple[str, str]:
    """("Karis", "Kartu Istri") or ("Karsu", "Kartu Suami") from the spouse field; ("Karis/Karsu", ...) if unset."""
    return KARTU.get((data or {}).get("pasangan"), ("Karis/Karsu", "Kartu Istri/Suami"))


def lpp_filled(data) -> dict[str, str]:
    """Either the LPP is uploaded (``Requirement.condition`` of ``lpp``) or its fields are filled in here."""
    if not fills_lpp(data):
        return {}
    errors = {name: LPP_REQUIRED for name in LPP_FIELDS if not str(data.get(name) or "").strip()}
    wed = as_date(data.get("tanggal_perkawinan"))
    if wed and wed > today():
        errors["tanggal_perkawinan"] = "Tanggal perkawinan tidak boleh melewati tanggal hari ini."
    for name, who in (("tanggal_lahir_pegawai", "pegawai"), ("tanggal_lahir_pasangan", "suami/istri")):
        born = as_date(data.get(name))
        if born and born > today():
            errors[name] = "Tanggal lahir tidak boleh melewati tanggal hari ini."
        elif born and wed and born >= wed:
            errors[name] = f"Tanggal lahir {who} harus sebelum tanggal perkawinan ({wed:%d-%m-%Y})."
    if errors:
        errors["__all__"] = LPP_FIELDS_MISSING
    return errors


SCAN_NOTE = "Hasil scan, foto tidak diperkenankan"
SCAN_MB = 2

# The five documents of the seed (layanan 7), labels verbatim.
REQUIREMENTS = [
    Requirement("surat_keterangan_atasan", "Surat Keterangan dari atasan langsung", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("surat_permohonan", "Surat permohonan resmi yang ditujukan kepada Direktur Politeknik Negeri "
                "Jember", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("akta_nikah", "Fotokopi akta nikah yang telah dilegalisir", max_mb=SCAN_MB, note=SCAN_NOTE),
    Requirement("pas_foto", "Pas foto suami/istri berukuran 3x4 sebanyak 4 lembar", types=("jpg", "png"), max_mb=1,
                note="Unggah satu pas foto digital suami/istri; cetakan pas foto 4 lembar diserahkan ke ULT"),
    Requirement("lpp", "Laporan Perkawinan Pertama (formulir terlampir)", max_mb=SCAN_MB,
                condition=lambda data: not fills_lpp(data), missing_message=LPP_UPLOAD_MISSING,
                note=SCAN_NOTE + ". Wajib jika memilih mengunggah LPP; tidak perlu jika LPP diisi di formulir ini"),
]

CONTACT = "Telp: (0331)-333533 Ext. 160/221, Email: pintu@polije.ac.id atau humas@polije.ac.id"
PRODUCT = "Surat pengantar usulan Kartu Istri/Suami"

SERVICE = Service(
    documents=[Document("surat_pengantar", "Surat Pengantar Usulan Kartu Istri / Suami",
                       "karis_karsu/surat_pengantar.html", step="persetujuan", action="setujui", number_scheme="{seq:03d}/PL17/KP/{year}")],
    slug=SLUG,
    code="KIS",
    title="Usul Kartu Istri/Suami (Karis/Karsu)",
    category="Kepegawaian",
    summary="Layanan bagi Calon Pegawai Negeri Sipil (CPNS) dan Pegawai Negeri Sipil (PNS) di Politeknik Negeri "
            "Jember yang membutuhkan Kartu Istri (Karis) atau Kartu Suami (Karsu). Laporan Perkawinan Pertama "
            "dapat diunggah atau diisi langsung di formulir.",
    applicant_categories=("pegawai", "dosen"),
    form=KarisKarsuForm,
    requirements=REQUIREMENTS,
    validators=[lpp_filled],
    steps=standard_steps(
        Step("verifikasi", "Verifikasi dokumen oleh Subbagian Kepegawaian", role="verifikator", unit="kepegawaian",
             description="Subbagian Kepegawaian memverifikasi dokumen untuk memastikan semua persyaratan terpenuhi",
             actions=[approve("Memenuhi syarat", "memenuhi_syarat",
                              message="Dokumen dinyatakan memenuhi syarat oleh Subbagian Kepegawaian"),
                      send_back(), refuse()]),
        Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
             description="Pimpinan menyetujui usulan dan menandatangani surat pengantar usulan Kartu Istri/Suami",
             actions=[approve("Setujui, terbitkan surat pengantar", "setujui",
                              message="Usulan disetujui pimpinan; surat pengantar usulan Kartu Istri/Suami "
                                      "diterbitkan"),
                      refuse()]),
        ready_title="Surat pengantar siap diambil di ULT",
        ready_description="Surat pengantar usulan Kartu Istri/Suami dapat diambil di Unit Layanan Terpadu",
    ),
    # The seed publishes no completion time; 5 working days is this
    # installation's setting for the institution to adjust.
    completion_days=5,
    fee="Tidak dipungut biaya",
    product=PRODUCT,
    procedure=[
        "Registrasi: pemohon melakukan registrasi terlebih dahulu melalui http://Pintu.polije.ac.id atau dengan "
        "datang langsung ke Kantor Pusat Informasi dan Pelayanan Terpadu Politeknik Negeri Jember.",
        "Pemeriksaan berkas: petugas Unit Layanan Terpadu memeriksa kelengkapan berkas administrasi.",
        "Verifikasi dokumen: dokumen diverifikasi oleh Subbagian Kepegawaian untuk memastikan semua persyaratan "
        "telah terpenuhi.",
        "Pimpinan menyetujui usulan; jika tidak disetujui, alasannya dapat dibaca pada menu tracking.",
        "Penerbitan surat pengantar: pemohon mengambil surat pengantar usulan Kartu Istri/Suami di Unit Layanan "
        "Terpadu.",
        "Laporan Perkawinan Pertama dapat diunggah (sudah ditandatangani) atau diisi langsung pada formulir "
        "permohonan; PINTU membuatkan PDF-nya.",
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


@hookimpl
def pintu_application_panels(application, service, viewer):
    data = application.data or {}
    html = render_template("karis_karsu/detail.html", application=application, service=service,
                           kartu=kartu(data), fills_lpp=fills_lpp(data),
                           staff_view=application.applicant_id != viewer.id)
    short, name = kartu(data)
    return [(f"Usul {name} ({short})", Markup(html))]


# ---------------------------------------------------------------------------
# The generated LPP
# ---------------------------------------------------------------------------

bp = Blueprint("karis_karsu", __name__)


@bp.route("/karis-karsu/permohonan/<int:app_id>/lpp.pdf")
@login_required
def lpp_pdf(app_id):
    """The LPP generated from the stored form data, for whoever may see the application."""
    from pintu.access import application_or_404

    from .lpp import render_lpp

    application = application_or_404(app_id)
    if application.service != SLUG or not fills_lpp(application.data):
        abort(404)
    content = render_lpp(application, city=current_app.config.get("LPP_CITY", "Jember"))
    name = f"LPP-{application.reference or 'draf-' + str(application.id)}.pdf"
    audit.record("document.download", application, document="LPP")
    response = send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@hookimpl
def pintu_blueprints():
    return [bp]


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

# A 1x1 PNG for the demo pas foto (the demo helpers only provide a PDF).
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

DEMO_LPP = {"tempat_lahir_pegawai": "Jember", "tanggal_lahir_pegawai": "1970-01-01",
            "alamat": "Jl. Mastrip No. 164, Sumbersari, Jember", "tempat_lahir_pasangan": "Bondowoso",
            "tanggal_lahir_pasangan": "1972-04-12", "pekerjaan_pasangan": "Guru SD Negeri 2 Sumbersari",
            "tanggal_perkawinan": "1996-06-20", "tempat_perkawinan": "KUA Kecamatan Sumbersari, Jember",
            "nomor_akta_nikah": "245/17/VI/1996"}


def demo_files(upload_lpp: bool) -> dict:
    from pintu import demo_support

    files = {r.key: demo_support.sample_pdf(f"{r.key}.pdf") for r in REQUIREMENTS
             if "pdf" in r.types and (r.key != "lpp" or upload_lpp)}
    files["pas_foto"] = FileStorage(io.BytesIO(_PNG), filename="pas_foto.png", content_type="image/png")
    return files


@hookimpl
def pintu_demo_data(applicants, staff):
    from pintu import demo_support

    petugas, kepeg, pimpinan = staff["petugas"], staff["verifikator:kepegawaian"], staff["pimpinan"]
    lengkap = (petugas, "lengkap", "")
    memenuhi = (kepeg, "memenuhi_syarat", "")
    setujui = (pimpinan, "setujui", "")

    def make(who, steps=(), submit=True, upload_lpp=False, **changes):
        data = {"pasangan": "istri" if who == "pegawai" else "suami", "cara_lpp": "unggah" if upload_lpp else "isi",
                "unit_kerja": "Jurusan Teknologi Informasi", "pangkat_golongan": "Penata Muda / III-a",
                "jabatan": "Pengadministrasi Umum",
                "nama_pasangan": "Siti Aminah" if who == "pegawai" else "Bambang Wijaya",
                **({} if upload_lpp else DEMO_LPP), **changes}
        demo_support.application(SERVICE, applicants[who], data, demo_files(upload_lpp), list(steps), submit=submit)

    make("pegawai", submit=False)                                        # draft, LPP filled in
    make("dosen", upload_lpp=True, jabatan="Lektor")                     # waiting at the ULT, LPP uploaded
    make("pegawai", [lengkap])                                           # at Subbagian Kepegawaian
    make("dosen", [lengkap, memenuhi], jabatan="Lektor", tanggal_lahir_pegawai="1980-05-05",
         tanggal_lahir_pasangan="1978-09-30", tanggal_perkawinan="2008-02-14")  # at the leadership
    make("pegawai", [lengkap, (kepeg, "return", "Akta nikah belum dilegalisir. Unggah fotokopi akta nikah yang "
                                                "telah dilegalisir KUA.")], upload_lpp=True)
    make("dosen", [lengkap, (kepeg, "refuse", "Perkawinan ini bukan perkawinan pertama; ajukan dengan laporan "
                                              "perkawinan janda/duda sesuai ketentuan BKN.")], upload_lpp=True)
    make("pegawai", [lengkap, memenuhi, setujui])                        # ready for pickup
    make("dosen", [lengkap, memenuhi, setujui, (petugas, "taken", "")], upload_lpp=True)  # done
