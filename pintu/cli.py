"""``flask --app pintu ...`` commands."""

from __future__ import annotations

import click
from flask import Flask

from . import accounts
from .db import create_tables, database
from .services import APPLICANT_CATEGORIES, ROLES


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or migrate the database tables and the plugins' units."""
        from .demo import ensure_units
        from .plugins import registry

        added = create_tables(registry().collect("pintu_models"))
        for column in added:
            click.echo(f"Kolom baru: {column}")
        with database.connection_context():
            units = ensure_units()
            from . import queues

            tasks = queues.rebuild()
        click.echo(f"Antrean kotak tugas disusun ulang: {tasks} tugas terbuka.")
        click.echo(f"Database siap: {app.config['DATABASE_URL'].split('@')[-1]} ({len(units)} unit).")

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only when there are no users yet.")
    def demo(if_empty):
        """Load demo data: units, staff per role, applicants, applications in several states."""
        from . import demo as demo_module
        from .models import User

        with database.connection_context():
            if if_empty and User.select().exists():
                click.echo("Data demo sudah ada (lewati). Akun demo:")
                logins = [(u.email, "") for u in User.select().where(User.email.endswith("@pintu.test"))]
            else:
                logins = demo_module.load()
                click.echo("Data demo dimuat. Akun demo:")
        for email, what in logins:
            click.echo(f"  {email:42s} {what}")
        click.echo(f"Kata sandi semua akun demo: {demo_module.DEMO_PASSWORD}")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["pemohon", *ROLES]), default="pemohon")
    @click.option("--unit", default=None, help="Unit key (required for verifikator).")
    @click.option("--name", default=None)
    @click.option("--category", type=click.Choice(list(APPLICANT_CATEGORIES)), default="pegawai")
    @click.password_option()
    def create_user(email, role, unit, name, category, password):
        """Create a user (or add a role to an existing one)."""
        from .models import Unit, User

        if role == "verifikator" and not unit:
            raise click.UsageError("--unit wajib untuk peran verifikator")
        with database.connection_context():
            if unit and not Unit.get_or_none(Unit.key == unit):
                raise click.UsageError(f"unit tidak dikenal: {unit}")
            user = User.get_or_none(User.email == accounts.normalise_email(email))
            if user is None:
                user = accounts.create_user(email, name or email.split("@")[0], password, category=category)
            if role != "pemohon":
                accounts.grant(user, role, unit)
        click.echo(f"Pengguna {user.email} siap ({role}{' ' + unit if unit else ''}).")

    @app.cli.command("plugins")
    def plugins():
        """List installed plugins and the services each contributes."""
        from .plugins import registry

        reg = registry()
        for name in reg.plugin_names():
            services = [s for s in reg.services.values() if s.plugin == name]
            click.echo(name)
            for s in services:
                click.echo(f"  {s.slug:28s} {s.title}")

    @app.cli.command("new-plugin")
    @click.argument("name")
    @click.option("--dir", "directory", default="plugins", type=click.Path(file_okay=False),
                  help="Where to write the package (default: plugins/).")
    def new_plugin(name, directory):
        """Write a new installable plugin package NAME (declaration, template, test)."""
        from .scaffold import write_plugin

        path = write_plugin(name, directory)
        click.echo(f"Plugin ditulis di {path}. Pasang dengan: pip install -e {path}")

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
    def worker(burst):
        """Run an RQ worker for background jobs (needs REDIS_URL)."""
        from .jobs import run_worker

        if not app.config.get("REDIS_URL"):
            raise click.UsageError("REDIS_URL belum diatur; tanpa Redis tugas dijalankan langsung (inline).")
        run_worker(burst=burst)

    @app.cli.command("retry-mail")
    def retry_mail():
        """Try again to send mails that failed."""
        from . import notifications
        from .models import OutgoingMail

        with database.connection_context():
            ids = [m.id for m in OutgoingMail.select().where(OutgoingMail.status != "sent")]
        notifications.dispatch(ids)
        click.echo(f"{len(ids)} e-mail dijadwalkan ulang.")
