"""PINTU pack: the service standards of Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV (Standar Pelayanan Kopertis Wilayah IV (2016)),
one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack`.  Decisions about the seed's
ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pintu import Institution, ServicePack

from .rules import beasiswa_age_limit, pak_rank_matches_proposal

HERE = Path(__file__).parent

#: The units the standards name (unit keys are prefixed "k4-" so packs never share one by accident):
#: the five page-header sections that own the standards, then the other actors of their procedures.
#: The Koordinator (head of the institution) has a unit of its own: the core lets ANY "pimpinan"
#: act on a pimpinan step without a unit, so Kepala Bidang/Seksi could otherwise act as Koordinator.
UNITS: dict[str, str] = {
    "k4-koordinator": "Koordinator Kopertis Wilayah IV",
    # page headers ("Standar Pelayanan Seksi ..."): the responsible units
    "k4-akademik": "Seksi Akademik dan Kemahasiswaan",
    "k4-ketenagaan": "Seksi Ketenagaan",
    "k4-kelembagaan": "Seksi Kelembagaan dan Kerjasama",
    "k4-sistem-informasi": "Seksi Sistem Informasi",
    "k4-kepegawaian": "Sub Bagian Kepegawaian",
    # the disposition chain of the procedures
    "k4-sekretaris": "Sekretaris Pelaksana",
    "k4-bidang-akk": "Bidang Akademik, Kemahasiswaan dan Ketenagaan",
    "k4-bidang-ksi": "Bidang Kelembagaan dan Sistem Informasi",
    "k4-bagian-umum": "Bagian Umum",
    # teams the procedures name
    "k4-tim-penilai": "Tim Penilai Jabatan Akademik",
    "k4-tim-ahli": "Tim Ahli",
}

#: Python-only declarations merged into data-declared services (plugin attribute -> Service fields).
EXTRAS = {
    "pak_asisten_ahli_lektor": {"validators": [pak_rank_matches_proposal]},
    "rekomendasi_beasiswa_dosen": {"validators": [beasiswa_age_limit]},
}

PACK = ServicePack(HERE / "services", UNITS, templates=HERE / "templates", extras=EXTRAS, demo_domain="kopertis4.test",
                   seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="kopertis4",
    name="Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV",
    packs=("pintu-kopertis4",),
    settings={
        "INSTITUTION": "Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV",
        "CONTACT_PHONE": "022-7275630",
        "INSTITUTION_ADDRESS": "Jl. P.H.H Mustofa No.38 Bandung",  # as the seed's complaint channels give it
        "INSTITUTION_CITY": "Bandung",
        # The seed's e-mail address is obfuscated ("[email protected]"): left empty rather than invented
        # (set CONTACT_EMAIL in the instance's config.py).
        "CONTACT_EMAIL": "",
    },
    catalog=PACK,
    source="Standar Pelayanan Kopertis Wilayah IV (2016)",
)

__getattr__ = PACK.module_getattr
