"""Forms: the application form of the service and the admin's building form (messages in Indonesian)."""

from __future__ import annotations

import re

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import TimeInput

from pintu import TanggalField

from . import bookings
from .models import Building

REQUIRED = "Wajib diisi."



class JamField(StringField):
    """A time input whose value is kept as "HH:MM" text (08:00, also accepts 8.00 and 08:00:00)."""

    widget = TimeInput()

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        parsed = bookings.parse_time(valuelist[0])
        if parsed is None:
            self.data = None
            raise ValueError("Jam tidak valid. Gunakan format jj:mm, mis. 08:00.")
        self.data = f"{parsed.hour:02d}:{parsed.minute:02d}"


class AngkaField(IntegerField):
    """A whole number; accepts Indonesian thousands separators ("1.500.000", "Rp 1.500.000")."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        text = re.sub(r"^rp\.?\s*", "", valuelist[0].strip(), flags=re.I).replace(".", "").replace(" ", "")
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError("Isi dengan angka bulat, mis. 1500000.") from None


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


STATUS_CHOICES = [
    ("internal", "Internal (kegiatan civitas akademika Politeknik Negeri Jember)"),
    ("eksternal", "Eksternal (masyarakat umum / instansi luar, dikenakan biaya sewa)"),
]


class GedungForm(FlaskForm):
    gedung = SelectField("Gedung", coerce=_int_or_none, validate_choice=False,
                         validators=[DataRequired("Pilih gedung yang diinginkan.")])
    tanggal_mulai = TanggalField("Tanggal mulai", validators=[InputRequired(REQUIRED)])
    tanggal_selesai = TanggalField("Tanggal selesai", validators=[InputRequired(REQUIRED)],
                                   description="Sama dengan tanggal mulai untuk kegiatan satu hari.")
    jam_mulai = JamField("Jam mulai", validators=[InputRequired(REQUIRED)])
    jam_selesai = JamField("Jam selesai", validators=[InputRequired(REQUIRED)],
                           description="Pemakaian paling lama 5 jam dalam satu hari dikenakan tarif setengah hari.")
    jumlah_peserta = AngkaField("Perkiraan jumlah peserta", validators=[
        InputRequired("Wajib diisi dengan angka, mis. 150."),
        NumberRange(1, 100000, "Jumlah peserta sekurang-kurangnya 1 orang.")])
    keterangan = TextAreaField("Keterangan peminjaman", validators=[DataRequired(REQUIRED), Length(max=2000)],
                               description="Nama dan jenis kegiatan, penyelenggara, serta kebutuhan khusus.")
    status_peminjam = SelectField("Status keterangan", choices=STATUS_CHOICES,
                                  description="Pengguna internal tidak dipungut biaya; pengguna eksternal "
                                              "menyetorkan biaya sewa melalui bank kepada Bendahara Penerimaan.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # display_data() builds the form with formdata=None to read labels: every building
        # then, so that an application keeps showing the name of a building switched off since.
        display_only = "formdata" in kwargs and kwargs["formdata"] is None
        query = Building.select().order_by(Building.name)
        if not display_only:
            query = query.where(Building.active == True)  # noqa: E712 - peewee expression
        self.gedung.choices = [("", "— Pilih gedung —")] + [
            (b.id, f"{b.name} (kapasitas {b.capacity} orang)") for b in query]
        if not display_only and not self.is_submitted():
            # Coming from the schedule ("Ajukan peminjaman" on a building / day).
            if self.gedung.data is None:
                self.gedung.data = _int_or_none(request.args.get("gedung"))
            day = bookings.parse_date(request.args.get("tanggal"))
            if day is not None and self.tanggal_mulai.data is None:
                self.tanggal_mulai.data = self.tanggal_selesai.data = day


class BuildingForm(FlaskForm):
    name = StringField("Nama gedung / ruang", validators=[DataRequired(REQUIRED), Length(max=120)])
    capacity = AngkaField("Kapasitas (orang)", validators=[
        InputRequired("Wajib diisi dengan angka."), NumberRange(1, 100000, "Kapasitas sekurang-kurangnya 1 orang.")])
    facilities = TextAreaField("Fasilitas", validators=[Length(max=2000)],
                               description="Mis. kursi 500, sound system, proyektor, AC, panggung.")
    tariff_day = AngkaField("Tarif sewa per hari (Rp, pengguna eksternal)", validators=[
        InputRequired("Wajib diisi dengan angka; 0 jika tidak disewakan berbayar."),
        NumberRange(0, 10_000_000_000, "Tarif tidak boleh negatif.")])
    tariff_half_day = AngkaField("Tarif sewa setengah hari (Rp, paling lama 5 jam)", validators=[
        InputRequired("Wajib diisi dengan angka; 0 jika tidak disewakan berbayar."),
        NumberRange(0, 10_000_000_000, "Tarif tidak boleh negatif.")])
    active = BooleanField("Aktif (dapat dipinjam dan tampil di formulir)", default=True)

    def __init__(self, *args, building: Building | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._building = building

    def validate_name(self, field):
        name = (field.data or "").strip()
        field.data = name
        other = Building.get_or_none(Building.name == name)
        if other is not None and (self._building is None or other.id != self._building.id):
            raise ValidationError("Nama gedung ini sudah terdaftar.")

    def validate_tariff_half_day(self, field):
        if field.data is not None and self.tariff_day.data is not None and field.data > self.tariff_day.data:
            raise ValidationError("Tarif setengah hari tidak boleh melebihi tarif per hari.")
