"""Per-service settings an administrator can change, with the declaration as the default.

A ULT adjusts what its standard publishes without a release: the completion time and its text,
the fee (structured: amount, per unit, who pays, or a free text), the periods in which
proposals are accepted, and the summary, product and complaint-channel texts.  Overrides live
in ``service_setting`` (only the keys that differ), every change is audited with the old and new
values, and :func:`effective` returns the declaration with the overrides applied.

Cost: no query on most requests; all overrides are read in one query and kept per app process for
``SERVICE_SETTINGS_CACHE_SECONDS`` (default 30; the saving process sees a change at once, other
processes within that time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from flask import current_app
from peewee import OperationalError, ProgrammingError

from pintu.data.db import write_transaction
from pintu.data import audit
from pintu.data.models import ServiceSetting, utcnow
from pintu.contract.services import Duration, Fee, Period, Service

#: The keys an administrator may override (what each holds in ``ServiceSetting.values``).
KEYS = ("completion_amount", "completion_unit", "completion_text", "fee", "tariff_amount", "tariff_per",
        "tariff_payer", "periods", "summary", "product", "complaint_channel")


class StaleSettings(Exception):
    """Another administrator saved this service's settings since the form was opened."""


def _all() -> dict[str, tuple[dict, int]]:
    """Every service's ``(values, version)``: one query, kept per app process for
    ``SERVICE_SETTINGS_CACHE_SECONDS`` (like the institution profile), so the pages that publish a
    standard cost no query for it and a writing transaction never reads it first.  The process that
    saves a change sees it at once; the others within that many seconds."""
    cached = current_app.extensions.get("pintu_service_settings")
    ttl = float(current_app.config.get("SERVICE_SETTINGS_CACHE_SECONDS") or 0)
    if cached is None or time.monotonic() - cached[0] > ttl:
        try:
            rows = {r.service: (dict(r.values or {}), r.version) for r in ServiceSetting.select()}
        except (OperationalError, ProgrammingError):  # database not set up yet (before init-db)
            return {}
        cached = (time.monotonic(), rows)
        current_app.extensions["pintu_service_settings"] = cached
    return cached[1]


def overrides(slug: str) -> tuple[dict, int]:
    """``(values, version)`` stored for ``slug`` (``({}, 0)`` when none)."""
    return _all().get(slug, ({}, 0))


def forget() -> None:
    """Drop this process's copy (after a save, and in tests)."""
    current_app.extensions.pop("pintu_service_settings", None)


def apply(service: Service, values: dict) -> Service:
    """A copy of ``service`` with ``values`` (see :data:`KEYS`) applied; ``service`` when empty."""
    if not values:
        return service
    changes = {}
    if values.get("completion_amount") is not None:
        changes["completion_time"] = Duration(float(values["completion_amount"]),
                                              values.get("completion_unit") or "hari_kerja")
        changes["completion_days"] = None
    if values.get("completion_text"):
        changes["completion_text"] = values["completion_text"]
    if values.get("tariff_amount") is not None:
        changes["tariff"] = Fee(int(values["tariff_amount"]), values.get("tariff_per", ""),
                                values.get("tariff_payer", ""))
    elif values.get("fee"):
        changes["tariff"] = None
    if "periods" in values:
        changes["periods"] = tuple(Period(dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"]),
                                          p.get("label", "")) for p in values["periods"])
    for key in ("summary", "product", "complaint_channel"):
        if values.get(key):
            changes[key] = values[key]
    copy = dataclasses.replace(service, **changes)
    if values.get("fee") and values.get("tariff_amount") is None:
        copy.fee = values["fee"]
    copy.plugin = service.plugin
    return copy


def effective(service: Service) -> Service:
    """``service`` as published now: the declaration with the administrator's overrides."""
    return apply(service, overrides(service.slug)[0])


def effective_all(services) -> list[Service]:
    """Each of ``services`` as published now (the Standar Pelayanan book)."""
    return [effective(s) for s in services]


def save(service: Service, values: dict, actor, expected_version: int) -> None:
    """Store ``values`` (only keys of :data:`KEYS`; empty values drop an override) and audit the change.

    Raises :class:`StaleSettings` when the stored version is not ``expected_version``.
    """

    clean = {k: v for k, v in values.items() if k in KEYS and v not in (None, "", [])}
    if "periods" in values and values["periods"] == [] and service.periods:
        clean["periods"] = []  # closing every declared period is an override too
    with write_transaction():
        row = ServiceSetting.get_or_none(ServiceSetting.service == service.slug)
        current = row.version if row else 0
        if current != expected_version:
            raise StaleSettings()
        before = dict(row.values or {}) if row else {}
        if row is None:
            ServiceSetting.create(service=service.slug, values=clean, version=1, updated_by=actor.id)
        else:
            ServiceSetting.update(values=clean, version=ServiceSetting.version + 1, updated_at=utcnow(),
                                  updated_by=actor.id).where(ServiceSetting.id == row.id).execute()
        changed = sorted(k for k in set(before) | set(clean) if before.get(k) != clean.get(k))
        audit.record("service.settings", ("service", service.slug, service.title), changed=changed,
                     before={k: before.get(k) for k in changed}, after={k: clean.get(k) for k in changed})
    forget()


def closed_message(service: Service, today: dt.date) -> str | None:
    """The refusal for a submission outside the service's proposal periods, or None when open."""
    if service.open_period(today):
        return None
    periods = "; ".join(p.text for p in service.periods) or "belum ada periode yang dibuka"
    return f"Pengajuan layanan ini hanya diterima pada periode: {periods}. Draf tetap dapat disimpan."
