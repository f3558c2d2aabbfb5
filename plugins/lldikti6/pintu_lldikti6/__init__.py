"""PINTU pack: the 39 service standards of LLDIKTI Wilayah VI (Keputusan Kepala LLDIKTI Wilayah VI
Nomor 746/LL6/OT.01.02/2021), one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack` (``inpassing_pertama`` for
``services/08-inpassing-pertama.toml``).  Decisions about the seed's ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pintu import Institution, ServicePack

HERE = Path(__file__).parent

#: The units the standards name ("FUNGSI ..." headings and the leadership).
UNITS = {
    "ll6-akademik": "Fungsi Akademik",
    "ll6-kepegawaian": "Fungsi Hukum, Kepegawaian dan Tata Laksana",
    "ll6-kelembagaan": "Fungsi Kelembagaan",
    "ll6-sumber-daya": "Fungsi Sumber Daya",
    "ll6-keuangan": "Fungsi Keuangan dan Barang Milik Negara",
    "ll6-humas": "Fungsi Humas dan Data",
    "ll6-sekretaris": "Sekretaris LLDIKTI Wilayah VI",
}

PACK = ServicePack(HERE / "services", UNITS, demo_domain="lldikti6.test", seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="lldikti6",
    name="Lembaga Layanan Pendidikan Tinggi Wilayah VI",
    packs=("pintu-lldikti6",),
    settings={
        "INSTITUTION": "Lembaga Layanan Pendidikan Tinggi Wilayah VI",
        "CONTACT_PHONE": "024-8317281, 8311521",
        "CONTACT_EMAIL": "pengaduan@lldikti6.id",
    },
    catalog=PACK,
    source="Keputusan Kepala LLDIKTI Wilayah VI Nomor 746/LL6/OT.01.02/2021 tentang Penetapan Maklumat "
           "Pelayanan dan Standar Pelayanan Publik",
)

__getattr__ = PACK.module_getattr
