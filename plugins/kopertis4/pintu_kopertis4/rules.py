"""Rules of the Kopertis IV standards that are more than text: checks run on the application form.

Each rule is a :data:`pintu.contract.services.Validator` (cleaned form data -> {field: Indonesian message}),
attached to its service through ``ServicePack(extras=...)`` in ``__init__.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from dateutil.relativedelta import relativedelta

from pintu import today


#: Standard no. 4, list A item 7: "Batas Usia Penerima Adalah 45 Tahun Untuk S2 Dan 50 Tahun Untuk S3
#: Terhitung Per Desember Tahun Berjalan".
BUDI_DN_MAX_AGE = {"s2": 45, "s3": 50}
#: Standard no. 4, list B item 7: "Batas Usia Pelamar Tidak Melebihi 47 Tahun Ketika Mendaftar Beasiswa".
BUDI_LN_MAX_AGE = 47


def _age(born: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (dateutil handles 29 February and month lengths)."""
    return relativedelta(on, born).years


def beasiswa_age_limit(data: Mapping[str, object]) -> dict[str, str]:
    """The BUDI age limit of the chosen programme, from the birth date given on the form."""
    try:
        born = dt.date.fromisoformat(str(data.get("tanggal_lahir") or ""))
    except ValueError:
        return {}  # missing or malformed: the field's own validation already says so
    now = today()
    program, level = data.get("program"), data.get("jenjang")
    if program == "budi_dn" and level in BUDI_DN_MAX_AGE:
        limit, end_of_year = BUDI_DN_MAX_AGE[level], dt.date(now.year, 12, 31)
        if _age(born, end_of_year) > limit:
            return {"tanggal_lahir": f"Batas usia penerima BUDI-Dalam Negeri untuk {level.upper()} adalah {limit} "
                                     f"tahun, terhitung per Desember {now.year}."}
    if program == "budi_ln" and _age(born, now) > BUDI_LN_MAX_AGE:
        return {"tanggal_lahir": f"Batas usia pelamar BUDI-Luar Negeri tidak melebihi {BUDI_LN_MAX_AGE} tahun "
                                 "ketika mendaftar beasiswa."}
    return {}


def pak_rank_matches_proposal(data: Mapping[str, object]) -> dict[str, str]:
    """Standard no. 2, requirement 26: the promotion it assesses is "dari Asisten Ahli ke Lektor"."""
    if data.get("jenis_usulan") == "kenaikan_jabatan" and data.get("jabatan_usulan") not in (None, "", "lektor"):
        return {"jabatan_usulan": "Kenaikan jabatan akademik pada layanan ini adalah dari Asisten Ahli ke Lektor: "
                                  "pilih Lektor."}
    return {}
