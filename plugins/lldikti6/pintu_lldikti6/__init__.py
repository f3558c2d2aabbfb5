"""PINTU pack: the 39 service standards of LLDIKTI Wilayah VI (Keputusan Kepala LLDIKTI Wilayah VI
Nomor 746/LL6/OT.01.02/2021), one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack` (``inpassing_pertama`` for
``services/08-inpassing-pertama.toml``).  Decisions about the seed's ambiguities are in README.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pintu import Institution, ServicePack, today


HERE = Path(__file__).parent

#: The units the standards name: the nine "FUNGSI ..." headings of the seed, the Sekretaris
#: (head of the secretariat; Kepala LLDIKTI is the institution's head, role ``pimpinan`` without
#: unit) and the Tim PAK that assesses academic-rank proposals (no. 38, 39).  The head of
#: "Fungsi Tata Usaha" is the Kepala Bagian Tata Usaha the standards name.
UNITS = {
    "ll6-akademik": "Fungsi Akademik",
    "ll6-kepegawaian": "Fungsi Hukum, Kepegawaian dan Tata Laksana",
    "ll6-tata-usaha": "Fungsi Tata Usaha",
    "ll6-kelembagaan": "Fungsi Kelembagaan",
    "ll6-kemahasiswaan": "Fungsi Kemahasiswaan",
    "ll6-perencanaan": "Fungsi Perencanaan dan Penganggaran",
    "ll6-sarpras": "Fungsi Sarana dan Prasarana",
    "ll6-sisfo": "Fungsi Sistem Informasi dan Kerjasama",
    "ll6-ptk": "Fungsi Pendidik dan Tenaga Kependidikan",
    "ll6-tim-pak": "Tim PAK LLDIKTI Wilayah VI",
    "ll6-sekretaris": "Sekretaris LLDIKTI Wilayah VI",
}

#: No. 7 (Pelaporan Wisuda): the documents are uploaded "maksimal 14 hari sebelum penyelenggaraan wisuda".
WISUDA_LEAD_DAYS = 14


def wisuda_lead_time(data) -> dict[str, str]:
    """Service validator of no. 7: the graduation is at least 14 calendar days after today (WIB)."""
    value = data.get("tanggal_wisuda")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return {}  # the date field reports its own format error
    if not isinstance(value, dt.date):
        return {}
    earliest = today() + dt.timedelta(days=WISUDA_LEAD_DAYS)
    if value < earliest:
        return {"tanggal_wisuda": f"Pelaporan wisuda diunggah paling lambat {WISUDA_LEAD_DAYS} hari sebelum "
                                  f"penyelenggaraan wisuda: tanggal wisuda paling cepat "
                                  f"{earliest.strftime('%d-%m-%Y')}."}
    return {}


PACK = ServicePack(HERE / "services", UNITS, templates=HERE / "templates", demo_domain="lldikti6.test", seed_list=HERE / "seed-list.tsv",
                   extras={"pelaporan_wisuda": {"validators": (wisuda_lead_time,)}})

INSTITUTION = Institution(
    key="lldikti6",
    name="Lembaga Layanan Pendidikan Tinggi Wilayah VI",
    packs=("pintu-lldikti6",),
    settings={
        "INSTITUTION": "Lembaga Layanan Pendidikan Tinggi Wilayah VI",
        "CONTACT_PHONE": "024-8317281, 8311521",
        "CONTACT_EMAIL": "pengaduan@lldikti6.id",
        # From the seed's letterhead and complaint channel (Keputusan 746/LL6/OT.01.02/2021).
        "INSTITUTION_ADDRESS": "Jl. Pawiyatan Luhur I/1, Bendan Dhuwur, Semarang",
        "INSTITUTION_CITY": "Semarang",
        "INSTITUTION_WEBSITE": "https://lldikti6.kemdikbud.go.id",
        "LAPOR_URL": "https://www.lapor.go.id",  # no. 16: complaints also reach the office through LAPOR!
    },
    catalog=PACK,
    source="Keputusan Kepala LLDIKTI Wilayah VI Nomor 746/LL6/OT.01.02/2021 tentang Penetapan Maklumat "
           "Pelayanan dan Standar Pelayanan Publik",
)

__getattr__ = PACK.module_getattr
