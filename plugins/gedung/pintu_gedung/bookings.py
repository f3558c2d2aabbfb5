"""Booking, fee and conflict rules of the Gedung Serba Guna service, and the schedule.

Nothing here knows about HTTP: the views, the hooks and the demo data call these
functions.  Times are the institution's local time (``TIMEZONE``, WIB by default),
stored naive, like the dates the applicant types.

A request asks for one continuous period, from the start date and time to the
end date and time (a two-day event occupies the building overnight too, which
is how a multi-purpose hall is used: decoration and equipment stay).  Two
periods overlap when each starts before the other ends; one that ends at 12.00
and one that starts at 12.00 do not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field


from .models import Booking, Building

from pintu import Application, Event, Upload, bulan_tahun, nama_hari, tanggal, utcnow

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

#: Applicant categories that may borrow as internal users (kegiatan internal kampus).
INTERNAL_CATEGORIES = ("pegawai", "dosen", "mahasiswa")
#: Longest period one request may ask for.
MAX_DAYS = 30
#: A booking of at most this long, on one day, is charged the half-day tariff.
HALF_DAY_MAX = dt.timedelta(hours=5)
#: Booking statuses shown on the schedule.
VISIBLE = ("pending", "approved")

#: Monday to Sunday in Indonesian, from Babel (2024-01-01 was a Monday): the schedule's column heads.
DAY_NAMES = [nama_hari(dt.date(2024, 1, 1) + dt.timedelta(days=i)) for i in range(7)]

FREE_TEXT = "Tidak dipungut biaya (pengguna internal)"


def now() -> dt.datetime:
    """Local time now, naive (a function so that tests can pin it)."""
    from pintu import now as local_now

    return local_now().replace(tzinfo=None, second=0, microsecond=0)


def rupiah(amount: int) -> str:
    """Rp 1.500.000"""
    return "Rp " + f"{int(amount):,}".replace(",", ".")


def date_text(day: dt.date, weekday: bool = True) -> str:
    """Sabtu, 12 Mei 2026"""
    text = tanggal(day)
    return f"{nama_hari(day)}, {text}" if weekday else text


def time_text(moment: dt.datetime | dt.time) -> str:
    """08.30 (the Indonesian way of writing a time)."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def period_text(start: dt.datetime, end: dt.datetime) -> str:
    """Sabtu, 12 Mei 2026, 08.00-12.00, or two dates for a longer period."""
    if start.date() == end.date():
        return f"{date_text(start.date())}, pukul {time_text(start)}–{time_text(end)}"
    if end == dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(0)):
        return f"{date_text(start.date())}, pukul {time_text(start)}–24.00"
    return f"{date_text(start.date())} pukul {time_text(start)} s.d. {date_text(end.date())} pukul {time_text(end)}"


# ---------------------------------------------------------------------------
# Reading a request (form data, query string or stored application data)
# ---------------------------------------------------------------------------

def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


def parse_time(value) -> dt.time | None:
    """08:00, 8.00, 08:00:00 -> time(8, 0); anything else -> None."""
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    m = _TIME.match(str(value or "").strip())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass
class Slot:
    """What a request asks for, as far as it could be read."""

    building_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    external: bool
    participants: int | None = None

    @property
    def complete(self) -> bool:
        return self.building_id is not None and self.start is not None and self.end is not None

    @property
    def building(self) -> Building | None:
        if self.building_id is None:
            return None
        return Building.get_or_none(Building.id == self.building_id)


def is_external(data) -> bool:
    return (data or {}).get("status_peminjam") == "eksternal"


def slot_of(data) -> Slot:
    """The slot of form data, a query string or an application's stored data."""
    data = data or {}
    d1, d2 = parse_date(data.get("tanggal_mulai")), parse_date(data.get("tanggal_selesai"))
    t1, t2 = parse_time(data.get("jam_mulai")), parse_time(data.get("jam_selesai"))
    start = dt.datetime.combine(d1, t1) if d1 and t1 else None
    end = dt.datetime.combine(d2, t2) if d2 and t2 else None
    return Slot(parse_int(data.get("gedung")), start, end, is_external(data), parse_int(data.get("jumlah_peserta")))


# ---------------------------------------------------------------------------
# Fee
# ---------------------------------------------------------------------------

