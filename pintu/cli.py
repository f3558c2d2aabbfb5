"""``flask --app pintu ...`` commands."""

from __future__ import annotations

import click
from flask import Flask

from pintu.people import accounts
from pintu.data.db import database
from pintu.contract.services import APPLICANT_CATEGORIES, ROLES


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or migrate the database tables (versioned migrations) and the plugins' units."""
        from pintu.data import migrations
        from pintu.demo import ensure_units
        from pintu.contract.plugins import registry

        for step in migrations.upgrade(registry()):
            click.echo(f"Migrasi dijalankan: {step}")
        with database.connection_context():
            units = ensure_units()
            from pintu.engine import queues

            tasks = queues.rebuild()
            from pintu.oversight import rollup

            counts = rollup.rebuild()
        click.echo(f"Antrean kotak tugas disusun ulang: {tasks} tugas terbuka.")
        click.echo(f"Rekap harian dasbor disusun ulang: {counts} baris.")
        click.echo(f"Database siap: {app.config['DATABASE_URL'].split('@')[-1]} ({len(units)} unit).")
        from pintu.housekeeping import PART_MAX_AGE_SECONDS
        from pintu.data.uploads import sweep_parts

        parts = sweep_parts(PART_MAX_AGE_SECONDS)
        if parts:
            click.echo(f"Berkas unggahan yatim (.part) dihapus: {parts}.")
        _sweep_staged()

    def _sweep_staged():
        from pintu.housekeeping import sweep_forms

        files = sweep_forms()
        click.echo(f"{files} berkas sementara (formulir yang tidak dilanjutkan) dihapus.")

    @app.cli.command("sweep-staged")
    def sweep_staged():
        """Delete files kept from unfinished forms (older than a day) and old form tokens."""
        _sweep_staged()

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only when there are no users yet.")
    def demo(if_empty):
        """Load demo data: units, staff per role, applicants, applications in several states."""
        from pintu import demo as demo_module
        from pintu.data.models import User

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
        from pintu.data.models import Unit, User

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
                from pintu.data import audit

                audit.record("role.grant", user, role=role, unit=unit, via="cli")
        click.echo(f"Pengguna {user.email} siap ({role}{' ' + unit if unit else ''}).")

    @app.cli.command("plugins")
    @click.option("--all", "show_all", is_flag=True,
                  help="Juga plugin paket institusi lain (tidak aktif di instalasi ini).")
    def plugins(show_all):
        """List the enabled plugins and the services each contributes (--all: every installed pack)."""
        from pintu.contract.plugins import registry

        reg = registry()
        click.echo(f"Institusi: {reg.institution.name} ({reg.institution.key})")
        for name in reg.plugin_names():
            services = [s for s in reg.services.values() if s.plugin == name]
            click.echo(name)
            for s in services:
                click.echo(f"  {s.slug:28s} {s.title}")
        if show_all:
            from pintu.contract import institutions

            owner = {institutions.normalise(p): inst for inst in institutions.available().values()
                     for p in inst.packs}
            enabled = set(reg.plugin_names())
            inactive = sorted(n for n in reg.installed if n not in enabled)
            for name in inactive:
                inst = owner.get(reg.installed[name])
                click.echo(f"{name}  [tidak aktif: {'paket ' + inst.key if inst else 'dimatikan'}]")
                for s in reg.installed_services(name):
                    click.echo(f"  {s.slug:28s} {s.title}")

    @app.cli.command("pack-entry-points")
    @click.argument("directory", type=click.Path(exists=True, file_okay=False))
    @click.argument("module")
    def pack_entry_points(directory, module):
        """Print the [project.entry-points.pintu] lines of a pack's service files (for pyproject.toml)."""
        from pathlib import Path

        from pintu.contract.catalog import ServicePack, load_service

        for path in ServicePack(Path(directory)).files():
            slug = load_service(path).service.slug
            click.echo(f'{slug} = "{module}:{ServicePack.attribute(path)}"')

    @app.cli.command("new-plugin")
    @click.argument("name")
    @click.option("--dir", "directory", default="plugins", type=click.Path(file_okay=False),
                  help="Where to write the package (default: plugins/).")
    def new_plugin(name, directory):
        """Write a new installable plugin package NAME (declaration, template, test)."""
        from pintu.contract.scaffold import write_plugin

        path = write_plugin(name, directory)
        click.echo(f"Plugin ditulis di {path}. Pasang dengan: pip install -e {path}")

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
    def worker(burst):
        """Run an RQ worker for background jobs (needs REDIS_URL)."""
        from pintu.jobs import run_worker

        if not app.config.get("REDIS_URL"):
            raise click.UsageError("REDIS_URL belum diatur; tanpa Redis tugas dijalankan langsung (inline).")
        run_worker(burst=burst)

    @app.cli.command("retry-mail")
    def retry_mail():
        """Try again, now, to send every e-mail not sent yet (failed ones included)."""
        from pintu.notify import mail, notifications

        ids = mail.reschedule_unsent()
        click.echo(f"{len(ids)} e-mail dijadwalkan ulang.")
        if app.config.get("REDIS_URL"):
            notifications.dispatch(ids)  # the workers send them
        else:
            sent, not_sent = mail.deliver_due()
            click.echo(f"Terkirim: {sent}, belum terkirim: {not_sent}.")

    @app.cli.command("sweep")
    def sweep():
        """Send the e-mail that is due and delete stale .part uploads (the worker does it periodically)."""
        from pintu.housekeeping import sweep as run_sweep

        counts = run_sweep()
        click.echo(f"E-mail terkirim: {counts['sent']}, belum terkirim: {counts['not_sent']}. "
                   f"Berkas unggahan yatim (.part) dihapus: {counts['parts']}; berkas formulir yang ditinggalkan: {counts['staged']}.")

    @app.cli.command("sla-check")
    @click.option("--date", "day", default=None, help="Local day to check (YYYY-MM-DD); default today (WIB).")
    def sla_check(day):
        """Send today's SLA reminders and digests (idempotent: run it from cron as often as you like)."""
        import datetime as dt

        from pintu.oversight import reminders

        with database.connection_context():
            result = reminders.run(dt.date.fromisoformat(day) if day else None)
        if not result.working_day:
            click.echo(f"{result.day.isoformat()} bukan hari kerja: tidak ada pengingat.")
            return
        click.echo(f"Pengingat {result.day.isoformat()}: {result.reminders} baru, {result.skipped} sudah dikirim "
                   f"sebelumnya, {result.digests} ringkasan harian, {len(result.mails)} e-mail.")
        if result.mails and not app.config.get("REDIS_URL"):  # no worker: send them now, from this process
            from pintu.notify import mail

            sent = not_sent = 0
            while True:  # deliver_due takes up to 200 at a time
                batch_sent, not_sent = mail.deliver_due()
                sent += batch_sent
                if not batch_sent:
                    break
            click.echo(f"E-mail terkirim: {sent}; gagal (dicoba lagi oleh sweep): {not_sent}.")

    @app.cli.command("unit-head")
    @click.argument("unit")
    @click.argument("email", required=False)
    def unit_head(unit, email):
        """Mark EMAIL as the head of UNIT (overdue work of the unit is escalated to them); without
        EMAIL, clear it (escalation then goes to every verifikator of the unit)."""
        from pintu.data.models import Unit, User

        with database.connection_context():
            row = Unit.get_or_none(Unit.key == unit)
            if row is None:
                raise click.UsageError(f"unit tidak dikenal: {unit}")
            user = User.get_or_none(User.email == accounts.normalise_email(email)) if email else None
            if email and user is None:
                raise click.UsageError(f"pengguna tidak dikenal: {email}")
            row.head_id = user.id if user else None
            row.save()
            from pintu.data import audit

            audit.record("unit.head", row, head=user.email if user else None, via="cli")
        click.echo(f"Kepala {row.name}: {user.email if user else '(tidak ada; pimpinan unit, atau semua verifikator unit)'}.")

    @app.cli.command("letters")
    @click.option("--q", default="", help="Only documents whose number, title, service or holder contains this.")
    def letters(q):
        """Print the register of outgoing letters: one issued document a line, newest first."""
        from pintu.output import documents

        with database.connection_context():
            rows = [documents.register_row(d) for d in documents.register(q, limit=100000)]
        for r in rows:
            click.echo("\t".join([r["number"], r["date"], r["service"], r["holder"], r["status"], r["url"]]))
        if not rows:
            click.echo("Belum ada dokumen yang diterbitkan." if not q else "Tidak ada dokumen yang cocok.")

    @app.cli.command("purge-expired")
    def purge_expired():
        """Anonymise closed applications older than RETENTION_DAYS and delete their files (idempotent)."""
        from pintu.people import privacy

        with database.connection_context():
            days = privacy.retention_days()
            if not days:
                click.echo("RETENTION_DAYS tidak diatur (0): tidak ada yang dianonimkan.")
                return
            result = privacy.purge_expired()
        if not result.applications:
            click.echo(f"Tidak ada permohonan selesai yang lebih lama dari {days} hari: tidak ada perubahan.")
            return
        click.echo(f"{len(result.applications)} permohonan dianonimkan (selesai lebih dari {days} hari lalu), "
                   f"{result.files} berkas dihapus:")
        for ref in result.applications:
            click.echo(f"  {ref}")
