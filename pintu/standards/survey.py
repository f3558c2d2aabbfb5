"""Survei Kepuasan Masyarakat (SKM) and the Indeks Kepuasan Masyarakat (IKM).

Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat
Unit Penyelenggara Pelayanan Publik sets the nine elements (unsur) rated by the service user, the
4-point scale and the arithmetic:

* NRR per unsur = sum of the ratings of the element / number of respondents who rated it;
* NRR tertimbang per unsur = NRR x 1/9 (equal weights: the total weight 1 shared by the nine
  elements);
* IKM = sum of the NRR tertimbang (on the 1-4 scale); IKM unit pelayanan = IKM x 25 (25-100 scale);
* mutu pelayanan from the conversion table of the regulation's annex ("nilai interval konversi"):
  88,31-100,00 A (Sangat Baik), 76,61-88,30 B (Baik), 65,00-76,60 C (Kurang Baik),
  25,00-64,99 D (Tidak Baik)  (NRR intervals 3,5324-4,00 / 3,0644-3,532 / 2,60-3,064 / 1,00-2,5996).

Sources checked: the regulation's opening articles (Pasal 1: a survey at least once a year) in the
transcription at https://puskaandriana.blogspot.com/2023/03/permenpan-no-14-th-2017-tentang-survey.html;
the nine elements, the weights and the conversion table above as reproduced in a worked IKM report
following it (github.com/rennn9/GASPUL_BACKEND, rumus_perhitungan_ikm_lengkap.md).  The annex's table
itself was not readable in full here: compare GRADES with the printed regulation when in doubt.

The weights are kept exact (1/9, not the rounded 0,111 some spreadsheets use), so the IKM equals the
mean of the nine NRR times 25; it is rounded to two decimals before it is graded, as the table is
written with two decimals.

Sums are computed in SQL (one grouped query per breakdown), so the report costs a fixed number of
queries whatever the number of responses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from peewee import IntegrityError, fn

from pintu.data.db import write_transaction
from pintu.data.models import Application, Notification, SurveyResponse, Unit
from pintu.notify.notifications import absolute_url
from pintu.engine import clock

#: The nine elements (unsur) in the order of PermenPAN-RB 14/2017, with the answer wording of each
#: value 1..4 (the regulation's sample questionnaire).
ELEMENTS: list[tuple[str, str, tuple[str, str, str, str]]] = [
    ("persyaratan", "Persyaratan",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("prosedur", "Sistem, mekanisme dan prosedur",
     ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    ("waktu", "Waktu penyelesaian",
     ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    ("biaya", "Biaya/tarif",
     ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    ("produk", "Produk spesifikasi jenis pelayanan",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("kompetensi", "Kompetensi pelaksana",
     ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    ("perilaku", "Perilaku pelaksana",
     ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    ("pengaduan", "Penanganan pengaduan, saran dan masukan",
     ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    ("sarana", "Sarana dan prasarana",
     ("Buruk", "Cukup", "Baik", "Sangat baik")),
]
COLUMNS = [f"u{i}" for i in range(1, len(ELEMENTS) + 1)]
WEIGHT = Fraction(1, len(ELEMENTS))
CONVERSION = 25

#: Respondent data the regulation's form asks (all optional here).
GENDERS = {"L": "Laki-laki", "P": "Perempuan"}
EDUCATION = {"sd": "SD ke bawah", "smp": "SMP", "sma": "SMA", "d123": "D1/D2/D3", "s1d4": "S1/D4", "s2": "S2",
             "s3": "S3"}
OCCUPATIONS = {"pns": "PNS", "tni": "TNI", "polri": "POLRI", "swasta": "Swasta", "wirausaha": "Wirausaha",
               "pelajar": "Pelajar/Mahasiswa", "lainnya": "Lainnya"}

#: (lowest IKM of the grade, grade, mutu pelayanan), from the regulation's conversion table.
GRADES = [(Decimal("88.31"), "A", "Sangat Baik"), (Decimal("76.61"), "B", "Baik"),
          (Decimal("65.00"), "C", "Kurang Baik"), (Decimal("25.00"), "D", "Tidak Baik")]

#: An element whose NRR is below this (the lower bound of "Baik", 3,0644) is listed as low, with the
#: suggestions of the respondents who rated it 1 or 2.
LOW_NRR = Decimal("3.0644")


class SurveyClosed(ValueError):
    """The application cannot be rated (not finished, not the applicant's)."""


@dataclass(frozen=True)
class Index:
    """The IKM of a group of responses."""

    respondents: int
    nrr: tuple[Fraction, ...]  # per element, exact

    @property
    def ikm(self) -> Decimal:
        """IKM on the 25-100 scale, two decimals (0 without respondents)."""
        if not self.respondents:
            return Decimal("0")
        weighted = sum((n * WEIGHT for n in self.nrr), Fraction(0))
        value = Decimal(weighted.numerator * CONVERSION) / Decimal(weighted.denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def grade(self) -> tuple[str, str]:
        """(letter, mutu pelayanan)."""
        return grade_of(self.ikm) if self.respondents else ("-", "Belum ada responden")

    def nrr_text(self, i: int) -> str:
        return f"{float(self.nrr[i]):.2f}".replace(".", ",")

    @property
    def ikm_text(self) -> str:
        return f"{self.ikm}".replace(".", ",")

    def low_elements(self) -> list[int]:
        """Indexes of the elements whose NRR is below "Baik"."""
        if not self.respondents:
            return []
        return [i for i, n in enumerate(self.nrr) if Decimal(n.numerator) / n.denominator < LOW_NRR]


def grade_of(ikm: Decimal) -> tuple[str, str]:
    for lowest, letter, label in GRADES:
        if ikm >= lowest:
            return letter, label
    return GRADES[-1][1], GRADES[-1][2]


def index_of(respondents: int, sums) -> Index:
    return Index(respondents, tuple(Fraction(int(s or 0), respondents) if respondents else Fraction(0)
                                    for s in sums))


# -- answering ---------------------------------------------------------------------------------------

def can_answer(application: Application, user) -> bool:
    return application.status == "done" and application.applicant_id == getattr(user, "id", None)


def response_for(application: Application) -> SurveyResponse | None:
    return SurveyResponse.get_or_none(SurveyResponse.application == application.id)


def unit_of(service) -> str:
    """The unit a service's answers are counted under: the standard's responsible unit, else the unit of
    its first staff step with one, else the front office."""
    if service is not None and service.responsible_unit:
        return service.responsible_unit
    for step in getattr(service, "steps", ()):
        if step.unit:
            unit = Unit.get_or_none(Unit.key == step.unit)
            return unit.name if unit else step.unit
    return "Unit Layanan Terpadu"


def submit(application: Application, service, ratings: dict[str, int], suggestion: str = "",
           respondent: dict | None = None) -> tuple[SurveyResponse, bool]:
    """Store the answer about ``application``; ``(response, created)``.  A second submit (double click,
    another tab) stores nothing and returns the first answer: the unique index decides."""
    existing = response_for(application)
    if existing is not None:
        return existing, False
    respondent = respondent or {}
    values = {c: int(ratings[c]) for c in COLUMNS}
    if any(v not in (1, 2, 3, 4) for v in values.values()):
        raise ValueError("ratings are 1..4")
    try:
        with write_transaction():
            row = SurveyResponse.create(application=application.id, service=application.service,
                                        unit=unit_of(service)[:120], suggestion=(suggestion or "").strip(),
                                        gender=respondent.get("gender") or "", age=respondent.get("age"),
                                        education=respondent.get("education") or "",
                                        occupation=respondent.get("occupation") or "", **values)
    except IntegrityError:  # a concurrent submit won
        return response_for(application), False
    return row, True


def invite(application: Application) -> str:
    """Invite the applicant of a just finished application to the survey: an in-app notification;
    returns the link, which :func:`pintu.notify.event_notices.on_event` puts in the e-mail about the event.
    Called inside the transaction that finished the application."""
    Notification.create(user=application.applicant_id, application=application,
                        message=f"{application.reference}: mohon isi Survei Kepuasan Masyarakat"[:255])
    return absolute_url("survey.answer", app_id=application.id)


# -- the report --------------------------------------------------------------------------------------

def period_bounds(year: int, quarter: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Naive UTC bounds of a year or a quarter in local time (WIB): [start, end)."""
    first_month = 1 if quarter is None else 3 * (quarter - 1) + 1
    start = dt.datetime(year, first_month, 1, tzinfo=clock.zone())
    end = dt.datetime(year + 1, 1, 1, tzinfo=clock.zone()) if quarter in (None, 4) else \
        dt.datetime(year, first_month + 3, 1, tzinfo=clock.zone())
    utc = dt.timezone.utc
    return start.astimezone(utc).replace(tzinfo=None), end.astimezone(utc).replace(tzinfo=None)


def _grouped(key, start, end) -> dict[str, Index]:
    """``{key value: Index}`` of the answers in [start, end); ``key=None``: one group, ``"all"``."""
    sums = [fn.SUM(getattr(SurveyResponse, c)) for c in COLUMNS]
    columns = [key.alias("k")] if key is not None else []
    query = (SurveyResponse.select(*columns, fn.COUNT(SurveyResponse.id).alias("n"), *sums)
             .where((SurveyResponse.created_at >= start) & (SurveyResponse.created_at < end)))
    if key is not None:
        query = query.group_by(key)
    rows = [row if key is not None else ("all", *row) for row in query.tuples()]
    return {row[0]: index_of(row[1], row[2:]) for row in rows if row[1]}


def report(start: dt.datetime, end: dt.datetime) -> dict:
    """IKM of the institution, per service and per unit for answers in [start, end) (naive UTC);
    three queries whatever the number of answers."""
    institution = _grouped(None, start, end).get("all") or index_of(0, [0] * len(COLUMNS))
    per_service = _grouped(SurveyResponse.service, start, end)
    per_unit = _grouped(SurveyResponse.unit, start, end)
    return {"institution": institution, "services": per_service, "units": per_unit}


def low_suggestions(start, end, limit: int = 200) -> list[SurveyResponse]:
    """Answers with a suggestion that rated some element 1 or 2 (most recent first, one query)."""
    low = None
    for c in COLUMNS:
        cond = getattr(SurveyResponse, c) <= 2
        low = cond if low is None else (low | cond)
    return list(SurveyResponse.select()
                .where((SurveyResponse.created_at >= start) & (SurveyResponse.created_at < end)
                       & (SurveyResponse.suggestion != "") & low)
                .order_by(SurveyResponse.id.desc()).limit(limit))


def csv_rows(data: dict, titles: dict[str, str]):
    """Lines of the CSV export of a report (the institution, each service, each unit)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["tingkat", "nama", "responden", *(f"NRR {label}" for _, label, _ in ELEMENTS), "IKM", "mutu",
              "kinerja"]

    def emit(row):
        writer.writerow(row)
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    def line(level, name, index):
        return [level, name, index.respondents, *(f"{float(n):.4f}" for n in index.nrr), f"{index.ikm}",
                *index.grade]

    yield emit(header)
    yield emit(line("instansi", "Seluruh layanan", data["institution"]))
    for slug, index in sorted(data["services"].items()):
        yield emit(line("layanan", titles.get(slug, slug), index))
    for unit, index in sorted(data["units"].items()):
        yield emit(line("unit", unit, index))
