"""Forms of the core (accounts, staff actions, admin) and the application form builder."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DecimalField, EmailField, HiddenField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TelField, TextAreaField)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from pintu.contract import formparts
from pintu.people.accounts import PHONE_RE, id_number_error
from pintu.contract.services import ANONYMOUS_FIELD, APPLICANT_CATEGORIES, ROLES, Service, TIME_UNITS

REQUIRED = "Wajib diisi."


def _phone(form, field):
    if field.data and not PHONE_RE.match(field.data.strip()):
        raise ValidationError("Nomor telepon tidak valid (8-20 angka, boleh diawali +).")


def _id_number(form, field):
    msg = id_number_error(field.data)
    if msg:
        raise ValidationError(msg)


def _email_syntax(allow_test_domain: bool = False):
    """E-mail syntax check (email-validator, no DNS).  ``allow_test_domain`` accepts the reserved
    ``.test`` domain of the demo accounts (``admin@pintu.test``): email-validator refuses special-use
    domains, which is right for a new address but would keep demo accounts from asking for a reset."""

    def check(form, field):
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=allow_test_domain)
        except EmailNotValidError:
            raise ValidationError("Alamat e-mail tidak valid.") from None

    return check


class ProfileFields(FlaskForm):
    name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=120)])
    phone = TelField("Nomor telepon / WhatsApp", validators=[DataRequired(REQUIRED), _phone])
    id_number = StringField("NIP / NIK (opsional)", validators=[Optional(), _id_number],
                            description="NIP 18 digit untuk pegawai, NIK 16 digit untuk umum.")


class RegisterForm(ProfileFields):
    # Chosen once here; afterwards only an administrator changes it (it opens services).
    category = SelectField("Kategori pemohon", choices=list(APPLICANT_CATEGORIES.items()))
    email = EmailField("E-mail", validators=[DataRequired(REQUIRED), Email("Alamat e-mail tidak valid.",
                                                                           check_deliverability=False)])
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED),
                                                       Length(min=8, message="Kata sandi minimal 8 karakter.")])
    confirm = PasswordField("Ulangi kata sandi", validators=[EqualTo("password", "Kata sandi tidak sama.")])


class ProfileForm(ProfileFields):
    pass


class CounterApplicantForm(ProfileFields):
    """A new applicant's account made by a petugas at the counter (pintu.oversight.loket)."""

    category = SelectField("Kategori pemohon", choices=list(APPLICANT_CATEGORIES.items()))
    email = EmailField("E-mail (opsional)", validators=[Optional(), Email("Alamat e-mail tidak valid.",
                                                                         check_deliverability=False)],
                       description="Kosongkan jika pemohon tidak memiliki e-mail; akun dapat diklaim kemudian.")


class ClaimForm(FlaskForm):
    email = EmailField("E-mail pemohon", validators=[DataRequired(REQUIRED), Email("Alamat e-mail tidak valid.",
                                                                                   check_deliverability=False)])


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class ForgotForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(REQUIRED), _email_syntax(allow_test_domain=True)])


class ResetForm(FlaskForm):
    password = PasswordField("Kata sandi baru", validators=[DataRequired(REQUIRED),
                                                            Length(min=8, message="Kata sandi minimal 8 karakter.")])
    confirm = PasswordField("Ulangi kata sandi baru", validators=[EqualTo("password", "Kata sandi tidak sama.")])


class ChangePasswordForm(ResetForm):
    current = PasswordField("Kata sandi saat ini", validators=[DataRequired(REQUIRED)])


class ActionForm(FlaskForm):
    """A staff action at a step (the action key comes from the button pressed)."""

    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Catatan untuk pemohon / alasan", validators=[Length(max=4000)])
    internal_note = TextAreaField("Catatan internal (tidak terlihat pemohon)", validators=[Length(max=4000)])
    units = SelectMultipleField("Unit tujuan disposisi", choices=[], validate_choice=False)


class AnswerForm(FlaskForm):
    disposition = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    answer = TextAreaField("Tindak lanjut unit", validators=[Length(max=4000)])


class VersionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


class ExternalActionForm(FlaskForm):
    """A party outside the office acting through its link (pintu.engine.external): who they are, a note."""

    version = HiddenField(validators=[DataRequired()])
    action = HiddenField(validators=[DataRequired("Pilih salah satu tindakan.")])
    name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=120)])
    capacity = StringField("Jabatan", validators=[DataRequired(REQUIRED), Length(max=120)],
                           description="Jabatan Anda saat mengambil tindakan ini, mis. Rektor, Kepala Sekolah.")
    note = TextAreaField("Catatan", validators=[Length(max=4000)],
                         description="Wajib untuk pengembalian dan penolakan; terbaca oleh pemohon dan petugas.")


class TrackForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only public lookup

    reference = StringField("Nomor permohonan", validators=[DataRequired(REQUIRED), Length(max=30)])
    code = StringField("Kode lacak", validators=[DataRequired(REQUIRED), Length(max=12)])


class UnitForm(FlaskForm):
    key = StringField("Kode unit", validators=[DataRequired(REQUIRED), Length(max=40)])
    name = StringField("Nama unit", validators=[DataRequired(REQUIRED), Length(max=120)])


class ReminderPreferenceForm(FlaskForm):
    reminder_digest = BooleanField("Kirim pengingat batas waktu sebagai satu ringkasan harian "
                                   "(bukan satu e-mail per permohonan)")


class ServiceTargetForm(FlaskForm):
    service = HiddenField(validators=[DataRequired(REQUIRED)])
    days = StringField("Target internal (hari kerja)", validators=[DataRequired(REQUIRED)])

    def validate_days(self, field):
        value = (field.data or "").strip()
        if not value.isdigit() or not 1 <= int(value) <= 365:
            raise ValidationError("Isi jumlah hari kerja antara 1 dan 365.")


class IsoDateField(DateField):
    """A YYYY-MM-DD date (``<input type="date">``) with an Indonesian message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Tanggal tidak valid (gunakan format TTTT-BB-HH).") from exc


class SearchForm(FlaskForm):
    """The staff search's filters (a GET form: no CSRF token, nothing is written)."""

    class Meta:
        csrf = False

    q = StringField("Cari", validators=[Optional(), Length(max=120)],
                    description="Nomor permohonan, kode lacak, nama pemohon, NIK/NIP atau e-mail")
    layanan = SelectField("Layanan", choices=[], validate_choice=False, validators=[Optional()])
    status = SelectField("Status", choices=[], validate_choice=False, validators=[Optional()])
    dari = IsoDateField("Diajukan sejak", validators=[Optional()], format="%Y-%m-%d")
    sampai = IsoDateField("Diajukan sampai", validators=[Optional()], format="%Y-%m-%d")

    def validate_sampai(self, field):
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.")


class PeriodForm(FlaskForm):
    """The dashboard's period (a GET form)."""

    class Meta:
        csrf = False

    dari = IsoDateField("Periode dari", validators=[Optional()], format="%Y-%m-%d")
    sampai = IsoDateField("sampai", validators=[Optional()], format="%Y-%m-%d")

    def validate_sampai(self, field):
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.")


class MembershipForm(FlaskForm):
    role = SelectField("Peran", choices=list(ROLES.items()))
    unit = SelectField("Unit", choices=[], validate_choice=False)


class UserAdminForm(FlaskForm):
    is_active = BooleanField("Akun aktif")


class UserCategoryForm(FlaskForm):
    category = SelectField("Kategori pemohon", choices=list(APPLICANT_CATEGORIES.items()))


def application_form_class(service: Service) -> type:
    """The form for ``service``: its own fields plus one file field per requirement."""
    base = service.form or FlaskForm
    attrs = {f"file_{req.key}": FileField(req.label) for req in service.requirements}
    if service.anonymous_reporting:
        attrs[ANONYMOUS_FIELD] = BooleanField(
            "Laporkan secara anonim",
            description="Identitas Anda tidak ditampilkan kepada petugas mana pun; jawaban tetap dikirim ke akun "
                        "dan e-mail Anda. Jangan cantumkan nama atau identitas Anda pada uraian dan lampiran.")
    return type(f"{service.slug.title().replace('-', '')}ApplicationForm", (base,), attrs)


def service_field_names(form) -> list[str]:
    return [f.name for f in form if f.type not in ("CSRFTokenField", "FileField", "MultipleFileField")
            and not f.name.startswith("file_")]


def form_data(form) -> dict:
    """The service fields' values, JSON-friendly (dates as ISO strings, repeated groups as lists of
    dicts without blank rows)."""
    out = {}
    for name in service_field_names(form):
        field = form[name]
        out[name] = formparts.group_rows(field) if formparts.is_group(field) else formparts.jsonable(field.data)
    return out


def load_data(form, data: dict) -> None:
    """Fill the service fields of ``form`` from stored data (for editing a draft)."""
    for name in service_field_names(form):
        field = form[name]
        if formparts.is_group(field):
            formparts.load_group(field, data.get(name))
        elif name in data and data[name] not in (None, ""):
            try:
                field.process_formdata([str(data[name])] if not isinstance(data[name], list) else data[name])
            except Exception:
                field.data = data[name]


