"""0001: the buildings and bookings tables as of November 2026, created if missing (columns an older
database lacks are added).  A frozen copy of the table definitions, not an import of ``models``."""

import datetime as dt

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from pintu import database


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Application(Base):  # the core's table, referenced only (the core's history creates it)
    class Meta:
        table_name = "application"


class Building(Base):
    name = CharField(max_length=120, unique=True)
    capacity = IntegerField(default=0)
    facilities = TextField(default="")
    tariff_day = IntegerField(default=0)
    tariff_half_day = IntegerField(default=0)
    active = BooleanField(default=True)
    lock_version = IntegerField(default=0)

    class Meta:
        table_name = "gedung_building"


class Booking(Base):
    application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
    building = ForeignKeyField(Building, on_delete="CASCADE")
    start = DateTimeField()
    end = DateTimeField()
    status = CharField(max_length=12, default="pending")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "gedung_booking"
        indexes = ((("building", "status", "start"), False),)


def upgrade(step):
    step.create_missing([Building, Booking])
