"""Shared fixtures and helpers for the Gedung Serba Guna tests (HTTP through the test client).

The suite runs with ``--import-mode=importlib``, where a test module cannot import
this file; the helpers are reached through the ``h`` fixture (this module).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys

import pytest

from pintu.testing import act, app_id_of, events_of as events, field_error, get_application as get, login, pdf

SLUG = "gedung"
DAY = dt.date.today() + dt.timedelta(days=30)  # a future day, well clear of "now" in any timezone
INTERNAL = "dosen@test.id"
EXTERNAL = "warga@test.id"
EXTERNAL2 = "instansi@test.id"
KEU = "keu@test.id"


@pytest.fixture
def h():
    """This module: the helpers below (apply, act, get, booking, ...)."""
    return sys.modules[__name__]


@pytest.fixture
def cast(app, staff, make_user):
    """Staff (with Umum dan Keuangan and a second leader), applicants and two buildings."""
    from pintu_gedung.models import Building

    make_user(KEU, "verifikator", "umum_keuangan")
    make_user("pimpinan2@test.id", "pimpinan", name="Pimpinan Dua")
    make_user(INTERNAL, category="dosen", name="Dewi Dosen")
    make_user("dosen2@test.id", category="dosen", name="Dimas Dosen")
    make_user(EXTERNAL, category="masyarakat", name="Joko Warga")
    make_user(EXTERNAL2, category="instansi", name="SMK Negeri 1 Jember")
    with app.app_context():
        gsg = Building.create(name="Gedung Serba Guna Polije", capacity=1000, facilities="Panggung, sound system",
                              tariff_day=5_000_000, tariff_half_day=3_000_000)
        aula = Building.create(name="Aula Lantai 3", capacity=200, facilities="Proyektor",
                               tariff_day=1_500_000, tariff_half_day=900_000)
    return {"gsg": gsg.id, "aula": aula.id}


def form(building, day=DAY, start="08:00", end="16:00", status="internal", last_day=None, **extra):
    data = {"gedung": str(building), "tanggal_mulai": day.isoformat(),
            "tanggal_selesai": (last_day or day).isoformat(), "jam_mulai": start, "jam_selesai": end,
            "jumlah_peserta": "150", "keterangan": "Seminar nasional", "status_peminjam": status}
    data.update(extra)
    return data


def apply(client, building, submit=True, with_letter=True, **kwargs):
    data = form(building, **kwargs)
    if with_letter:
        data.setdefault("file_surat_permohonan", pdf("surat_permohonan.pdf"))
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def submitted(client, email, building, **kwargs) -> int:
    login(client, email)
    return app_id_of(apply(client, building, **kwargs))


def booking(app, app_id):
    from pintu_gedung.models import Booking

    with app.app_context():
        return Booking.get_or_none(Booking.application == app_id)


def step_action(client, app, app_id, action, files=None, note=""):
    data = {"action": action, "version": str(get(app, app_id).version), "note": note}
    data.update(files or {})
    return client.post(f"/permohonan/{app_id}/tindakan", data=data, content_type="multipart/form-data")


def text(page: str) -> str:
    """The page's text with tags dropped and whitespace collapsed (for phrase assertions)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def to_approval(client, app, app_id):
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    login(client, KEU)
    assert act(client, app, app_id, "verified").status_code == 200
    assert get(app, app_id).step == "persetujuan"


def approved(client, app, app_id):
    to_approval(client, app, app_id)
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "approve")
    assert r.status_code == 200, text(r.get_data(as_text=True))[:500]