@dataclass
class Quote:
    amount: int
    text: str  # what the applicant reads: "Rp 1.500.000 (2 hari x Rp 750.000)"
    basis: str  # internal, half_day, days


def days_touched(start: dt.datetime, end: dt.datetime) -> int:
    """Calendar days the period occupies (ending at 00.00 does not touch the next day)."""
    last = (end - dt.timedelta(microseconds=1)).date()
    return (last - start.date()).days + 1


def quote(building: Building, start: dt.datetime, end: dt.datetime, external: bool) -> Quote:
    """The fee of a booking.

    Fee rule (the published standard: internal users pay nothing, external users
    pay the rent to the Bendahara Penerimaan):

    * internal users: no fee ("Tidak dipungut biaya (pengguna internal)");
    * external users are charged per calendar day the booking occupies, at the
      building's day tariff (``Building.tariff_day``);
    * except that a booking of at most 5 hours (``HALF_DAY_MAX``) within one day is
      charged the half-day tariff (``Building.tariff_half_day``) instead.

    The amount is computed from the tariff in force when the request is
    submitted and stored with the application (``data["biaya"]``); a later change
    of tariff does not change it.
    """
    if not external:
        return Quote(0, FREE_TEXT, "internal")
    days = days_touched(start, end)
    if days == 1 and end - start <= HALF_DAY_MAX:
        amount = building.tariff_half_day
        return Quote(amount, f"{rupiah(amount)} (tarif setengah hari, pemakaian paling lama 5 jam)", "half_day")
    amount = days * building.tariff_day
    return Quote(amount, f"{rupiah(amount)} ({days} hari × {rupiah(building.tariff_day)})", "days")


def quote_for(data) -> Quote | None:
    """The fee of a request's data, or None while the building, dates or times are missing or wrong."""
    slot = slot_of(data)
    if not slot.complete or slot.end <= slot.start:
        return None
    if not slot.external:
        return Quote(0, FREE_TEXT, "internal")
    building = slot.building
    if building is None:
        return None
    return quote(building, slot.start, slot.end, True)


def pays(data) -> bool:
    """External requests with a fee go through the payment steps (a building rented out free does not)."""
    data = data or {}
    return is_external(data) and data.get("biaya", 1) != 0


# ---------------------------------------------------------------------------
# Checks on submission
# ---------------------------------------------------------------------------

def check_times(data) -> dict[str, str]:
    """Service validator: the period is well formed and in the future."""
    slot = slot_of(data)
    if slot.start is None or slot.end is None:
        return {}  # the form's own validators report missing fields
    if slot.end.date() < slot.start.date():
        return {"tanggal_selesai": "Tanggal selesai tidak boleh sebelum tanggal mulai."}
    if slot.end <= slot.start:
        return {"jam_selesai": "Jam selesai harus sesudah jam mulai."}
    if slot.start <= now():
        return {"tanggal_mulai": "Waktu mulai pemakaian sudah lewat. Pilih tanggal dan jam yang akan datang."}
    if days_touched(slot.start, slot.end) > MAX_DAYS:
        return {"tanggal_selesai": f"Satu permohonan paling lama {MAX_DAYS} hari. Ajukan permohonan terpisah "
                                   "untuk periode berikutnya."}
    return {}


def overlapping(building_id: int, start: dt.datetime, end: dt.datetime, statuses=VISIBLE,
                exclude_application: int | None = None):
    """Bookings of the building in ``statuses`` whose period overlaps [start, end)."""
    query = (Booking.select(Booking, Application).join(Application)
             .where(Booking.building == building_id, Booking.status.in_(list(statuses)),
                    Booking.start < end, Booking.end > start)
             .order_by(Booking.start))
    if exclude_application is not None:
        query = query.where(Booking.application != exclude_application)
    return query


def clash_message(building: Building, clash: Booking) -> str:
    return (f"{building.name} sudah dipakai pada {period_text(clash.start, clash.end)} (peminjaman yang telah "
            "disetujui). Pilih tanggal atau jam lain; lihat jadwal gedung.")


