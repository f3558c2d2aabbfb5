"""The service catalog and each service's published standard."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template, request

from pintu.engine import service_settings
from pintu.contract.plugins import all_services, get_service

bp = Blueprint("catalog", __name__)


def search_services(q: str):
    q = (q or "").strip().lower()
    services = sorted(all_services(), key=lambda s: (s.category, s.title))
    if q:
        services = [s for s in services
                    if q in " ".join([s.title, s.category, s.summary, s.product,
                                      *(r.label for r in s.requirements)]).lower()]
    return [(cat, list(items)) for cat, items in groupby(services, key=lambda s: s.category)]


@bp.route("/")
def home():
    q = request.args.get("q", "")
    groups = search_services(q)
    if request.htmx:
        return render_template("catalog/_results.html", groups=groups, q=q)
    return render_template("catalog/index.html", groups=groups, q=q)


@bp.route("/layanan/<slug>")
def service(slug):
    from pintu.standards import standard_book

    service_ = service_settings.effective(get_service(slug))
    return render_template("catalog/service.html", **standard_book.entry(service_))
