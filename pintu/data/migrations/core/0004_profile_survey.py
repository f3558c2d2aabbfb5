"""0004: the settings the administrator edits (institution profile, Maklumat) and the answers to the
satisfaction survey (IKM).  Frozen copies of the tables as of this step."""

import datetime as dt

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from pintu.data.db import database


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Application(BaseModel):  # referenced only; created by 0001
    id = AutoField()


class Setting(BaseModel):
    key = CharField(unique=True, max_length=40)
    value = TextField(default="{}")
    updated_at = DateTimeField(default=utcnow)
    updated_by = IntegerField(null=True)


class SurveyResponse(BaseModel):
    application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
    service = CharField(max_length=60)
    unit = CharField(max_length=120)
    u1 = IntegerField()
    u2 = IntegerField()
    u3 = IntegerField()
    u4 = IntegerField()
    u5 = IntegerField()
    u6 = IntegerField()
    u7 = IntegerField()
    u8 = IntegerField()
    u9 = IntegerField()
    suggestion = TextField(default="")
    gender = CharField(max_length=1, default="")
    age = IntegerField(null=True)
    education = CharField(max_length=10, default="")
    occupation = CharField(max_length=20, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("created_at", "service"), False), (("created_at", "unit"), False))


def upgrade(step):
    step.create_missing([Setting, SurveyResponse])
