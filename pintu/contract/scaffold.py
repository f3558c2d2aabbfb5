"""``flask --app pintu new-plugin NAME``: write a new installable plugin package."""

from __future__ import annotations

import re
from pathlib import Path

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "pintu-{dist}"
version = "0.1.0"
description = "PINTU plugin: {title}"
requires-python = ">=3.10"
dependencies = ["pintu"]

[project.entry-points.pintu]
{slug} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.setuptools.package-data]
{module} = ["templates/**/*"]
'''

MODULE = '''"""PINTU plugin: {title}."""

from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from pintu import Requirement, Service, Step, approve, hookimpl, refuse, standard_steps


class {cls}Form(FlaskForm):
    purpose = TextAreaField("Keperluan", validators=[DataRequired("Wajib diisi."), Length(max=2000)])


SERVICE = Service(
    slug="{slug}",
    title="{title}",
    category="Layanan Umum",
    summary="Uraian singkat layanan {title}.",
    form={cls}Form,
    requirements=[
        Requirement("surat_permohonan", "Surat permohonan", types=("pdf",), max_mb=2,
                    note="Hasil scan, foto tidak diperkenankan"),
    ],
    steps=standard_steps(
        Step("persetujuan", "Persetujuan pimpinan", role="pimpinan",
             actions=[approve("Setujui", message="Permohonan disetujui pimpinan"), refuse()]),
    ),
    completion_days=5,
    product="Surat jawaban",
    procedure=["Pemohon mengisi formulir dan mengunggah persyaratan.",
               "Petugas ULT memeriksa kelengkapan berkas.",
               "Pimpinan memberikan persetujuan.",
               "Pemohon mengambil surat jawaban di ULT."],
    template_detail="{slug}/detail.html",
)


@hookimpl
def pintu_services():
    return [SERVICE]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]
'''

TEMPLATE = '''<p class="muted small">Keperluan: {{{{ application.data.get("purpose", "-") }}}}</p>
'''

TEST = '''"""Smoke test written by ``new-plugin``: the service is registered and appears in the catalog.

The ``app`` and ``client`` fixtures come from ``pintu.testing`` (a pytest plugin installed with
PINTU): a fresh app on a migrated throwaway database, with this plugin enabled.
"""


def test_service_in_catalog(app, client):
    assert "{slug}" in app.extensions["pintu"].services
    page = client.get("/layanan/{slug}")
    assert page.status_code == 200
    assert "{title}" in page.get_data(as_text=True)
'''


def write_plugin(name: str, directory: str = "plugins") -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError("nama plugin tidak valid")
    module = "pintu_" + slug.replace("-", "_")
    cls = "".join(p.title() for p in slug.split("-"))
    title = " ".join(p.title() for p in slug.split("-"))
    root = Path(directory) / slug
    if root.exists():
        raise FileExistsError(f"{root} sudah ada")
    (root / module / "templates" / slug).mkdir(parents=True)
    (root / "tests").mkdir()
    values = dict(dist=slug, slug=slug, module=module, cls=cls, title=title)
    (root / "pyproject.toml").write_text(PYPROJECT.format(**values))
    (root / module / "__init__.py").write_text(MODULE.format(**values))
    (root / module / "templates" / slug / "detail.html").write_text(TEMPLATE.format(**values))
    (root / "tests" / f"test_{module}.py").write_text(TEST.format(**values))
    (root / "README.md").write_text(f"# {title}\n\nPINTU plugin. Install with `pip install -e .`.\n")
    return root
