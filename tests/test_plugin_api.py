"""The plugin API: the hook contract is documented and used, a throwaway plugin with a different
shape of service runs end to end over HTTP, plugin loading rules, and the CLI."""

from __future__ import annotations

import html
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Blueprint, render_template
from flask_login import login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from peewee import CharField, IntegerField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

import pintu
from pintu import Service, Step, approve, create_app, dispose, hookimpl, hookspecs, refuse
from pintu.data.models import BaseModel
from pintu.testing import PASSWORD, login, pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TEMPLATES = Path(__file__).resolve().parent / "plugins_fixture" / "templates"
HTMX = {"HX-Request": "true", "HX-Target": "kerja"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str | None:
    m = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return m.group(1).strip() if m else None


# ---------------------------------------------------------------------------
# The contract itself
# ---------------------------------------------------------------------------

HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(fn, "pintu_spec"))


def test_there_are_hooks():
    assert "pintu_services" in HOOKS and len(HOOKS) >= 10


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_docstring(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc and len(doc.split()) >= 10, f"{name} has no real docstring"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_in_readme_plugin_guide(name):
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md not written yet")
    content = readme.read_text(encoding="utf-8")
    m = re.search(r"^## [^\n]*[Pp]lugin[^\n]*\n(.*?)(?=^## |\Z)", content, re.S | re.M)
    assert m, "README.md has no '## ... plugin ...' section"
    assert name in m.group(1), f"{name} is not documented in the README's plugin guide"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_called_by_the_core(name):
    callers = [p for p in (ROOT / "pintu").rglob("*.py")
               if p.name not in ("hookspecs.py", "testing.py")
               and re.search(rf"(\.{name}\b|[\"']{name}[\"'])", p.read_text(encoding="utf-8"))]
    assert callers, f"{name} is declared but never called"


def test_public_api_names():
    for name in pintu.__all__:
        assert hasattr(pintu, name), name


# ---------------------------------------------------------------------------
# A throwaway plugin with another shape of service
# ---------------------------------------------------------------------------

class IzinLog(BaseModel):
    """The plugin's own table, written by its pintu_after_transition."""

    application_id = IntegerField()
    kind = CharField(max_length=20)
    status = CharField(max_length=20)
    step = CharField(max_length=40, default="")


class IzinForm(FlaskForm):
    perihal = StringField("Perihal kegiatan", validators=[DataRequired("Wajib diisi."), Length(max=200)])
    uraian = TextAreaField("Uraian", validators=[Length(max=2000)])


IZIN = Service(
    slug="izin-kegiatan",
    title="Izin Kegiatan Kemahasiswaan",
    category="Kemahasiswaan",
    summary="Izin penyelenggaraan kegiatan di lingkungan kampus.",
    form=IzinForm,  # no requirements: a form-only service
    steps=[
        Step("telaah", "Telaah dan disposisi oleh ULT", role="petugas",
             actions=[dispose("Disposisikan ke unit"), refuse()]),
        Step("keputusan", "Keputusan pimpinan", role="pimpinan",
             actions=[approve("Setujui", "setuju", message="Izin kegiatan disetujui"), refuse()]),
    ],
    completion_days=5,
    product="Surat izin kegiatan",
    template_detail="izin/detail.html",
)

VETO = "Persetujuan wajib menyebutkan sumber anggaran."


class IzinPlugin:
    def __init__(self):
        self.transitions = []

    @hookimpl
    def pintu_services(self):
        return [IZIN]

    @hookimpl
    def pintu_units(self):
        return [("keuangan", "Bagian Keuangan")]

    @hookimpl
    def pintu_models(self):
        return [IzinLog]

    @hookimpl
    def pintu_template_dirs(self):
        return [str(FIXTURE_TEMPLATES)]

    @hookimpl
    def pintu_blueprints(self):
        bp = Blueprint("izin", __name__, url_prefix="/izin")

        @bp.route("/log")
        @login_required
        def log():
            return render_template("izin/log.html", rows=list(IzinLog.select().order_by(IzinLog.id)))

        return [bp]

    @hookimpl
    def pintu_validate_application(self, service, data, applicant, application):
        if service.slug != IZIN.slug:
            return None
        if (data.get("perihal") or "").strip().lower() == "tes":
            return {"perihal": "Perihal terlalu umum; tuliskan nama kegiatan."}
        return {}

    @hookimpl
    def pintu_before_transition(self, application, service, step, action, actor, note):
        if service.slug == IZIN.slug and action.key == "setuju" and "anggaran" not in note.lower():
            return VETO
        return None

    @hookimpl
    def pintu_after_transition(self, application, service, event):
        if service.slug != IZIN.slug:
            return
        self.transitions.append((event.kind, application.status, application.step))
        IzinLog.create(application_id=application.id, kind=event.kind, status=application.status,
                       step=application.step or "")

    @hookimpl
    def pintu_application_panels(self, application, service, viewer):
        if service.slug != IZIN.slug:
            return None
        panels = [("Ketentuan kegiatan", Markup("<p class='izin-panel'>Kegiatan wajib selesai pukul 21.00.</p>"))]
        if viewer.is_staff:
            panels.append(("Catatan internal izin",
                           Markup("<p class='izin-staff'>Cek jadwal ruang untuk {}</p>").format(
                               escape(application.reference))))
        return panels


IZIN_PLUGIN = IzinPlugin()


def act(client, app_id, action, version, **extra):
    return client.post(f"/petugas/permohonan/{app_id}/aksi",
                       data={"action": action, "version": version, **extra}, headers=HTMX)


def current(app, app_id):
    with app.app_context():
        from pintu.data.models import Application

        return Application.get_by_id(app_id)


@pytest.mark.plugins(IZIN_PLUGIN)
def test_throwaway_plugin_end_to_end(app, client, make_user, staff):
    IZIN_PLUGIN.transitions.clear()
    make_user("warga@test.id", category="masyarakat", name="Joko Warga")
    make_user("keu@test.id", "verifikator", "keuangan", name="Vera Keuangan")

    # Catalog and standard.
    catalog = text(client.get("/"))
    assert "Izin Kegiatan Kemahasiswaan" in catalog and "Legalisir" in catalog
    assert "Kemahasiswaan" in catalog
    standard = text(client.get("/layanan/izin-kegiatan"))
    assert "Surat izin kegiatan" in standard and "Maksimal 5 hari kerja" in standard

    # Form only: no upload fields.
    login(client, "warga@test.id")
    form = text(client.get("/layanan/izin-kegiatan/ajukan"))
    assert 'name="perihal"' in form and 'type="file"' not in form

    # The plugin's validator blocks a submission, message next to the field, nothing saved.
    r = client.post("/layanan/izin-kegiatan/ajukan", data={"perihal": "tes", "submit": "1"})
    assert r.status_code == 422
    assert field_error(text(r), "perihal") == "Perihal terlalu umum; tuliskan nama kegiatan."
    with app.app_context():
        from pintu.data.models import Application

        assert Application.select().count() == 0

    r = client.post("/layanan/izin-kegiatan/ajukan",
                    data={"perihal": "Seminar Nasional Agribisnis", "uraian": "Aula, 200 peserta", "submit": "1"})
    assert r.status_code == 302, text(r)
    app_id = int(r.location.split("/")[-1])
    a = current(app, app_id)
    assert re.fullmatch(r"IK-\d{4}-\d{5}", a.reference)
    assert (a.status, a.step) == ("in_process", "telaah")

    # Panels and the detail template on the applicant's page.
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Ketentuan kegiatan" in page and "izin-panel" in page
    assert "izin-staff" not in page
    assert "Perihal: Seminar Nasional Agribisnis" in page

    # ULT routes it to two units.
    petugas = app.test_client()
    login(petugas, "petugas@test.id")
    staff_page = text(petugas.get(f"/permohonan/{app_id}"))
    assert f"Cek jadwal ruang untuk {a.reference}" in staff_page
    assert '<option value="keuangan">Bagian Keuangan</option>' in staff_page
    r = act(petugas, app_id, "dispose", a.version)
    assert r.status_code == 422 and "Pilih sekurang-kurangnya satu unit" in text(r)
    r = act(petugas, app_id, "dispose", a.version, units=["akademik", "keuangan"], note="Mohon cek jadwal dan dana")
    assert r.status_code == 200, text(r)
    assert "menunggu tindak lanjut" in text(r)
    a = current(app, app_id)
    assert a.step == "telaah"
    with app.app_context():
        from pintu.data.models import Disposition

        assert sorted(d.unit.key for d in Disposition.select().where(Disposition.application == app_id)) == \
            ["akademik", "keuangan"]
    # While units have not answered, the ULT can only refuse.
    assert 'value="dispose"' not in text(petugas.get(f"/permohonan/{app_id}"))

    # Each unit must answer; the first answer does not move the application.
    answers = {}
    for email, unit in (("akademik@test.id", "Bagian Akademik"), ("keu@test.id", "Bagian Keuangan")):
        c = app.test_client()
        login(c, email)
        assert a.reference in text(c.get("/petugas/"))
        page = text(c.get(f"/permohonan/{app_id}"))
        assert f"Tindak lanjut {unit}" in page and "Mohon cek jadwal dan dana" in page
        disposition = re.search(r'name="disposition" value="(\d+)"', page).group(1)
        version = current(app, app_id).version
        r = c.post(f"/petugas/permohonan/{app_id}/jawab",
                   data={"disposition": disposition, "version": version, "answer": ""}, headers=HTMX)
        assert r.status_code == 422
        r = c.post(f"/petugas/permohonan/{app_id}/jawab",
                   data={"disposition": disposition, "version": version, "answer": f"OK dari {unit}"},
                   headers=HTMX)
        assert r.status_code == 200, text(r)
        answers[unit] = current(app, app_id).step
        assert a.reference not in text(c.get("/petugas/"))  # answered: off this unit's list
    assert answers == {"Bagian Akademik": "telaah", "Bagian Keuangan": "keputusan"}

    # The leadership's approval is vetoed by the plugin until the note names the budget.
    pimpinan = app.test_client()
    login(pimpinan, "pimpinan@test.id")
    a = current(app, app_id)
    r = act(pimpinan, app_id, "setuju", a.version, note="Disetujui")
    assert r.status_code == 422
    assert VETO in text(r)
    after_veto = current(app, app_id)
    assert (after_veto.version, after_veto.step) == (a.version, "keputusan")
    r = act(pimpinan, app_id, "setuju", a.version, note="Disetujui, anggaran dari DIPA kemahasiswaan")
    assert r.status_code == 200, text(r)
    a = current(app, app_id)
    assert (a.status, a.step) == ("done", None)

    # pintu_after_transition saw every event (not the vetoed one), also in its own table.
    expected = [("submitted", "in_process", "telaah"), ("dispose", "in_process", "telaah"),
                ("answer", "in_process", "telaah"), ("answer", "in_process", "telaah"),
                ("forward", "in_process", "keputusan"), ("forward", "done", None)]
    assert IZIN_PLUGIN.transitions == expected
    log = text(pimpinan.get("/izin/log"))
    assert re.findall(r'<li class="izin-log">\d+ (\w+) (\w+)', log) == [(k, s) for k, s, _ in expected]

    # The applicant was told of each step and sees the result.
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Selesai" in page and "Izin kegiatan disetujui" in page
    assert re.search(r"Didisposisikan ke (Bagian Akademik, Bagian Keuangan|Bagian Keuangan, Bagian Akademik)", page)
    assert "OK dari Bagian Keuangan" not in page  # units' answers are internal


@pytest.mark.plugins(IZIN_PLUGIN)
def test_plugin_blueprint_protected_and_tables_created(app, client):
    r = client.get("/izin/log")
    assert r.status_code == 302 and "/masuk" in r.location
    with app.app_context():
        from pintu.data.db import database

        assert "izin_log" in database.get_tables()


def test_duplicate_service_slug_fails_app_creation(tmp_path):
    from pintu.contract.plugins import PluginError

    class Copycat:
        @hookimpl
        def pintu_services(self):
            return [Service(slug="legalisir", title="Legalisir tiruan", category="X", summary="-",
                            steps=[Step("a", "A", role="petugas", actions=[approve()])])]

    with pytest.raises(PluginError, match="legalisir"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}",
                    "SECRET_KEY": "x", "PLUGINS": [Copycat()]})