def check_request(data, applicant, application) -> dict[str, str]:
    """Checks that need the database or the applicant (``pintu_validate_application``)."""
    errors: dict[str, str] = {}
    slot = slot_of(data)
    building = slot.building
    if building is None or not building.active:
        errors["gedung"] = "Gedung ini tidak tersedia untuk dipinjam. Pilih gedung lain."
        return errors
    if slot.participants and building.capacity and slot.participants > building.capacity:
        errors["jumlah_peserta"] = (f"Jumlah peserta melebihi kapasitas {building.name} "
                                    f"({building.capacity} orang).")
    if not slot.external and applicant.category not in INTERNAL_CATEGORIES:
        errors["status_peminjam"] = ("Status internal hanya untuk pegawai, dosen dan mahasiswa Politeknik Negeri "
                                     "Jember. Pilih Eksternal.")
    if slot.complete:
        clash = overlapping(building.id, slot.start, slot.end, ("approved",),
                            application.id if application is not None else None).first()
        if clash is not None:
            errors["tanggal_mulai"] = clash_message(building, clash)
    return errors


# ---------------------------------------------------------------------------
# Booking lifecycle (called from the workflow hooks, inside their transaction)
# ---------------------------------------------------------------------------

def booking_of(application) -> Booking | None:
    return Booking.get_or_none(Booking.application == application.id)


def sync_booking(application: Application) -> Booking | None:
    """On (re)submission: the booking follows the data, pending again; the fee is stored with the data."""
    data = dict(application.data or {})
    slot = slot_of(data)
    building = slot.building
    if building is None or not slot.complete:
        return None  # not a valid request (submission checks prevent it); nothing to book
    fee = quote(building, slot.start, slot.end, slot.external)
    data.update(biaya=fee.amount, biaya_rincian=fee.text, nama_gedung=building.name)
    Application.update(data=data).where(Application.id == application.id).execute()
    application.data = data
    booking = booking_of(application)
    if booking is None:
        return Booking.create(application=application.id, building=building, start=slot.start, end=slot.end,
                              status="pending")
    (Booking.update(building=building, start=slot.start, end=slot.end, status="pending", updated_at=utcnow())
     .where(Booking.id == booking.id).execute())
    return Booking.get_by_id(booking.id)


def set_status(application: Application, status: str) -> None:
    (Booking.update(status=status, updated_at=utcnow())
     .where(Booking.application == application.id).execute())


def lock_building(building_id: int) -> None:
    """Take the building's row lock for the rest of the transaction.

    An UPDATE locks the row on PostgreSQL (a second approval for the same building
    waits here until the first commits, then reads its approved booking) and takes
    SQLite's write lock, so check-then-approve cannot interleave on either backend.
    """
    Building.update(lock_version=Building.lock_version + 1).where(Building.id == building_id).execute()


def approval_conflict(application: Application) -> str | None:
    """Before the leadership approves: refuse when an approved booking of the building overlaps.

    Called inside the approval's transaction; the booking becomes ``approved`` in the
    same transaction (``pintu_after_transition``).
    """
    slot = slot_of(application.data)
    if not slot.complete:
        return "Data gedung dan waktu pemakaian tidak lengkap."
    # Lock before reading anything: on SQLite a transaction that has read cannot wait for
    # the write lock (it fails), and on PostgreSQL the reads below must follow the lock.
    lock_building(slot.building_id)
    building = slot.building
    if building is None:
        return "Gedung yang dimohon tidak ditemukan."
    clash = overlapping(building.id, slot.start, slot.end, ("approved",), application.id).first()
    if clash is not None:
        return (f"Tidak dapat disetujui: jadwal bentrok. {building.name} sudah disetujui untuk permohonan "
                f"{clash.application.reference} pada {period_text(clash.start, clash.end)}. Tolak permohonan ini "
                "dengan alasan jadwal bentrok.")
    return None


#: The applicant step's re-upload rule: after the payment was sent back, a new proof is needed.
PAYMENT_AGAIN = "payment_again"


def stale_payment_proof(application: Application, requirement: str) -> str | None:
    """When the payment was sent back, the proof sent next must be a new file (not the refused one)."""
    sent_back = (Event.select().where(Event.application == application.id, Event.action == PAYMENT_AGAIN)
                 .order_by(Event.id.desc()).first())
    if sent_back is None:
        return None
    proof = (Upload.select().where(Upload.application == application.id, Upload.requirement == requirement,
                                   Upload.superseded == False)  # noqa: E712 - peewee expression
             .order_by(Upload.id.desc()).first())
    if proof is None or proof.created_at <= sent_back.created_at:
        return "Unggah bukti transfer yang baru; bukti sebelumnya dinyatakan belum sesuai."
    return None


