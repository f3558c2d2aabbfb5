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
UNITS: dict[str, str] = {}

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
