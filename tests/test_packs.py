"""Institution packs: every installed institution's catalog against its seed, its pages, its demo.

Runs for each institution declared through the ``pintu.institutions`` entry points that carries a
data catalog (:class:`pintu.ServicePack` with a ``seed_list``).  A pack added under ``plugins/`` is
covered without touching this file.
"""

from __future__ import annotations

import csv
import re

import pytest

from pintu import create_app
from pintu.contract import institutions

PACKED = sorted(key for key, inst in institutions.available().items() if inst.catalog is not None)

DELIVERY_COMPONENTS = ["Persyaratan", "Sistem, mekanisme dan prosedur", "Jangka waktu penyelesaian",
                       "Biaya / tarif", "Produk pelayanan", "Penanganan pengaduan, saran dan masukan"]


def tidy(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().upper()


def seed_rows(institution) -> list[dict]:
    with open(institution.catalog.seed_list, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("key", PACKED)
def test_catalog_matches_the_seed_titles_and_count(key):
    institution = institutions.get(key)
    rows = seed_rows(institution)
    files = [p.entry for p in institution.catalog.plugins.values()]
    assert len(files) == len(rows), f"{key}: {len(files)} service files for {len(rows)} standards in the seed"
    assert sorted(tidy(f.title_source) for f in files) == sorted(tidy(r["title"]) for r in rows)


@pytest.mark.parametrize("key", PACKED)
def test_every_service_file_is_its_own_enabled_plugin(key, tmp_path):
    app = _pack_app(key, tmp_path)
    with app.app_context():
        from pintu.contract.plugins import registry

        reg = registry()
        slugs = {p.entry.service.slug for p in institutions.get(key).catalog.plugins.values()}
        assert slugs <= set(reg.services)
        assert {reg.services[s].plugin for s in slugs} == slugs  # one plugin per service, named by its slug
        assert reg.institution.key == key


def _pack_app(key, tmp_path, **extra):
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "INSTITUTION_KEY": key, "TESTING": True,
                       "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False, "AUTO_CREATE_TABLES": True,
                       "BACKGROUND_JOBS": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'pack.sqlite3'}", **extra})


@pytest.mark.parametrize("key", PACKED)
def test_every_service_page_shows_every_service_delivery_component(key, tmp_path):
    app = _pack_app(key, tmp_path)
    client = app.test_client()
    for plugin in institutions.get(key).catalog.plugins.values():
        service = plugin.entry.service
        page = client.get(f"/layanan/{service.slug}").get_data(as_text=True)
        for label in DELIVERY_COMPONENTS:
            assert label in page, f"{service.slug}: {label} missing"
        from markupsafe import escape

        for text in (service.completion_label, service.fee, service.product or "-"):
            assert str(escape(text)) in page, f"{service.slug}: {text!r} not shown"
        for req in service.all_requirements:
            assert str(escape(req.label)) in page, f"{service.slug}: requirement {req.key} not published"


@pytest.mark.parametrize("key", PACKED)
def test_demo_applies_for_every_service_and_walks_it_to_the_end(key, tmp_path):
    app = _pack_app(key, tmp_path)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    heads = {st.unit for p in institutions.get(key).catalog.plugins.values() for st in p.entry.service.steps
             if st.role == "pimpinan" and st.unit}
    assert all(f"pimpinan.{unit}@" in result.output for unit in heads)  # every unit head's demo login printed
    with app.app_context():
        from pintu.data.models import Application
        from pintu.contract.plugins import registry

        reg = registry()
        for plugin in institutions.get(key).catalog.plugins.values():
            service = plugin.entry.service
            apps = list(Application.select().where(Application.service == service.slug))
            assert apps, f"{service.slug}: no demo application"
            assert any(a.status == "done" for a in apps), (f"{service.slug}: no demo application reached the "
                                                            f"end ({[(a.status, a.step) for a in apps]})")
            if service.external_steps and all(st.condition is None for st in service.external_steps):
                # and one waits for the outside party, its link e-mailed
                assert any(service.step(a.step) is not None and service.step(a.step).external for a in apps)
        assert reg.institution.key == key


@pytest.mark.parametrize("key", PACKED)
def test_every_letter_a_pack_declares_is_issued_in_its_demo_and_verifies_as_genuine(key, tmp_path):
    app = _pack_app(key, tmp_path)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    with app.app_context():
        from pintu.data.models import IssuedDocument

        declared = [(p.entry.service.slug, d.key) for p in institutions.get(key).catalog.plugins.values()
                    for d in p.entry.service.documents]
        inpassing = [p.entry.service.slug for p in institutions.get(key).catalog.plugins.values()
                     if "inpassing" in p.entry.service.slug]
        assert set(inpassing) <= {slug for slug, _ in declared}  # every inpassing ends in its letter
        for slug, document in declared:
            issued = (IssuedDocument.select().where(IssuedDocument.service == slug,
                                                    IssuedDocument.document == document).first())
            assert issued is not None and issued.stored_name, f"{slug}: {document} not issued in the demo"
            page = client.get(f"/verifikasi/{issued.code}").get_data(as_text=True)
            assert "Dokumen asli" in page and issued.number in page, f"{slug}: {document} does not verify"


@pytest.mark.parametrize("key", PACKED)
def test_an_institution_shows_its_own_profile_never_the_default_ones(key, tmp_path):
    app = _pack_app(key, tmp_path)
    page = app.test_client().get("/").get_data(as_text=True)
    assert institutions.get(key).name in page
    for polije in ("Politeknik Negeri Jember", "Jember", "polije", "0331"):
        assert polije not in page, f"{key}: {polije!r} on its home page"
