"""Forms of the published standard: the institution profile and the Maklumat (administrator) and the
satisfaction survey (applicant)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from pintu.standards import institution, survey

REQUIRED = "Wajib diisi."
URL = Regexp(r"^https?://\S+$", message="Tulis alamat lengkap yang diawali https://")


def _hours(form, field):
    try:
        institution.parse_hours(field.data)
    except ValueError as err:
        raise ValidationError(str(err)) from None


def _closures(form, field):
    try:
        institution.parse_closures(field.data)
    except ValueError as err:
        raise ValidationError(str(err)) from None


class ProfileAdminForm(FlaskForm):
    name = StringField("Nama instansi", validators=[DataRequired(REQUIRED), Length(max=200)])
    address = TextAreaField("Alamat", validators=[Length(max=300)])
    map_url = StringField("Tautan peta lokasi", validators=[Optional(), URL, Length(max=500)],
                          description="Mis. tautan Google Maps atau OpenStreetMap ke kantor layanan.")
    phone = StringField("Telepon", validators=[Length(max=100)])
    email = StringField("E-mail", validators=[Optional(), Email("Alamat e-mail tidak valid."), Length(max=254)])
    website = StringField("Situs web", validators=[Optional(), URL, Length(max=300)])
    office_hours_text = TextAreaField("Jam layanan (teks yang diumumkan)", validators=[Length(max=500)])
    closures = TextAreaField(
        "Libur tambahan (cuti bersama, libur kampus)", validators=[_closures],
        description="Satu tanggal per baris, mis. 2026-12-24 Cuti bersama Natal. Dihitung sebagai hari libur "
                    "oleh jam layanan dan batas waktu penyelesaian.")
    logo = FileField("Logo (PNG atau JPG, maks. 1 MB)")
    remove_logo = BooleanField("Hapus logo")


for _number, _day in enumerate(institution.DAYS):
    setattr(ProfileAdminForm, f"hours_{_number}", StringField(
        f"Jam buka {_day}", validators=[_hours, Length(max=100)],
        description="Mis. 08.00-12.00, 13.00-16.00 (istirahat di antaranya); kosong: tutup."))


class MaklumatForm(FlaskForm):
    title = StringField("Judul", validators=[DataRequired(REQUIRED), Length(max=200)])
    text = TextAreaField("Isi Maklumat Pelayanan", validators=[DataRequired(REQUIRED), Length(max=5000)])
    place_date = StringField("Tempat dan tanggal penetapan", validators=[Length(max=200)],
                             description="Mis. Jember, 2 Januari 2026")
    signatory_title = StringField("Jabatan penanda tangan", validators=[Length(max=200)])
    signatory_name = StringField("Nama penanda tangan", validators=[Length(max=200)])
    signatory_id = StringField("NIP penanda tangan", validators=[Length(max=30)])


class SurveyForm(FlaskForm):
    suggestion = TextAreaField("Saran dan masukan", validators=[Length(max=2000)])
    gender = SelectField("Jenis kelamin", choices=[("", "- tidak diisi -"), *survey.GENDERS.items()],
                         validators=[Optional()])
    age = IntegerField("Umur (tahun)", validators=[Optional(), NumberRange(10, 120, "Isi umur 10-120 tahun.")])
    education = SelectField("Pendidikan terakhir", choices=[("", "- tidak diisi -"), *survey.EDUCATION.items()],
                            validators=[Optional()])
    occupation = SelectField("Pekerjaan utama", choices=[("", "- tidak diisi -"), *survey.OCCUPATIONS.items()],
                             validators=[Optional()])


for _number, (_key, _label, _options) in enumerate(survey.ELEMENTS, 1):
    setattr(SurveyForm, f"u{_number}", RadioField(
        _label, choices=[(str(v), f"{v}. {t}") for v, t in enumerate(_options, 1)],
        validators=[DataRequired("Pilih salah satu nilai.")]))
