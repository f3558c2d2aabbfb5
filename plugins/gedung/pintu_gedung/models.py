"""The plugin's tables: the buildings an admin manages and one booking per application."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from pintu import Application, BaseModel, utcnow


#: Booking statuses (key -> Indonesian label).  Only ``approved`` blocks a slot;
#: ``pending`` ones are shown on the schedule and flagged to staff.
BOOKING_STATUSES = {
    "pending": "Menunggu persetujuan",
    "approved": "Disetujui (terpakai)",
    "cancelled": "Dibatalkan",
    "refused": "Ditolak",
}


class Building(BaseModel):
    """A building or room that can be borrowed (internal users) or rented (external users)."""

    name = CharField(max_length=120, unique=True)
    capacity = IntegerField(default=0)  # people
    facilities = TextField(default="")
    # Tariffs for external users, whole rupiah.  Internal users pay nothing.
    tariff_day = IntegerField(default=0)
    tariff_half_day = IntegerField(default=0)
    active = BooleanField(default=True)
    # Bumped inside every approval's transaction: the row lock serialises concurrent
    # approvals for the same building (see bookings.lock_building).
    lock_version = IntegerField(default=0)

    class Meta:
        table_name = "gedung_building"

    def __str__(self):
        return self.name


class Booking(BaseModel):
    """The slot an application asks for.  Times are the institution's local time (WIB), naive."""

    application = ForeignKeyField(Application, unique=True, backref="gedung_bookings", on_delete="CASCADE")
    building = ForeignKeyField(Building, backref="bookings", on_delete="CASCADE")
    start = DateTimeField()
    end = DateTimeField()
    status = CharField(max_length=12, default="pending")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "gedung_booking"
        indexes = ((("building", "status", "start"), False),)

    @property
    def status_label(self) -> str:
        return BOOKING_STATUSES.get(self.status, self.status)
