"""Survei Kepuasan Masyarakat and the IKM (PermenPAN-RB 14/2017): the applicant of a finished
application is invited in-app and by e-mail, answers once, and the IKM is computed as the regulation
prescribes, per service, per unit and for the institution, per period, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from pintu.standards import survey
from pintu.testing import act, count_queries, login, mails_to, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
APPLICANT = "alumni@test.id"

# The worked example, computed by hand (four respondents, ratings u1..u9):
#   R1: 4 4 4 4 4 4 4 4 4
#   R2: 3 3 3 4 3 3 3 3 3
#   R3: 2 3 2 4 3 3 4 2 3
#   R4: 3 2 3 4 4 3 3 3 2
# Sums per element: 12 12 12 16 14 13 14 12 12
# NRR = sum / 4:    3,00 3,00 3,00 4,00 3,50 3,25 3,50 3,00 3,00
# NRR tertimbang = NRR x 1/9, summed: 29,25 / 9 = 3,25
# IKM = 3,25 x 25 = 81,25 -> 76,61 <= 81,25 <= 88,30: mutu B (Baik)
# Elements below "Baik" (NRR < 3,0644): U1, U2, U3, U8, U9.
EXAMPLE = [[4, 4, 4, 4, 4, 4, 4, 4, 4], [3, 3, 3, 4, 3, 3, 3, 3, 3], [2, 3, 2, 4, 3, 3, 4, 2, 3],
           [3, 2, 3, 4, 4, 3, 3, 3, 2]]


@pytest.fixture
def cast(app, make_user, staff):
    make_user(APPLICANT, category="mahasiswa", name="Rina Alumni")
    make_user("lain@test.id", category="mahasiswa", name="Orang Lain")
    return staff


def submitted(app) -> int:
    applicant = app.test_client()
    login(applicant, APPLICANT)
    r = applicant.post("/layanan/legalisir/ajukan", content_type="multipart/form-data",
                       data={**FIELDS, "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                             "file_transkrip": pdf("transkrip.pdf")})
    assert r.status_code == 302
    return int(r.location.rstrip("/").split("/")[-1])


def finished(app) -> int:
    app_id = submitted(app)
    petugas, akademik = app.test_client(), app.test_client()
    login(petugas, "petugas@test.id")
    login(akademik, "akademik@test.id")
    assert act(petugas, app, app_id, "lengkap").status_code == 200
    assert act(akademik, app, app_id, "legalised").status_code == 200
    assert act(petugas, app, app_id, "taken").status_code == 200
    return app_id


def answer(client, app_id, ratings, suggestion="", **respondent):
    data = {f"u{i}": str(v) for i, v in enumerate(ratings, 1)}
    data.update(suggestion=suggestion, **respondent)
    return client.post(f"/permohonan/{app_id}/survei", data=data)


def responses(app) -> int:
    with app.app_context():
        from pintu.data.models import SurveyResponse

        return SurveyResponse.select().count()


def test_a_finished_application_invites_its_applicant_in_app_and_by_email(app, cast):
    app_id = finished(app)
    mail = mails_to(app, APPLICANT)[-1]
    assert "Survei Kepuasan Masyarakat" in mail and f"/permohonan/{app_id}/survei" in mail
    applicant = app.test_client()
    login(applicant, APPLICANT)
    assert "mohon isi Survei Kepuasan Masyarakat" in applicant.get("/notifikasi").get_data(as_text=True)
    page = applicant.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert f'href="/permohonan/{app_id}/survei"' in page
    # Answered: the invitation is gone.
    assert answer(applicant, app_id, EXAMPLE[0]).status_code == 302
    assert f'href="/permohonan/{app_id}/survei"' not in applicant.get(f"/permohonan/{app_id}").get_data(as_text=True)


def test_one_response_per_application_and_only_by_its_applicant_once_finished(app, cast):
    open_id = submitted(app)
    applicant = app.test_client()
    login(applicant, APPLICANT)
    early = answer(applicant, open_id, EXAMPLE[0])
    assert "dapat diisi setelah permohonan" in early.get_data(as_text=True) and responses(app) == 0
    app_id = finished(app)
    other = app.test_client()
    login(other, "lain@test.id")
    assert answer(other, app_id, EXAMPLE[0]).status_code == 404
    staff = app.test_client()
    login(staff, "petugas@test.id")
    assert answer(staff, app_id, EXAMPLE[0]).status_code == 404
    assert responses(app) == 0
    # A double submit makes one response; the second is told it was received.
    assert answer(applicant, app_id, EXAMPLE[0], "Bagus", gender="P", age="24", education="s1d4",
                  occupation="swasta").status_code == 302
    again = answer(applicant, app_id, EXAMPLE[1], "Lagi")
    assert "sudah diterima" in again.get_data(as_text=True)
    assert responses(app) == 1
    with app.app_context():
        from pintu.data.models import SurveyResponse

        row = SurveyResponse.get()
        assert (row.u1, row.suggestion, row.gender, row.age, row.education, row.occupation) == \
               (4, "Bagus", "P", 24, "s1d4", "swasta")
        assert (row.service, row.unit) == ("legalisir", "Bagian Akademik")


def test_a_missing_rating_is_named_and_nothing_is_lost_or_saved(app, cast):
    app_id = finished(app)
    applicant = app.test_client()
    login(applicant, APPLICANT)
    data = {f"u{i}": "3" for i in range(1, 10) if i != 7}
    r = applicant.post(f"/permohonan/{app_id}/survei", data={**data, "suggestion": "Antrean panjang", "age": "7"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Pilih salah satu nilai." in page and "Isi umur 10-120 tahun." in page
    assert "Antrean panjang" in page and '<input checked id="u1-2" name="u1" required type="radio" value="3">' in page
    assert responses(app) == 0


def test_ikm_of_the_worked_example(app, cast, client):
    applicant = app.test_client()
    login(applicant, APPLICANT)
    suggestions = ["", "", "Ruang tunggu sempit", "Prosedur membingungkan"]
    for ratings, text in zip(EXAMPLE, suggestions):
        assert answer(applicant, finished(app), ratings, text).status_code == 302

    with app.app_context():
        import datetime as dt

        data = survey.report(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1))
    index = data["institution"]
    assert index.respondents == 4
    assert [float(n) for n in index.nrr] == [3.0, 3.0, 3.0, 4.0, 3.5, 3.25, 3.5, 3.0, 3.0]
    assert index.ikm == Decimal("81.25") and index.grade == ("B", "Baik")
    assert index.low_elements() == [0, 1, 2, 7, 8]
    assert data["services"]["legalisir"].ikm == Decimal("81.25")
    assert data["units"]["Bagian Akademik"].respondents == 4

    page = client.get("/ikm").get_data(as_text=True)
    assert "<strong>81,25</strong> · Mutu B (Baik) · 4 responden" in page
    assert "3,25" in page and "Legalisir Ijazah dan Transkrip Akademik" in page
    assert "Ruang tunggu sempit" not in page  # suggestions are for admin and pimpinan
    rows = list(csv.reader(io.StringIO(client.get("/ikm.csv").get_data(as_text=True))))
    assert rows[1][:3] == ["instansi", "Seluruh layanan", "4"] and rows[1][-3:] == ["81.25", "B", "Baik"]
    assert rows[1][3:12] == ["3.0000", "3.0000", "3.0000", "4.0000", "3.5000", "3.2500", "3.5000", "3.0000",
                             "3.0000"]
    assert ["layanan", "Legalisir Ijazah dan Transkrip Akademik", "4"] == rows[2][:3]
    assert ["unit", "Bagian Akademik", "4"] == rows[3][:3]

    pimpinan = app.test_client()
    login(pimpinan, "pimpinan@test.id")
    page = pimpinan.get("/ikm").get_data(as_text=True)
    low = page[page.index("Unsur bernilai rendah"):]
    assert "Persyaratan (3,00)" in low and "Sarana dan prasarana (3,00)" in low and "Perilaku pelaksana (" not in low
    assert "Ruang tunggu sempit" in low and "Prosedur membingungkan" in low


def test_the_ikm_page_costs_the_same_queries_whatever_the_number_of_answers(app, cast, client):
    applicant = app.test_client()
    login(applicant, APPLICANT)
    answer(applicant, finished(app), EXAMPLE[0])
    pimpinan = app.test_client()
    login(pimpinan, "pimpinan@test.id")
    few = count_queries(pimpinan, "/ikm")[0], count_queries(client, "/ikm")[0]
    for ratings in EXAMPLE[1:]:
        answer(applicant, finished(app), ratings, "Saran")
    assert (count_queries(pimpinan, "/ikm")[0], count_queries(client, "/ikm")[0]) == few


def test_a_period_counts_only_its_answers(app, cast, client):
    applicant = app.test_client()
    login(applicant, APPLICANT)
    answer(applicant, finished(app), EXAMPLE[2])
    assert "1 responden" in client.get("/ikm").get_data(as_text=True)
    assert "Belum ada responden pada periode ini." in client.get("/ikm?tahun=2020").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/ikm.csv?tahun=2020&triwulan=2").get_data(as_text=True))))
    assert rows[1][2] == "0"


@pytest.mark.parametrize("ikm, grade", [("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"),
                                        ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("25.00", "D")])
def test_grades_follow_the_regulations_conversion_intervals(ikm, grade):
    assert survey.grade_of(Decimal(ikm))[0] == grade


@pytest.mark.config(RETENTION_DAYS=30)
def test_the_answer_is_in_the_data_export_and_retention_keeps_only_the_ratings(app, cast):
    import datetime as dt
    import json
    import zipfile

    from pintu.data.models import Application, SurveyResponse

    app_id = finished(app)
    applicant = app.test_client()
    login(applicant, APPLICANT)
    answer(applicant, app_id, EXAMPLE[2], "Nama saya Rina, antrean lama", gender="P", age="30")
    archive = zipfile.ZipFile(io.BytesIO(applicant.get("/profil/data-saya.zip").get_data()))
    record = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith("permohonan.json"))))
    assert record["survei"]["saran"] == "Nama saya Rina, antrean lama"
    assert record["survei"]["nilai"]["Persyaratan"] == 2
    with app.app_context():
        Application.update(closed_at=dt.datetime.utcnow() - dt.timedelta(days=31)).where(
            Application.id == app_id).execute()
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "1 permohonan dianonimkan" in result.output
    with app.app_context():
        row = SurveyResponse.get()
        assert (row.suggestion, row.gender, row.age) == ("", "", None)
        assert [getattr(row, c) for c in survey.COLUMNS] == EXAMPLE[2]  # the period's IKM is unchanged


def test_demo_data_answers_the_survey_for_its_finished_applications(app, client):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    page = client.get("/ikm").get_data(as_text=True)
    assert "Belum ada responden" not in page.split("Per unsur", 1)[0] and "responden</p>" in page
