"""PINTU pack: the service standards of Politeknik Kesehatan Kemenkes Jakarta III (SOP Pelayanan Pembuatan KTM (DI/ADUM/PR/046), Poltekkes Kemenkes Jakarta III),
one plugin per service, declared as data in ``services/*.toml``.

Every service file is its own pluggy plugin: the entry points in ``pyproject.toml`` name the
attributes this module serves through :class:`pintu.ServicePack`.  Decisions about the seed's
ambiguities are in README.md.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from markupsafe import Markup

from pintu import Institution, ServicePack
from pintu.catalog import ServicePlugin
from pintu.hookspecs import hookimpl

HERE = Path(__file__).parent

#: The units the standards name (unit keys are prefixed "pk3-" so packs never share one by accident).
UNITS: dict[str, str] = {
    # "Sub Bagian Administrasi Kemahasiswaan, Alumni, dan Kerjasama" in the SOP's distribution list;
    # its head (Kasubbag) prepares and sends the KTM data to the bank (SOP 7.4).
    "pk3-kemahasiswaan": "Sub Bagian Administrasi Kemahasiswaan, Alumni, dan Kerjasama",
}

PACK = ServicePack(HERE / "services", UNITS, templates=HERE / "templates", demo_domain="poltekkesjkt3.test", seed_list=HERE / "seed-list.tsv")

INSTITUTION = Institution(
    key="poltekkesjkt3",
    name="Politeknik Kesehatan Kemenkes Jakarta III",
    packs=("pintu-poltekkesjkt3",),
    # KTM_BANK_EMAIL: where the partner bank receives its links (set the real address in instance/config.py).
    settings={"INSTITUTION": "Politeknik Kesehatan Kemenkes Jakarta III", "KTM_BANK_EMAIL": "ktm@bank-mitra.test"},
    catalog=PACK,
    source="SOP Pelayanan Pembuatan KTM (DI/ADUM/PR/046), Poltekkes Kemenkes Jakarta III",
)


class KtmPlugin(ServicePlugin):
    """The KTM service's plugin: the data-declared one, with a demo that uploads a photo (the generic
    demo uploads PDFs) and, for the staff who send the batch, a link to the batch page."""

    @hookimpl
    def pintu_demo_data(self, applicants, staff):
        from . import demo

        demo.load(self.entry.service, applicants, staff)

    @hookimpl
    def pintu_application_panels(self, application, service, viewer):
        from . import ktm_batch

        if application.step != ktm_batch.BANK_STEP or not ktm_batch.may_export(viewer):
            return None
        return [("Batch KTM untuk bank", Markup(render_template("ktm/panel.html")))]


KTM = KtmPlugin(PACK, PACK.plugins["ktm"].entry)


def __getattr__(name: str):
    return KTM if name == "ktm" else PACK.module_getattr(name)
