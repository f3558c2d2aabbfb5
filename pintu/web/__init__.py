"""HTTP views: thin blueprints over the core modules."""

from __future__ import annotations

import datetime as dt

from flask import Flask, render_template, request
from markupsafe import Markup
from flask_login import current_user

from pintu.people import access
from pintu.standards import institution
from pintu.engine.clock import day_text, to_local, zone
from pintu.data.models import User
from pintu.notify.notifications import unread_count
from pintu.contract.services import APPLICANT_CATEGORIES, NOT_SET, ROLES, STATUSES
from pintu.web import (admin, applications, auth, catalog, documents, external, inbox, letters_admin, loket, messages,
                       notifications, oversight, privacy, standards, survey, track)
from pintu.people.privacy import pending_request
from pintu.contract.plugins import registry
from pintu.engine.timeline import status_text


def register_views(app: Flask) -> None:
    for module in (auth, catalog, applications, inbox, messages, track, notifications, admin, privacy, external,
                   documents, letters_admin, standards, survey, oversight, loket):
        app.register_blueprint(module.bp)

    @app.context_processor
    def globals_():
        unread = unread_count(current_user) if isinstance(current_user._get_current_object(), User) else 0
        return {"STATUSES": STATUSES, "ROLES": ROLES, "CATEGORIES": APPLICANT_CATEGORIES, "unread": unread,
                "config": app.config, "admin_links": _admin_links, "profile": institution.profile,
                "NOT_SET": NOT_SET,
                # Service.confidential_identity: what the current user may see of an applicant.
                "identity_visible": lambda application, service=None: access.identity_visible(
                    current_user, application, service),
                "applicant_name": lambda application, service=None: access.applicant_name(
                    current_user, application, service),
                "deletion_pending": _deletion_pending,
                "oversees": access.oversees}  # admin and the institution's pimpinan (/dasbor, read-only files)

    def _deletion_pending(user):
        return pending_request(user)

    def _admin_links():
        return registry().collect("pintu_admin_links")

    @app.template_global("chrome")
    def chrome(template: str, institution) -> Markup:
        """A part of every page's frame that only depends on the institution profile and the
        settings (brand and menu, the public links, the footer), rendered once per process and
        profile: ``profile()`` gives the same object until it is read again."""
        kept = app.extensions.setdefault("pintu_chrome", {})
        key = (template, request.script_root)
        found = kept.get(key)
        if found is None or found[0] is not institution:
            found = kept[key] = (institution, Markup(render_template(template, institution=institution)))
        return found[1]

    @app.template_global("status_of")
    def status_of(application):
        """The status as the current viewer reads it ("Menunggu tindakan Anda" at the applicant's step)."""
        user = current_user._get_current_object()
        return status_text(application, for_applicant=getattr(user, "id", None) == application.applicant_id)

    @app.template_filter("size")
    def size(n):
        """Human file size: 850 B, 12 KB, 1,4 MB."""
        if n < 1024:
            return f"{n} B"
        if n < 1024 * 1024:
            return f"{n / 1024:.0f} KB"
        return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")

    @app.template_filter("tgl")
    def tgl(value, with_time=False):
        """Indonesian date: 23 Nov 2026 (14:05)."""
        if not value:
            return "-"
        if isinstance(value, dt.datetime):
            value = to_local(value, zone(app.config))  # the app's config, not current_app's proxy (dozens a page)
        text = day_text(value.date() if isinstance(value, dt.datetime) else value)
        if with_time and hasattr(value, "hour"):
            text += f" {value.hour:02d}:{value.minute:02d}"
        return text
