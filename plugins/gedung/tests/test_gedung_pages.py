"""The plugin's own pages: public schedule, fee preview, admin building pages, service page, demo data."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pintu.testing import login

# ---------------------------------------------------------------------------
# Public schedule
# ---------------------------------------------------------------------------


def test_schedule_shows_booked_and_pending_slots_without_login(app, client, cast, h):
    booked = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="12:00", status="eksternal")
    h.approved(client, app, booked)
    h.submitted(client, h.INTERNAL, cast["gsg"], start="13:00", end="17:30")
    two_days = h.submitted(client, "dosen2@test.id", cast["gsg"], day=h.DAY + dt.timedelta(days=1), start="18:00",
                           end="10:00", last_day=h.DAY + dt.timedelta(days=2))
    refused = h.submitted(client, h.EXTERNAL2, cast["gsg"], day=h.DAY + dt.timedelta(days=3), status="eksternal",
                          start="07:00", end="09:00")
    login(client, "petugas@test.id")
    h.act(client, app, refused, "refuse", note="Surat tidak sah.")

    client = app.test_client()  # a visitor who never logged in (and has no pending flash messages)
    month = client.get(f"/gedung/jadwal?gedung={cast['gsg']}&tanggal={h.DAY.isoformat()}")
    assert month.status_code == 200
    page = month.get_data(as_text=True)
    words = h.text(page)
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    assert f"{months[h.DAY.month - 1]} {h.DAY.year}" in words
    # Full day names for everyone (screen readers included); "Sen ... Min" are shown instead on a phone.
    assert re.findall(r'class="day-long">(\w+)<', page) == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu",
                                                             "Minggu"]
    assert "08.00–12.00 Terpakai" in words
    assert "13.00–17.30 Menunggu persetujuan" in words
    if (h.DAY + dt.timedelta(days=2)).month == h.DAY.month:
        assert "18.00–24.00 Menunggu persetujuan" in words and "00.00–10.00 Menunggu persetujuan" in words
    assert "07.00–09.00" not in words  # refused: not on the schedule
    # The public sees times and status only: no names, no reference numbers.
    for private in ("Joko Warga", "Dewi Dosen", "GSG-"):
        assert private not in page, page[max(0, page.find(private) - 300):page.find(private) + 100]
    assert f"/layanan/gedung/ajukan?gedung={cast['gsg']}" in page

    week = h.text(client.get(f"/gedung/jadwal?gedung={cast['gsg']}&tampilan=minggu&tanggal={h.DAY.isoformat()}")
                  .get_data(as_text=True))
    days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    assert f"{days[h.DAY.weekday()]}, {h.DAY.day} {months[h.DAY.month - 1]} {h.DAY.year}" in week
    assert "08.00–12.00 Terpakai" in week and "Kosong" in week

    # Another building's schedule is empty; htmx asks for the schedule fragment only.
    r = client.get(f"/gedung/jadwal?gedung={cast['aula']}&tanggal={h.DAY.isoformat()}",
                   headers={"HX-Request": "true", "HX-Target": "jadwal"})
    fragment = r.get_data(as_text=True)
    assert "<html" not in fragment and 'id="jadwal-judul"' in fragment
    assert "Terpakai" not in h.text(fragment).replace("Terpakai (disetujui)", "")

    # Staff of the service see the reference numbers with links to the applications; staff of
    # another service (who cannot open them) do not.
    login(client, "pimpinan@test.id")
    page = client.get(f"/gedung/jadwal?gedung={cast['gsg']}&tanggal={h.DAY.isoformat()}").get_data(as_text=True)
    assert f'href="/permohonan/{booked}"' in page and h.get(app, booked).reference in page
    login(client, "akademik@test.id")
    page = client.get(f"/gedung/jadwal?gedung={cast['gsg']}&tanggal={h.DAY.isoformat()}").get_data(as_text=True)
    assert "08.00–12.00 Terpakai" in h.text(page) and f'href="/permohonan/{booked}"' not in page


def test_schedule_navigation_month_and_week(app, client, cast, h):
    page = client.get("/gedung/jadwal?tanggal=2027-01-15").get_data(as_text=True)
    assert "Januari 2027" in page
    assert "tanggal=2026-12-01" in page and "tanggal=2027-02-01" in page  # previous / next month
    week = client.get("/gedung/jadwal?tampilan=minggu&tanggal=2027-01-15").get_data(as_text=True)
    assert "11–17 Januari 2027" in week  # Monday to Sunday
    assert "tanggal=2027-01-04" in week and "tanggal=2027-01-18" in week
    across = h.text(client.get("/gedung/jadwal?tampilan=minggu&tanggal=2026-12-30").get_data(as_text=True))
    assert "28 Desember 2026 – 3 Januari 2027" in across
    assert client.get("/gedung/jadwal?tanggal=bukan-tanggal&gedung=x").status_code == 200


def test_service_page_lists_buildings_and_tariffs(app, client, cast, h):
    page = h.text(client.get("/layanan/gedung").get_data(as_text=True))
    assert "Gedung Serba Guna Polije" in page and "Rp 5.000.000" in page and "Rp 3.000.000" in page
    assert "Surat permohonan resmi peminjaman / penyewaan gedung" in page
    assert "Kelola data gedung" not in page
    login(client, "admin@test.id")
    assert "Kelola data gedung" in client.get("/layanan/gedung").get_data(as_text=True)


# ---------------------------------------------------------------------------
# Fee preview (htmx endpoint)
# ---------------------------------------------------------------------------

def _fee(client, building, day, last_day, start, end, status="eksternal"):
    """Ask the preview endpoint as the form's htmx does; returns (amount or None, fragment)."""
    params = {"gedung": building, "tanggal_mulai": day.isoformat(), "tanggal_selesai": last_day.isoformat(),
              "jam_mulai": start, "jam_selesai": end, "status_peminjam": status}
    r = client.get("/gedung/biaya", query_string=params, headers={"HX-Request": "true"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    m = re.search(r'data-amount="(\d+)"', page)
    return (int(m.group(1)) if m else None), page


@pytest.mark.parametrize("start,end,days,amount", [
    ("08:00", "13:00", 0, 3_000_000),   # exactly 5 hours: half day
    ("08:00", "13:01", 0, 5_000_000),   # a minute more: a whole day
    ("19:00", "23:30", 0, 3_000_000),
    ("08:00", "16:00", 1, 10_000_000),  # two calendar days
    ("20:00", "02:00", 1, 10_000_000),  # 6 hours over midnight still touches two days
    ("08:00", "17:00", 2, 15_000_000),
])
def test_fee_preview_returns_the_amount(app, client, cast, h, start, end, days, amount):
    got, page = _fee(client, cast["gsg"], day=h.DAY, last_day=h.DAY + dt.timedelta(days=days), start=start, end=end)
    assert got == amount
    assert f"Rp {amount:,}".replace(",", ".") in page


def test_fee_preview_internal_incomplete_and_problems(app, client, cast, h):
    got, page = _fee(client, cast["gsg"], day=h.DAY, last_day=h.DAY, start="08:00", end="16:00", status="internal")
    assert got == 0 and "Tidak dipungut biaya (pengguna internal)" in page
    got, page = _fee(client, cast["aula"], day=h.DAY, last_day=h.DAY, start="08:00", end="16:00")
    assert got == 1_500_000 and "Rp 1.500.000 (1 hari × Rp 1.500.000)" in page
    got, page = _fee(client, cast["gsg"], day=h.DAY, last_day=h.DAY, start="16:00", end="08:00")
    assert got is None and "Jam selesai harus sesudah jam mulai." in page
    r = client.get("/gedung/biaya", query_string={"gedung": cast["gsg"]})
    assert "Pilih gedung, tanggal, jam dan status keterangan" in r.get_data(as_text=True)
    # Against an approved booking: the amount and the clash; against a pending one: a notice.
    booked = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="12:00", status="eksternal")
    got, page = _fee(client, cast["gsg"], day=h.DAY, last_day=h.DAY, start="10:00", end="11:00")
    assert "Ada 1 permohonan lain" in page
    h.approved(client, app, booked)
    got, page = _fee(client, cast["gsg"], day=h.DAY, last_day=h.DAY, start="10:00", end="11:00")
    assert got == 3_000_000 and "sudah dipakai pada" in h.text(page)


def test_form_wires_the_fee_preview(app, client, cast, h):
    login(client, h.EXTERNAL)
    page = client.get(f"/layanan/gedung/ajukan?gedung={cast['aula']}&tanggal={h.DAY.isoformat()}").get_data(
        as_text=True)
    assert 'hx-get="/gedung/biaya"' in page and 'hx-trigger="change from:closest form"' in page
    assert f'<option selected value="{cast["aula"]}">' in page  # coming from the schedule
    assert f'value="{h.DAY.isoformat()}"' in page


# ---------------------------------------------------------------------------
# Admin: buildings
# ---------------------------------------------------------------------------

def test_building_admin_is_for_admins_only(app, client, cast, h):
    urls = ["/gedung/admin/", "/gedung/admin/tambah", f"/gedung/admin/{cast['gsg']}/ubah"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and "/masuk" in r.location
    for email in (h.INTERNAL, "petugas@test.id", h.KEU, "pimpinan@test.id"):
        login(client, email)
        for url in urls:
            assert client.get(url).status_code == 403, (email, url)
        r = client.post("/gedung/admin/tambah", data={"name": "Gedung Liar", "capacity": "10", "tariff_day": "0",
                                                      "tariff_half_day": "0", "active": "y"})
        assert r.status_code == 403
    from pintu_gedung.models import Building

    with app.app_context():
        assert not Building.select().where(Building.name == "Gedung Liar").exists()


def test_admin_adds_and_edits_buildings(app, client, cast, h):
    from pintu_gedung.models import Building

    login(client, "admin@test.id")
    listing = h.text(client.get("/gedung/admin/").get_data(as_text=True))
    assert "Gedung Serba Guna Polije" in listing and "Rp 5.000.000" in listing

    r = client.post("/gedung/admin/tambah", data={"name": "", "capacity": "sepuluh", "tariff_day": "1.000.000",
                                                  "tariff_half_day": "2000000"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert h.field_error(page, "name") == "Wajib diisi."
    assert h.field_error(page, "capacity") == "Isi dengan angka bulat, mis. 1500000."
    assert h.field_error(page, "tariff_half_day") == "Tarif setengah hari tidak boleh melebihi tarif per hari."
    r = client.post("/gedung/admin/tambah", data={"name": "Aula Lantai 3", "capacity": "50", "tariff_day": "0",
                                                  "tariff_half_day": "0"})
    assert h.field_error(r.get_data(as_text=True), "name") == "Nama gedung ini sudah terdaftar."

    r = client.post("/gedung/admin/tambah", data={"name": "Ruang Seminar TEFA", "capacity": "80",
                                                  "facilities": "Proyektor, AC", "tariff_day": "Rp 750.000",
                                                  "tariff_half_day": "450.000", "active": "y"})
    assert r.status_code == 302
    with app.app_context():
        new = Building.get(Building.name == "Ruang Seminar TEFA")
        assert (new.capacity, new.tariff_day, new.tariff_half_day, new.active) == (80, 750_000, 450_000, True)
    login(client, h.INTERNAL)
    assert "Ruang Seminar TEFA" in client.get("/layanan/gedung/ajukan").get_data(as_text=True)

    login(client, "admin@test.id")
    form = client.get(f"/gedung/admin/{new.id}/ubah").get_data(as_text=True)
    assert 'value="Ruang Seminar TEFA"' in form and 'value="750000"' in form
    r = client.post(f"/gedung/admin/{new.id}/ubah", data={"name": "Ruang Seminar TEFA", "capacity": "90",
                                                         "tariff_day": "800000", "tariff_half_day": "500000"})
    assert r.status_code == 302  # "active" unticked: switched off
    with app.app_context():
        new = Building.get_by_id(new.id)
        assert (new.capacity, new.tariff_day, new.active) == (90, 800_000, False)
    assert client.get("/gedung/admin/9999/ubah").status_code == 404
    login(client, h.INTERNAL)
    assert "Ruang Seminar TEFA" not in client.get("/layanan/gedung/ajukan").get_data(as_text=True)
    assert "Ruang Seminar TEFA" not in client.get("/gedung/jadwal").get_data(as_text=True)


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------

def test_demo_data_covers_every_state(app):
    from pintu.data.models import Application
    from pintu_gedung.models import Booking, Building

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert Building.select().count() == 3
        assert Building.select().where(Building.active == False).count() == 1  # noqa: E712
        rows = list(Application.select().where(Application.service == "gedung"))
        states = {(a.status, a.step) for a in rows}
        for state in [("draft", None), ("in_process", "kelengkapan"), ("in_process", "verifikasi"),
                      ("in_process", "persetujuan"), ("ready", "pengambilan"), ("in_process", "pembayaran"),
                      ("in_process", "verifikasi_pembayaran"), ("refused", None), ("returned", None),
                      ("done", None), ("cancelled", None)]:
            assert state in states, state
        assert all(a.refusal_reason for a in rows if a.status == "refused")
        statuses = {b.status for b in Booking.select()}
        assert statuses == {"pending", "approved", "refused", "cancelled"}
        # No two approved bookings of one building overlap.
        approved = list(Booking.select().where(Booking.status == "approved"))
        for a in approved:
            for b in approved:
                if a.id < b.id and a.building_id == b.building_id:
                    assert not (a.start < b.end and b.start < a.end)


def test_admin_menu_links_to_the_building_pages(app, client, staff):
    from pintu.testing import login

    login(client, "admin@test.id")
    page = client.get("/admin/unit").get_data(as_text=True)
    assert 'href="/gedung/admin/"' in page
