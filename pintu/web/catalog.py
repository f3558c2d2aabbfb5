"""The service catalog and each service's published standard."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from pintu.engine import service_settings
from pintu.contract.plugins import all_services, get_service
from pintu.standards import standard_book

bp = Blueprint("catalog", __name__)


def search_services(q: str):
    q = (q or "").strip().lower()
    services = sorted(all_services(), key=lambda s: (s.category, s.title))
    if q:
        services = [s for s in services
                    if q in " ".join([s.title, s.category, s.summary, s.product,
                                      *(r.label for r in s.requirements)]).lower()]
    return [(cat, list(items)) for cat, items in groupby(services, key=lambda s: s.category)]


def results_html(q: str) -> Markup:
    """The catalog's list of services for the search ``q``.  Without a search it only depends on the
    services installed, so it is rendered once per app process (it was most of the catalog's time)."""
    if q.strip():
        return Markup(render_template("catalog/_results.html", groups=search_services(q), q=q))
    kept = current_app.extensions.setdefault("pintu_catalog_html", {})  # per script root (its links)
    html = kept.get(request.script_root)
    if html is None:
        html = kept[request.script_root] = Markup(render_template("catalog/_results.html",
                                                                  groups=search_services(""), q=""))
    return html


@bp.route("/")
def home():
    q = request.args.get("q", "")
    results = results_html(q)
    if request.htmx:
        return results
    return render_template("catalog/index.html", results=results, q=q)


@bp.route("/layanan/<slug>")
def service(slug):
    service_ = service_settings.effective(get_service(slug))
    return render_template("catalog/service.html", service=service_,
                           standard_html=standard_book.published_html(service_))
