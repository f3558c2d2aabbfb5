"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path
from types import FunctionType

from flask import Flask, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx
from jinja2 import ChoiceLoader, FileSystemLoader

from pintu import config as config_module
from pintu import jobs
from pintu.data.db import database, init_database
from pintu.contract.plugins import PluginRegistry

ROOT = config_module.ROOT
PACKAGE = Path(__file__).resolve().parent
csrf = CSRFProtect()


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package when it was built as a wheel
    (``setup.py`` copies the repository's top-level folders there), else the checkout's folder
    (source tree, editable install)."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else ROOT / name


def default_instance_path() -> Path:
    """``instance/`` of the checkout when running from one, else of the working directory (an
    installed wheel must not keep its database inside site-packages)."""
    return ROOT / "instance" if (ROOT / "pyproject.toml").is_file() else Path.cwd() / "instance"

login_manager = LoginManager()
htmx = Htmx()


def create_app(overrides: dict | None = None) -> Flask:
    instance = os.environ.get("PINTU_INSTANCE_PATH") or str(default_instance_path())
    if overrides and overrides.get("INSTANCE_PATH"):
        instance = overrides["INSTANCE_PATH"]
    app = Flask("pintu", instance_path=instance, instance_relative_config=True,
                template_folder=str(asset_dir("templates")), static_folder=str(asset_dir("static")))
    config_module.load(app, overrides)
    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        # Behind trusted reverse proxies: the client address (rate limits) and scheme come from them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]),
                                x_proto=int(app.config["PROXY_FIX_X_PROTO"]))

    init_database(app.config["DATABASE_URL"], int(app.config["DATABASE_POOL_SIZE"]))
    from pintu import housekeeping

    from pintu.notify import mail
    from pintu.output import attachments

    jobs.init_app(app, periodic=housekeeping.periodic)
    mail.init_app(app, attach=attachments.add_to)
    from pintu.oversight import corehooks

    registry = PluginRegistry(app, core_hooks=corehooks)
    app.extensions["pintu"] = registry

    with app.app_context():
        # One loader per folder: every service of a pack names the pack's folder.
        plugin_dirs = list(dict.fromkeys(str(Path(d)) for d in registry.collect("pintu_template_dirs")))
        app.jinja_loader = ChoiceLoader([FileSystemLoader(str(asset_dir("templates")))]
                                        + [FileSystemLoader(d) for d in plugin_dirs])
        if app.config["AUTO_CREATE_TABLES"]:  # tests only: production runs `init-db` (pintu.data.migrations)
            from pintu.data import migrations

            migrations.upgrade(registry)

    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"
    from pintu.web import headers, login_redirect, session_cookie

    login_manager.unauthorized_handler(login_redirect.to_login)
    headers.init_app(app)
    session_cookie.init_app(app)

    from pintu.people.accounts import load_user

    login_manager.user_loader(load_user)

    @app.before_request
    def _start_jobs():
        # No database connection here: peewee connects on a request's first query (and the
        # teardown below closes it), so pages that need no data (the public catalog, static
        # files) never pay for a connection.
        jobs.start_background(app)  # the mail thread of this process, once (after any fork of the server)

    from pintu.data import audit

    audit.init_app(app)

    @app.teardown_appcontext
    def _close(exc):
        if not database.is_closed():
            database.close()

    from pintu.web import register_views

    register_views(app)
    with app.app_context():
        for bp in registry.collect("pintu_blueprints"):
            app.register_blueprint(bp)

    _register_errors(app)
    from pintu.web import urlcache

    urlcache.install(app)
    _remember_sync_checks(app)
    from pintu.cli import register_cli

    register_cli(app)
    return app


def _remember_sync_checks(app: Flask) -> None:
    """Flask asks ``inspect.iscoroutinefunction`` of every hook and view on every request (13 times
    per page here); PINTU's functions do not change, so each is asked once per process.  Flask
    documents ``ensure_sync`` as the method to override."""
    checked: dict = {}
    ensure_sync = app.ensure_sync

    def remembered(func):
        if type(func) is not FunctionType:  # bound methods, partials: new objects each time
            return ensure_sync(func)
        found = checked.get(func)
        if found is None:
            found = checked[func] = ensure_sync(func)
        return found

    app.ensure_sync = remembered


def _register_errors(app: Flask) -> None:
    def page(code, title, message):
        if request.htmx:
            return render_template("partials/error.html", title=title, message=message), code
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        from flask_login import current_user

        from pintu.web.login_redirect import to_login

        if request.htmx and not current_user.is_authenticated:
            return to_login()  # the session is gone (logged out elsewhere, expired): log in again
        return page(400, "Sesi formulir kedaluwarsa",
                    "Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim kembali.")

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, "Akses ditolak", "Anda tidak berwenang membuka halaman ini.")

    @app.errorhandler(404)
    def not_found(e):
        return page(404, "Tidak ditemukan", "Halaman atau permohonan yang Anda cari tidak ditemukan.")

    @app.errorhandler(413)
    def too_large(e):
        return page(413, "Berkas terlalu besar",
                    "Ukuran kiriman melebihi batas. Kurangi ukuran berkas lalu coba lagi; "
                    "isian formulir Anda dapat dikirim ulang dengan tombol kembali di peramban.")

    @app.errorhandler(500)
    def server_error(e):
        return page(500, "Terjadi kesalahan", "Terjadi kesalahan pada server. Silakan coba lagi beberapa saat lagi.")
