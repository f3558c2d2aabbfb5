"""PINTU pack: the service standards of Dinas Pendidikan Kabupaten Ponorogo (Standar Pelayanan Publik Dinas Pendidikan Kabupaten Ponorogo (2019)),
one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack`.  Decisions about the seed's
ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pintu import Institution, ServicePack

HERE = Path(__file__).parent

#: The units the standards name (unit keys are prefixed "pnr-" so packs never share one by accident).
UNITS: dict[str, str] = {
    # A. Bidang Sekretariat: the Sekretaris heads it; three Sub Bagian.
    "pnr-sekretariat": "Bidang Sekretariat (Sekretaris)",
    "pnr-program": "Sub. Bagian Penyusunan Program Dan Pelaporan",
    "pnr-umpeg": "Sub. Bagian Umum dan Kepegawaian",
    "pnr-keuangan": "Sub. Bagian Keuangan",
    # B. Bidang Pembinaan Ketenagaan and the sections the seed names under it.
    "pnr-ketenagaan": "Bidang Pembinaan Ketenagaan",
    "pnr-mutu-ptk": "Bidang Peningkatan Mutu PTK",
    "pnr-pengembangan-ptk": "Pengembangan PTK",
    "pnr-pembinaan-kepangkatan": "Seksi Pembinaan dan Kepangkatan",
    "pnr-sekretariat-pak": "Sekretariat Tim Penilai Angka Kredit",
    "pnr-tim-pak": "Tim Penilai Angka Kredit",
    # C. Bidang Pembinaan PAUD (called "Bidang PAUD dan PNF" in standard no. 22).
    "pnr-paud": "Bidang Pembinaan PAUD",
    "pnr-seksi-paud": "Bagian Unit layanan PAUD (Seksi PAUD)",
    "pnr-dikmas": "Bagian Pelayanan Dikmas",
    # D. Bidang Pembinaan Sekolah Dasar.
    "pnr-sd": "Bidang Pembinaan Sekolah Dasar",
    "pnr-kurikulum-sd": "Seksi Kurikulum SD",
    "pnr-pembinaan-sd": "Seksi Pembinaan Sekolah dan Peserta Didik SD",
    # E. Bidang Pembinaan Sekolah Menengah Pertama.
    "pnr-smp": "Bidang Pembinaan SMP",
}

PACK = ServicePack(HERE / "services", UNITS, demo_domain="disdikponorogo.test", seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="disdikponorogo",
    name="Dinas Pendidikan Kabupaten Ponorogo",
    packs=("pintu-disdikponorogo",),
    settings={"INSTITUTION": "Dinas Pendidikan Kabupaten Ponorogo"},
    catalog=PACK,
    source="Standar Pelayanan Publik Dinas Pendidikan Kabupaten Ponorogo (2019)",
)

__getattr__ = PACK.module_getattr
