"""PINTU pack: the service standards of Politeknik Kesehatan Kemenkes Jakarta III (SOP Pelayanan Pembuatan KTM (DI/ADUM/PR/046), Poltekkes Kemenkes Jakarta III),
one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack`.  Decisions about the seed's
ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pintu import Institution, ServicePack

HERE = Path(__file__).parent

#: The units the standards name (unit keys are prefixed "pk3-" so packs never share one by accident).
UNITS: dict[str, str] = {}

PACK = ServicePack(HERE / "services", UNITS, demo_domain="poltekkesjkt3.test", seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="poltekkesjkt3",
    name="Politeknik Kesehatan Kemenkes Jakarta III",
    packs=("pintu-poltekkesjkt3",),
    settings={"INSTITUTION": "Politeknik Kesehatan Kemenkes Jakarta III"},
    catalog=PACK,
    source="SOP Pelayanan Pembuatan KTM (DI/ADUM/PR/046), Poltekkes Kemenkes Jakarta III",
)

__getattr__ = PACK.module_getattr
