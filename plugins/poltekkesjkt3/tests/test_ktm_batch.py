"""KTM of Poltekkes Kemenkes Jakarta III through HTTP: the individual request up to the bank's step, and
the staff page that sends the bank its batch (NIM list as XLSX, photos as ZIP), access-checked and audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from pintu.testing import PNG, act, app_id_of, count_rows, count_queries, field_error, get_application, login, pdf

pytestmark = pytest.mark.config(INSTITUTION_KEY="poltekkesjkt3")

SLUG = "pk3-ktm"
UNIT = "pk3-kemahasiswaan"
PAGE = "/petugas/ktm-bank/"
XLSX = "/petugas/ktm-bank/daftar-nim.xlsx"
ZIP = "/petugas/ktm-bank/foto.zip"


@pytest.fixture
def cast(make_user):
    return {
        "petugas": make_user("yandu@test.id", "petugas"),
        "kemahasiswaan": make_user("kemahasiswaan@test.id", "verifikator", UNIT),
        "kasubbag": make_user("kasubbag@test.id", "pimpinan", UNIT),
        "other": make_user("akademik@test.id", "verifikator", "pk3-akademik"),
        "admin": make_user("admin@test.id", "admin"),
    }


def apply(client, make_user, n, photo=None):
    email = f"mhs{n}@test.id"
    make_user(email, category="mahasiswa", name=f"Mahasiswa {n}")
    login(client, email)
    data = {"nim": f"P3.73.20.1.25.{n:03d}", "jurusan": "kebidanan", "angkatan": "2025", "submit": "1",
            "file_foto": photo or (io.BytesIO(PNG), f"foto{n}.png")}
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def to_bank(app, client, app_id):
    login(client, "yandu@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    login(client, "kemahasiswaan@test.id")
    assert act(client, app, app_id, "sesuai").status_code == 200
    assert get_application(app, app_id).step == "bank"


def waiting_for_bank(app, client, make_user, count, start=1):
    ids = []
    for n in range(start, start + count):
        app_id = app_id_of(apply(client, make_user, n))
        to_bank(app, client, app_id)
        ids.append(app_id)
    return ids


def audit_rows(app):
    from pintu.data.models import AuditEntry

    with app.app_context():
        return [(e.action, e.actor_email, e.details) for e in AuditEntry.select().order_by(AuditEntry.id)
                if e.action == "ktm.batch_download"]


def test_the_bank_step_is_the_outside_party_and_pauses_the_clock(app, client, cast, make_user):
    from pintu.contract.plugins import find_service

    app_id = waiting_for_bank(app, client, make_user, 1)[0]
    with app.app_context():
        step = find_service(SLUG).step(get_application(app, app_id).step)
    assert step.external and step.pauses_clock and step.party.label.startswith("Bank")


def test_only_verified_requests_are_in_the_batch(app, client, cast, make_user):
    waiting_for_bank(app, client, make_user, 1)
    app_id_of(apply(client, make_user, 2))  # still at the front office
    login(client, "kemahasiswaan@test.id")
    page = client.get(PAGE).get_data(as_text=True)
    assert "P3.73.20.1.25.001" in page and "Mahasiswa 1" in page
    assert "P3.73.20.1.25.002" not in page


def test_the_nim_list_is_an_xlsx_of_the_waiting_requests_and_is_audited(app, client, cast, make_user):
    waiting_for_bank(app, client, make_user, 2)
    login(client, "kasubbag@test.id")
    r = client.get(XLSX)
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["Cache-Control"] == "no-store" and "attachment; filename=ktm-bank-" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("No", "NIM", "Nama", "Jurusan")
    assert [row[1] for row in rows[1:]] == ["P3.73.20.1.25.001", "P3.73.20.1.25.002"]
    assert rows[1][3] == "Jurusan Kebidanan" and rows[1][7] == "P3.73.20.1.25.001.png"
    [(action, actor, details)] = audit_rows(app)
    assert actor == "kasubbag@test.id" and details["format"] == "xlsx" and details["count"] == 2


def test_the_photos_zip_holds_each_photo_named_by_nim(app, client, cast, make_user):
    waiting_for_bank(app, client, make_user, 2)
    login(client, "kemahasiswaan@test.id")
    r = client.get(ZIP)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(archive.namelist()) == ["P3.73.20.1.25.001.png", "P3.73.20.1.25.002.png"]
    assert archive.read("P3.73.20.1.25.001.png") == PNG
    assert audit_rows(app)[-1][2]["format"] == "zip"


@pytest.mark.parametrize("url", [PAGE, XLSX, ZIP])
def test_students_and_other_staff_are_refused(app, client, cast, make_user, url):
    waiting_for_bank(app, client, make_user, 1)
    login(client, "mhs1@test.id")
    assert client.get(url).status_code == 403
    for email in ("yandu@test.id", "akademik@test.id"):
        login(client, email)
        assert client.get(url).status_code == 403
    client.post("/keluar")
    assert client.get(url).status_code in (302, 401)
    assert audit_rows(app) == []


def test_an_empty_batch_downloads_nothing(app, client, cast):
    login(client, "kemahasiswaan@test.id")
    r = client.get(XLSX)
    assert r.status_code == 302 and r.location.endswith(PAGE)
    assert "Belum ada permohonan KTM yang menunggu bank" in client.get(PAGE).get_data(as_text=True)
    assert audit_rows(app) == []


def test_the_batch_page_costs_the_same_queries_for_one_or_many(app, client, cast, make_user):
    waiting_for_bank(app, client, make_user, 1)
    login(client, "admin@test.id")
    one, _ = count_queries(client, PAGE)
    waiting_for_bank(app, client, make_user, 3, start=2)
    login(client, "admin@test.id")
    many, page = count_queries(client, PAGE)
    assert "P3.73.20.1.25.004" in page
    assert many == one


def test_the_photo_must_be_a_picture(app, client, cast, make_user):
    r = apply(client, make_user, 1, photo=pdf("foto.pdf"))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_foto")
    assert count_rows(app) == 0


def test_staff_see_the_batch_link_on_a_request_at_the_bank(app, client, cast, make_user):
    app_id = waiting_for_bank(app, client, make_user, 1)[0]
    login(client, "kemahasiswaan@test.id")
    assert PAGE in client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    login(client, "mhs1@test.id")
    assert PAGE not in client.get(f"/permohonan/{app_id}").get_data(as_text=True)


def test_the_bank_marks_the_card_printed_through_its_link_and_the_student_collects_it(app, client, cast, make_user):
    """The whole SOP: request, front office, Kemahasiswaan, the partner bank (no account: the link
    e-mailed to KTM_BANK_EMAIL, the institution's setting), pickup; the clock stood still at the bank."""
    import re

    from pintu.testing import hidden_fields, mails_to

    app_id = waiting_for_bank(app, client, make_user, 1)[0]
    due_before = get_application(app, app_id).due_date
    bank_mail = mails_to(app, app.config["KTM_BANK_EMAIL"])[-1]
    url = re.search(r"https?://[^/\s]+(/pihak-luar/\S+)", bank_mail).group(1)
    bank = app.test_client()
    page = bank.get(url).get_data(as_text=True)
    # what the bank needs to print the card (NIM, jurusan), not the student's contact details
    assert "KTM sudah dicetak" in page and "P3.73.20.1.25.001" in page and "mhs1@test.id" not in page
    r = bank.post(url, data={**hidden_fields(page), "action": "dicetak", "name": "Dewi Petugas Bank",
                             "capacity": "Customer Service", "note": ""})
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    application = get_application(app, app_id)
    assert application.status == "ready" and application.due_date >= due_before
    assert bank.get(url).status_code in (404, 410)  # the link is spent
    login(client, "yandu@test.id")
    act(client, app, app_id, "taken")
    assert get_application(app, app_id).status == "done"
    login(client, "mhs1@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Bank mencetak KTM" in page