def display_data(service: Service, data: dict) -> list[tuple[str, str]]:
    """(label, readable value) for each stored field, in the form's order.

    Choices show their label, dates are written the Indonesian way, empty values as "-".
    """
    if service.form is None:
        return [(k.replace("_", " ").capitalize(), str(v)) for k, v in data.items()]
    form = _display_form(service.form)
    rows = []
    for f in form:
        if f.name not in data:
            continue
        value = data[f.name]
        if formparts.is_group(f):
            rows.append((str(f.label.text), _group_text(f, value)))
            continue
        rows.append((str(f.label.text), _readable(f, value)))
    for item in service.computed:
        if item.key in data:
            rows.append((item.label, "-" if data[item.key] in (None, "") else str(data[item.key])))
    return rows


_DISPLAY_FORMS: dict = {}


def _display_form(form_class):
    """An instance of ``form_class`` to read labels and choices from.  Binding a service's form costs
    a fifth of the application page, and its labels and choices only change with the class: one
    instance is kept per class, unless the class sets its fields up per instance (its own
    ``__init__``, e.g. choices read from the database), which gets a new one each time."""
    if form_class.__init__ is not FlaskForm.__init__:
        return form_class(formdata=None, meta={"csrf": False})
    form = _DISPLAY_FORMS.get(form_class)
    if form is None:
        form = _DISPLAY_FORMS[form_class] = form_class(formdata=None, meta={"csrf": False})
    return form


def _group_text(group, rows) -> str:
    """A repeated group's stored rows as numbered lines ("1. Nama: Ani; Tanggal lahir: 01-02-2015")."""
    if not rows:
        return "-"
    if not group.entries:
        group.append_entry()
    subs = list(group.entries[0].form)
    lines = []
    for number, row in enumerate(rows if isinstance(rows, list) else [], start=1):
        parts = [f"{sub.label.text}: {_readable(sub, row.get(sub.short_name))}" for sub in subs
                 if sub.short_name in row]
        lines.append(f"{number}. " + "; ".join(parts))
    return "\n".join(lines) or "-"


def _readable(f, value) -> str:
    """One stored answer as people read it: a choice's label, a date as dd-mm-yyyy, Ya/Tidak."""
    choices = dict((str(k), v) for k, v in (getattr(f, "choices", None) or []) if not isinstance(v, list))
    if isinstance(value, list):
        value = ", ".join(choices.get(str(v), str(v)) for v in value)
    elif isinstance(value, bool):
        value = "Ya" if value else "Tidak"
    elif str(value) in choices:
        value = choices[str(value)]
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            value = dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            pass
    return "-" if value in (None, "") else str(value)


PERIOD_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:s\.?d\.?|sampai|-|–)\s*(\d{4}-\d{2}-\d{2})\s*(.*)$")


def parse_periods(text: str) -> tuple[list[dict], str | None]:
    """Periods written one per line, "2026-04-01 s.d. 2026-04-30 Periode I": (periods, error message)."""
    periods = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = PERIOD_LINE.match(line)
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except (AttributeError, ValueError):
            return [], (f"Baris {number}: tulis tanggal mulai dan selesai sebagai TTTT-BB-HH, "
                        "mis. 2026-04-01 s.d. 2026-04-30 Periode I.")
        if end < start:
            return [], f"Baris {number}: tanggal selesai sebelum tanggal mulai."
        periods.append({"start": start.isoformat(), "end": end.isoformat(), "label": m.group(3).strip()})
    return periods, None


class ServiceSettingsForm(FlaskForm):
    """What an administrator may change of a service's published standard (pintu.engine.service_settings)."""

    completion_amount = DecimalField("Jangka waktu (angka)", places=None, validators=[
        Optional(), NumberRange(0, 10000, "Isi angka 0 sampai 10000.")])
    completion_unit = SelectField("Satuan", choices=list(TIME_UNITS.items()))
    completion_text = StringField("Teks jangka waktu pada standar", validators=[Optional(), Length(max=300)])
    tariff_amount = IntegerField("Tarif (Rp)", validators=[Optional(), NumberRange(0, 10**10, "Tarif tidak valid.")])
    tariff_per = StringField("Per (mis. hari, kegiatan)", validators=[Optional(), Length(max=40)])
    tariff_payer = StringField("Dibayar oleh", validators=[Optional(), Length(max=120)])
    fee = StringField("Teks biaya (tanpa tarif terstruktur)", validators=[Optional(), Length(max=300)])
    periods = TextAreaField("Periode pengajuan (satu per baris: 2026-04-01 s.d. 2026-04-30 Periode I; kosong: selalu dibuka)",
                            validators=[Optional(), Length(max=2000)])
    summary = TextAreaField("Ringkasan", validators=[Optional(), Length(max=1000)])
    product = StringField("Produk pelayanan", validators=[Optional(), Length(max=300)])
    complaint_channel = TextAreaField("Penanganan pengaduan", validators=[Optional(), Length(max=1000)])
    version = HiddenField()

    def validate_periods(self, field):
        _, error = parse_periods(field.data)
        if error:
            raise ValidationError(error)
