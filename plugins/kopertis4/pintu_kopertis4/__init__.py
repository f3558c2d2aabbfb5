"""PINTU pack: the service standards of Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV (Standar Pelayanan Kopertis Wilayah IV (2016)),
one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack`.  Decisions about the seed's
ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pintu import Institution, ServicePack

HERE = Path(__file__).parent

#: The units the standards name (unit keys are prefixed "k4-" so packs never share one by accident).
UNITS: dict[str, str] = {}

PACK = ServicePack(HERE / "services", UNITS, demo_domain="kopertis4.test", seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="kopertis4",
    name="Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV",
    packs=("pintu-kopertis4",),
    settings={"INSTITUTION": "Koordinasi Perguruan Tinggi Swasta (Kopertis) Wilayah IV"},
    catalog=PACK,
    source="Standar Pelayanan Kopertis Wilayah IV (2016)",
)

__getattr__ = PACK.module_getattr