@pytest.mark.config(DISABLED_PLUGINS=["legalisir"])
def test_disabled_plugins(app, client):
    assert "Legalisir" not in text(client.get("/"))
    assert client.get("/layanan/legalisir").status_code == 404
    result = app.test_cli_runner().invoke(args=["plugins"])
    assert result.exit_code == 0
    assert "legalisir" not in result.output


def test_cli_plugins_lists_legalisir(app):
    result = app.test_cli_runner().invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "legalisir" in lines
    service_line = lines[lines.index("legalisir") + 1]
    assert service_line.split()[0] == "legalisir"
    assert "Legalisir Ijazah dan Transkrip Akademik" in service_line


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def _overlay_venv(path: Path) -> Path:
    """A throwaway venv layered over this one: it sees every package installed here, but what is
    installed into it stays out of the project's venv (other test runs share that one)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    import sysconfig

    project = sysconfig.get_paths()["purelib"]
    Path(own, "_pintu_project.pth").write_text(f"import site; site.addsitedir({project!r})\n")
    return python


def test_cli_new_plugin_package_installs_and_its_test_passes(app, tmp_path):
    """``new-plugin`` writes a package that ``pip install -e`` accepts and whose own test passes.

    Not skipped anywhere (CI runs it too; about 15 s, mostly pip).  The package is installed into a
    throwaway venv layered over the project's, not into the project's venv itself: test runs in
    parallel share that venv, and a plugin appearing there mid-run breaks their apps.
    """
    runner = app.test_cli_runner()
    result = runner.invoke(args=["new-plugin", "demo-x", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "demo-x"
    assert str(root) in result.output and "pip install -e" in result.output
    assert (root / "pyproject.toml").is_file()
    assert (root / "pintu_demo_x" / "__init__.py").is_file()
    assert (root / "pintu_demo_x" / "templates" / "demo-x" / "detail.html").is_file()
    assert (root / "tests" / "test_pintu_demo_x.py").is_file()
    again = runner.invoke(args=["new-plugin", "demo-x", "--dir", str(tmp_path)])
    assert again.exit_code != 0  # never overwrites

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PINTU_") and k not in ("DATABASE_URL", "REDIS_URL", "SMTP_HOST")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PINTU_INSTANCE_PATH=str(tmp_path / "instance"))
    python = _overlay_venv(tmp_path / "venv")
    pip = [str(python), "-m", "pip"]

    def flask_plugins():
        return subprocess.run([str(python), "-m", "flask", "--app", "pintu", "plugins"], cwd=tmp_path,
                              capture_output=True, text=True, env=env, timeout=120)

    installed = subprocess.run(pip + ["install", "-q", "--no-deps", "-e", str(root)],
                               capture_output=True, text=True, env=env, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    listed = flask_plugins()
    assert "demo-x" in listed.stdout.split() and "legalisir" in listed.stdout.split(), listed.stdout + listed.stderr

    removed = subprocess.run(pip + ["uninstall", "-y", "-q", "pintu-demo-x"], capture_output=True, text=True,
                             env=env, timeout=120)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "demo-x" not in flask_plugins().stdout.split()


def test_cli_create_user(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "ops@test.id", "--role", "petugas", "--name", "Ops ULT",
                                 "--password", "sandi-ops-123"])
    assert result.exit_code == 0, result.output
    assert "ops@test.id" in result.output
    assert login(client, "ops@test.id", "sandi-ops-123").status_code == 302
    assert client.get("/petugas/").status_code == 200

    # An existing user gets one more role; the password is unchanged.
    result = runner.invoke(args=["create-user", "OPS@test.id", "--role", "verifikator", "--unit", "akademik",
                                 "--password", "lain-lain-123"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from pintu.data.models import User

        user = User.get(User.email == "ops@test.id")
        assert user.has_role("petugas") and user.has_role("verifikator", "akademik")
        assert User.select().count() == 1
    assert login(client, "ops@test.id", "sandi-ops-123").status_code == 302

    result = runner.invoke(args=["create-user", "v@test.id", "--role", "verifikator", "--password", "x" * 10])
    assert result.exit_code != 0 and "--unit" in result.output
    result = runner.invoke(args=["create-user", "v@test.id", "--role", "verifikator", "--unit", "nope",
                                 "--password", "x" * 10])
    assert result.exit_code != 0 and "unit tidak dikenal" in result.output
    with app.app_context():
        assert User.get_or_none(User.email == "v@test.id") is None


def test_cli_init_db(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}",
                      "SECRET_KEY": "x", "AUTO_CREATE_TABLES": False, "TESTING": True})
    from pintu.data.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        assert "application" not in database.get_tables()
        database.close()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database siap" in result.output
    with app.app_context():
        from pintu.data.models import Unit

        database.connect(reuse_if_open=True)
        assert {"application", "user", "event", "outgoing_mail"} <= set(database.get_tables())
        assert Unit.get(Unit.key == "akademik").name == "Bagian Akademik"
        database.close()
    # Idempotent.
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0


def test_cli_demo(app, client):
    from pintu.demo import DEMO_PASSWORD

    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Data demo dimuat" in result.output and DEMO_PASSWORD in result.output
    assert "verifikator.akademik@pintu.test" in result.output
    with app.app_context():
        from pintu.data.models import Application, User

        statuses = {a.status for a in Application.select()}
        steps = {a.step for a in Application.select()}
        users = User.select().count()
    assert {"draft", "in_process", "returned", "ready"} <= statuses
    assert {"kelengkapan", "verifikasi", "pengambilan"} <= steps

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "sudah ada" in again.output
    with app.app_context():
        assert User.select().count() == users

    # The demo logins work and see their data.
    assert login(client, "mahasiswa@pintu.test", DEMO_PASSWORD).status_code == 302
    assert "LGS-" in text(client.get("/permohonan-saya"))
    assert login(client, "petugas@pintu.test", DEMO_PASSWORD).status_code == 302
    assert "LGS-" in text(client.get("/petugas/"))
    assert PASSWORD != DEMO_PASSWORD


# -- hooks about one service reach only the plugin that declared it ------------------------------

def _simple_service(slug):
    from pintu import Requirement, Service, Step, approve, send_back, standard_steps

    return Service(slug=slug, title=slug.title(), category="Uji", summary="Layanan uji",
                   requirements=[Requirement("surat", "Surat permohonan")],
                   steps=standard_steps(Step("cek", "Pemeriksaan", role="pimpinan",
                                             requirements=[Requirement("bukti", "Bukti", required=False)],
                                             actions=[approve("Setujui", "ok"), send_back()])))


class _Recorder:
    def __init__(self, slug=None):
        self.slug, self.seen, self.vetoes = slug, [], []

    @hookimpl
    def pintu_after_transition(self, application, service, event):
        self.seen.append((service.slug, event.kind))

    @hookimpl
    def pintu_before_transition(self, application, service, step, action, actor, note, files):
        self.vetoes.append((service.slug, action.key, sorted(files)))
        if "bukti" in files:
            return "Bukti tidak boleh dilampirkan pada tahap ini."
        return None


class _Declaring(_Recorder):
    @hookimpl
    def pintu_services(self):
        return [_simple_service(self.slug)]


ALPHA, BETA, WATCHER = _Declaring("alpha"), _Declaring("beta"), _Recorder()
WATCHER.__name__ = "watcher"
ALPHA.__name__, BETA.__name__ = "alpha_plugin", "beta_plugin"


@pytest.mark.plugins(ALPHA, BETA, WATCHER)
def test_service_hooks_reach_only_the_declaring_plugin_and_cross_cutting_ones(app, client, make_user):
    for plugin in (ALPHA, BETA, WATCHER):
        plugin.seen.clear()
    make_user("pemohon@test.id")
    login(client, "pemohon@test.id")
    r = client.post("/layanan/alpha/ajukan", data={"submit": "1", "file_surat": pdf()},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert ALPHA.seen == [("alpha", "submitted")]
    assert BETA.seen == []  # beta's hook never hears about alpha's applications
    assert WATCHER.seen == [("alpha", "submitted")]  # a plugin declaring no service hears everything


@pytest.mark.plugins(ALPHA, BETA, WATCHER)
def test_the_before_hook_receives_the_uploaded_files_and_can_veto(app, client, make_user, staff):
    from pintu.testing import act, app_id_of, count_rows, get_application

    make_user("pemohon@test.id")
    login(client, "pemohon@test.id")
    app_id = app_id_of(client.post("/layanan/alpha/ajukan", data={"submit": "1", "file_surat": pdf()},
                                   content_type="multipart/form-data"))
    login(client, "petugas@test.id")
    ALPHA.vetoes.clear()
    act(client, app, app_id, "lengkap")
    assert ALPHA.vetoes == [("alpha", "lengkap", [])]
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "ok", file_bukti=pdf("bukti.pdf"))
    assert "Bukti tidak boleh dilampirkan pada tahap ini." in r.get_data(as_text=True)
    assert ALPHA.vetoes[-1] == ("alpha", "ok", ["bukti"])  # the hook saw the file before anything changed
    assert BETA.vetoes == []
    assert get_application(app, app_id).step == "cek"
    assert count_rows(app, "Upload") == 1  # the refused file was not kept with the application


def test_plugins_use_only_the_public_api():
    """Every plugin (built-in services and institution packs) imports from ``pintu`` and
    ``pintu.testing`` only, never a core module, and no hook checks ``service.slug``: the contract
    is what ``pintu/__init__.py`` and ``pintu/hookspecs.py`` document."""
    import ast
    import pkgutil

    root = Path(__file__).resolve().parent.parent / "plugins"
    submodules = {m.name for m in pkgutil.iter_modules(pintu.__path__)} - {"testing"}
    offenders = []
    for path in sorted(root.glob("*/pintu_*/**/*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("pintu.") and node.module != "pintu.testing":
                    offenders.append(f"{path.relative_to(root)}: from {node.module} import ...")
                if node.module == "pintu":
                    offenders += [f"{path.relative_to(root)}: from pintu import {a.name}" for a in node.names
                                  if a.name in submodules and a.name != "audit"]
            if isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(root)}: import {a.name}" for a in node.names
                              if a.name.startswith("pintu.") and a.name != "pintu.testing"]
        assert "slug !=" not in path.read_text(), path
    assert not offenders, "\n".join(offenders)
    missing = [name for name in pintu.__all__ if not hasattr(pintu, name)]
    assert not missing, missing
