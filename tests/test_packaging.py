"""A built wheel of ``pintu`` and of every built-in plugin serves every page without the repository.

The wheels are built offline from a copy of the sources (``pip wheel --no-deps --no-build-isolation``
with this venv's setuptools), installed without ``-e`` into a throwaway venv layered over the
project's (which sees the dependencies, while the installed wheels come first on ``sys.path``), and
the app is run from a working directory outside the repository, so a template or static file that
the wheels do not carry answers 500/404 here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".pytest_cache")

pytestmark = pytest.mark.slow

CHECK = r'''
import json, re, sys
from pathlib import Path
import pintu
from pintu import create_app
from pintu.contract.plugins import registry

venv = Path(sys.argv[1]).resolve()
app = create_app({"BACKGROUND_JOBS": False, "WTF_CSRF_ENABLED": False})
client = app.test_client()
results = {}

def get(url):
    response = client.get(url)
    results[url] = response.status_code
    return response.get_data(as_text=True)

with app.app_context():
    services = list(registry().services)
    modules = {"pintu": str(Path(pintu.__file__).resolve())}
    for name, plugin in registry().pm.list_name_plugin():
        if name == "pintu-core":  # the core's own hook implementations, inside the pintu package
            continue
        # a module plugin, or a data-declared service of a pack (pintu.ServicePack: its folder)
        where = getattr(plugin, "__file__", None) or getattr(getattr(plugin, "pack", None), "directory", None)
        modules[plugin.__name__] = str(Path(where).resolve())
get("/")
get("/masuk")
get("/lacak")
get("/static/pintu.css")
get("/static/htmx.min.js")
if "gedung" in services:
    get("/gedung/static/gedung.css")
for slug in services:
    get(f"/layanan/{slug}")
def login(email):
    client.post("/keluar")
    assert client.post("/masuk", data={"email": email, "password": "pintu-demo-2026"}).status_code == 302, email

login("admin@pintu.test")
get("/admin/pengguna")
get("/admin/audit")
login("petugas@pintu.test")
get("/petugas/")
with app.app_context():
    from pintu.data.models import Application, User
    applicants = {u.category: u.email for u in User.select().where(User.email.endswith("@pintu.test"))
                  if not u.is_staff and not u.is_admin}
    forms = {slug: applicants[(registry().services[slug].applicant_categories or ("pegawai",))[0]]
             for slug in services}
    owners = [(a.id, a.applicant.email) for a in Application.select().join(User, on=Application.applicant)]
for slug, email in forms.items():  # every service's form, as an applicant it is open to
    login(email)
    get(f"/layanan/{slug}/ajukan")
for app_id, email in owners:  # every demo application, as its applicant (plugin detail templates)
    login(email)
    get(f"/permohonan/{app_id}")
print(json.dumps({"results": results, "modules": modules, "services": services,
                  "templates": app.template_folder, "static": app.static_folder}))
'''


def _overlay_venv(path: Path) -> Path:
    """A throwaway venv layered over the project's (the pattern of test_plugin_api's new-plugin test):
    it sees every package installed there, what is installed into it stays out of the shared venv,
    and its own site-packages come first on ``sys.path``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    project = sysconfig.get_paths()["purelib"]
    Path(own, "_pintu_project.pth").write_text(f"import site; site.addsitedir({project!r})\n")
    return python


def test_wheels_install_and_serve_every_page(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("pintu", "templates", "static"):
        shutil.copytree(ROOT / name, src / name, ignore=IGNORE)
    plugin_dirs = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())
    for plugin in plugin_dirs:
        shutil.copytree(plugin, src / "plugins" / plugin.name, ignore=IGNORE)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PINTU_") and k not in ("DATABASE_URL", "REDIS_URL", "SMTP_HOST")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PINTU_INSTANCE_PATH=str(tmp_path / "instance"),
               PINTU_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(dist), str(src)] + [str(src / "plugins" / p.name) for p in plugin_dirs],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == 1 + len(plugin_dirs), wheels

    python = _overlay_venv(tmp_path / "venv")
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps"] + [str(w) for w in wheels],
                               capture_output=True, text=True, env=env, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    run = tmp_path / "elsewhere"  # outside the repository: its templates/ and static/ cannot be found
    run.mkdir()

    def flask(*args):
        done = subprocess.run([str(python), "-m", "flask", "--app", "pintu", *args], cwd=run, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    (run / "check.py").write_text(CHECK)
    venv = str((tmp_path / "venv").resolve())
    packs = [p for p in plugin_dirs if "pintu.institutions" in (p / "pyproject.toml").read_text()]
    builtin = [p for p in plugin_dirs if p not in packs]

    def serve(institution: str) -> dict:
        env.update(PINTU_INSTITUTION_KEY=institution, PINTU_INSTANCE_PATH=str(tmp_path / "instance" / institution))
        assert "Database siap" in flask("init-db")
        flask("demo")
        done = subprocess.run([str(python), "check.py", str(tmp_path / "venv")], cwd=run, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        for name, path in report["modules"].items():  # the wheels, not the editable checkout, are running
            assert path.startswith(venv), (name, path)
        assert report["templates"].startswith(venv) and report["static"].startswith(venv)
        failed = {url: code for url, code in report["results"].items() if code != 200}
        assert not failed, (institution, failed)
        return report

    report = serve("polije")  # the default institution: the ten built-in plugins
    assert len(report["modules"]) == 1 + len(builtin), report["modules"]
    assert len(report["services"]) >= len(builtin)
    assert sum(url.startswith("/permohonan/") for url in report["results"]) >= 10  # demo applications shown
    for pack in packs:  # each institution pack, served from its wheel with its own demo
        key = pack.name
        report = serve(key)
        assert len(report["services"]) == len(list((pack / f"pintu_{key}" / "services").glob("*.toml")))
        assert sum(url.startswith("/permohonan/") for url in report["results"]) >= len(report["services"])


def test_the_production_server_settings_serve_the_app_and_freeze_its_objects(tmp_path):
    """`make run`'s server, as the Makefile starts it (gunicorn with pintu.web.serving's settings):
    the app answers, and each worker froze the loaded app's objects (its log says how many)."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    env = dict(os.environ, PINTU_INSTANCE_PATH=str(tmp_path / "instance"), PINTU_SECRET_KEY="test",
               PINTU_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PINTU_AUTO_CREATE_TABLES="true")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:pintu.web.serving", "--workers", "1",
                             "--bind", f"127.0.0.1:{port}", "--log-level", "info", "--error-logfile", str(log),
                             "pintu:create_app()"], env=env, cwd=str(ROOT), start_new_session=True)
    try:
        deadline, body = time.monotonic() + 90, None
        while body is None and time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.3)
        assert body and "Legalisir" in body, log.read_text()
        frozen = re.search(r"froze (\d+) objects", log.read_text())
        assert frozen and int(frozen.group(1)) > 10_000, log.read_text()
    finally:
        proc.terminate()
        proc.wait(30)