# ---------------------------------------------------------------------------
# Schedule (month and week views)
# ---------------------------------------------------------------------------

@dataclass
class Segment:
    """The part of a booking that falls on one day."""

    booking: Booking
    start: dt.datetime
    end: dt.datetime
    whole_day: bool

    @property
    def label(self) -> str:
        if self.whole_day:
            return "Sepanjang hari"
        until = "24.00" if self.end.time() == dt.time(0) else time_text(self.end)
        return f"{time_text(self.start)}–{until}"


@dataclass
class Day:
    date: dt.date
    in_range: bool
    segments: list[Segment] = field(default_factory=list)

    @property
    def name(self) -> str:
        return nama_hari(self.date)


@dataclass
class Schedule:
    building: Building | None
    view: str  # "bulan" or "minggu"
    anchor: dt.date
    title: str
    weeks: list[list[Day]]
    previous: dt.date
    next: dt.date
    today: dt.date

    @property
    def days(self) -> list[Day]:
        return [d for week in self.weeks for d in week]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def schedule(building: Building | None, view: str, anchor: dt.date) -> Schedule:
    """Month view (whole weeks, Monday first) or week view around ``anchor``, with the visible bookings."""
    today = now().date()
    if view == "minggu":
        first = _monday(anchor)
        last = first + dt.timedelta(days=6)
        if first.month == last.month:
            title = f"{first.day}–{last.day} {bulan_tahun(last)}"
        else:
            title = f"{date_text(first, False)} – {date_text(last, False)}"
        previous, following = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
        in_range = lambda d: True  # noqa: E731
    else:
        view = "bulan"
        first_of_month = anchor.replace(day=1)
        last_of_month = anchor.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
        first, last = _monday(first_of_month), _monday(last_of_month) + dt.timedelta(days=6)
        title = bulan_tahun(anchor)
        previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
        following = last_of_month + dt.timedelta(days=1)
        in_range = lambda d: d.month == anchor.month  # noqa: E731
    days = [Day(first + dt.timedelta(days=i), False) for i in range((last - first).days + 1)]
    for day in days:
        day.in_range = in_range(day.date)
    if building is not None:
        begin = dt.datetime.combine(first, dt.time(0))
        finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0))
        by_day = {d.date: d for d in days}
        for booking in overlapping(building.id, begin, finish, VISIBLE):
            day = max(booking.start.date(), first)
            while day <= last:
                d0 = dt.datetime.combine(day, dt.time(0))
                d1 = d0 + dt.timedelta(days=1)
                s, e = max(booking.start, d0), min(booking.end, d1)
                if s >= e:
                    break
                by_day[day].segments.append(Segment(booking, s, e, s == d0 and e == d1))
                day += dt.timedelta(days=1)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    return Schedule(building, view, anchor, title, weeks, previous, following, today)


# ---------------------------------------------------------------------------
# Fee preview (what the form shows before submitting)
# ---------------------------------------------------------------------------

@dataclass
class Preview:
    quote: Quote | None
    problem: str = ""  # why the request cannot be submitted as it stands
    pending: int = 0  # other requests waiting for the same building and time
    building: Building | None = None


def preview(data, exclude_application: int | None = None) -> Preview:
    """Fee and availability of a request being filled in (no login needed, nothing stored)."""
    slot = slot_of(data)
    building = slot.building
    if building is not None and not building.active:
        return Preview(None, "Gedung ini tidak tersedia untuk dipinjam. Pilih gedung lain.")
    problems = check_times(data)
    if problems:
        return Preview(None, next(iter(problems.values())), building=building)
    result = Preview(quote_for(data), building=building)
    if building is not None and slot.complete:
        clash = overlapping(building.id, slot.start, slot.end, ("approved",), exclude_application).first()
        if clash is not None:
            result.problem = clash_message(building, clash)
        result.pending = overlapping(building.id, slot.start, slot.end, ("pending",), exclude_application).count()
    return result
