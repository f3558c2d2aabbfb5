"""Completion times in the standards' own units (menit, jam, hari kerja, hari, minggu, bulan)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pintu import Duration
from pintu.engine.workingdays import add_office_minutes, due_date

WIB = ZoneInfo("Asia/Jakarta")


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=WIB)


def test_working_days_skip_the_weekend_and_national_holidays():
    # Wednesday 2026-12-23; 25 December 2026 (Natal) is a national holiday.
    assert due_date(at("2026-12-23T10:00"), 3, "hari_kerja") == dt.date(2026, 12, 29)


def test_extra_closures_count_as_holidays():
    assert due_date(at("2026-12-23T10:00"), 3, "hari_kerja", extra=("2026-12-24",)) == dt.date(2026, 12, 30)


def test_calendar_units_follow_the_calendar():
    start = at("2026-01-31T09:00")
    assert due_date(start, 2, "hari") == dt.date(2026, 2, 2)
    assert due_date(start, 1, "minggu") == dt.date(2026, 2, 7)
    assert due_date(start, 4, "bulan") == dt.date(2026, 5, 31)
    assert due_date(start, 1, "bulan") == dt.date(2026, 2, 28)


def test_hours_count_office_time_only_across_the_break_and_the_weekend():
    # Friday 2026-11-27 15:00: 1.5 office hours left that day; 2 hours run to Monday 08.30.
    assert add_office_minutes(at("2026-11-27T15:00"), 120) == at("2026-11-30T08:30")
    # 7.5 hours from Monday 08.00 (lunch 12-13 does not count): Monday 16.00 leaves 0.5 h for Tuesday.
    assert add_office_minutes(at("2026-11-30T08:00"), 450) == at("2026-12-01T08:30")
    assert due_date(at("2026-11-30T08:00"), 7.5, "jam") == dt.date(2026, 12, 1)


def test_minutes_started_outside_office_hours_begin_at_opening_time():
    assert add_office_minutes(at("2026-11-30T06:00"), 5) == at("2026-11-30T08:05")
    assert due_date(at("2026-11-28T10:00"), 5, "menit") == dt.date(2026, 11, 30)  # Saturday -> Monday


def test_unknown_units_and_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        Duration(3, "tahun")
    with pytest.raises(ValueError):
        Duration(-1)
    assert Duration(7.5, "jam").label == "7,5 jam"
