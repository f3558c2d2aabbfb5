"""0006: ``service_setting``, the administrator's overrides of a service's published settings."""

import datetime as dt

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from pintu.data.db import database


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):  # referenced only; created by 0001
    email = CharField(unique=True, max_length=254)


class ServiceSetting(BaseModel):
    service = CharField(max_length=60, unique=True)
    values = TextField(default="{}")
    version = IntegerField(default=1)
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")


def upgrade(step):
    step.database.create_tables([ServiceSetting], safe=True)
