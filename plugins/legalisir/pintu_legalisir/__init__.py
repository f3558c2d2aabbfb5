"""PINTU plugin: Legalisir Ijazah dan Transkrip Akademik (PINTU Polije, layanan 9)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from pintu import (approve, contact_text, demo_application, hookimpl, refuse, Requirement, sample_pdf, send_back,
                   Service, standard_steps, Step, today)


REQUIRED = "Wajib diisi."


def graduation_year_range(form, field):
    """1976 up to this year, read when the form is checked (WIB, not the year the process started in)."""

    if field.data is not None and not 1976 <= field.data <= today().year:
        raise ValidationError("Tahun lulus harus antara 1976 dan tahun ini.")


class LegalisirForm(FlaskForm):
    nim = StringField("NIM", validators=[DataRequired(REQUIRED), Length(max=20)])
    program_studi = StringField("Program studi", validators=[DataRequired(REQUIRED), Length(max=120)])
    tahun_lulus = IntegerField("Tahun lulus", validators=[
        DataRequired("Wajib diisi dengan angka tahun, mis. 2020."),
        graduation_year_range])
    jumlah_ijazah = IntegerField("Jumlah lembar legalisir ijazah", default=3, validators=[
        NumberRange(0, 10, "Jumlah legalisir 0 sampai 10 lembar.")])
    jumlah_transkrip = IntegerField("Jumlah lembar legalisir transkrip", default=3, validators=[
        NumberRange(0, 10, "Jumlah legalisir 0 sampai 10 lembar.")])
    keperluan = SelectField("Keperluan", choices=[
        ("melamar_kerja", "Melamar pekerjaan"), ("studi_lanjut", "Melanjutkan studi"),
        ("kenaikan_pangkat", "Kenaikan pangkat / jabatan"), ("lainnya", "Lainnya")])


def at_least_one_copy(data):
    if not (data.get("jumlah_ijazah") or 0) and not (data.get("jumlah_transkrip") or 0):
        return {"jumlah_ijazah": "Isi sekurang-kurangnya satu lembar legalisir ijazah atau transkrip."}
    return {}


SCAN_NOTE = "Hasil scan, foto tidak diperkenankan"

SARANA = ("Aplikasi Pelayanan Terpadu PINTU (http://pintu.polije.ac.id) untuk registrasi, pengunggahan "
          "persyaratan dan pelacakan; Kantor Pusat Informasi dan Layanan Terpadu Politeknik Negeri Jember "
          "untuk layanan langsung dan pengambilan produk.")

SERVICE = Service(
    slug="legalisir",
    code="LGS",
    title="Legalisir Ijazah dan Transkrip Akademik",
    category="Akademik",
    summary="Legalisasi ijazah dan transkrip akademik bagi lulusan untuk keperluan administrasi, pekerjaan "
            "dan melanjutkan pendidikan.",
    applicant_categories=("mahasiswa", "pegawai", "dosen", "masyarakat"),
    form=LegalisirForm,
    requirements=[
        Requirement("ijazah", "Berkas ijazah", types=("pdf",), max_mb=5, note=SCAN_NOTE),
        Requirement("transkrip", "Berkas transkrip akademik", types=("pdf",), max_mb=5, note=SCAN_NOTE),
    ],
    validators=[at_least_one_copy],
    steps=standard_steps(
        Step("verifikasi", "Verifikasi dokumen dan proses legalisir oleh Bagian Akademik", role="verifikator",
             unit="akademik", description="Bagian Akademik memverifikasi dokumen dan melakukan legalisir",
             actions=[approve("Legalisir selesai, serahkan ke ULT", "legalised",
                              message="Legalisir selesai dan diserahkan ke ULT"),
                      send_back(), refuse()]),
        ready_title="Legalisir siap diambil di ULT",
        ready_description="Ijazah dan transkrip yang telah dilegalisir dapat diambil di ULT",
    ),
    completion_days=3,
    # The full standard (PermenPAN-RB 15/2014).  Seed 000 names only the facilities among the eight
    # manufacturing components; the others stay unset and read "Belum ditetapkan" (never invented).
    manufacturing={"sarana_prasarana": SARANA},
    responsible_unit="Bagian Akademik",
    source="Layanan unggulan PINTU Politeknik Negeri Jember, no. 9",
    notes=["Sumber (PINTU Politeknik Negeri Jember) tidak mencantumkan jangka waktu penyelesaian layanan ini."],
    fee="Tidak dipungut biaya",
    product="Ijazah dan transkrip akademik yang telah dilegalisir",
    procedure=[
        "Pemohon melakukan registrasi di PINTU atau datang langsung ke Kantor PINTU.",
        "Unit Layanan Terpadu memeriksa kelengkapan berkas administrasi.",
        "Bagian Akademik memverifikasi dokumen persyaratan.",
        "Bagian Akademik melakukan proses legalisir dan menyerahkannya kepada ULT.",
        "Operator ULT mengirimkan notifikasi melalui aplikasi dan e-mail bahwa legalisir telah selesai.",
        "Pemohon mengambil berkas ijazah dan transkrip yang telah dilegalisir di ULT.",
    ],
    complaint_channel=partial(contact_text, "humas@polije.ac.id"),  # the profile's contact
    template_detail="legalisir/detail.html",
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_units():
    return [("akademik", "Bagian Akademik")]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def pintu_demo_data(applicants, staff):
    alumni = applicants["mahasiswa"]
    data = {"nim": "E31170001", "program_studi": "Teknik Informatika", "tahun_lulus": 2021, "jumlah_ijazah": 3,
            "jumlah_transkrip": 3, "keperluan": "melamar_kerja"}
    files = {"ijazah": sample_pdf("ijazah.pdf"), "transkrip": sample_pdf("transkrip.pdf")}
    demo_application(SERVICE, alumni, data, files, submit=False)
    demo_application(SERVICE, alumni, data, files, [])
    demo_application(SERVICE, alumni, data, files, [(staff["petugas"], "lengkap", "")])
    demo_application(SERVICE, alumni, data, files,
                             [(staff["petugas"], "lengkap", ""), (staff["verifikator:akademik"], "legalised", "")])
    demo_application(SERVICE, alumni, data, files,
                             [(staff["petugas"], "return", "Scan ijazah buram, mohon unggah ulang hasil scan.")])
