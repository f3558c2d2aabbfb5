"""``url_for`` remembered per process: the same endpoint and values always build the same URL.

A page builds 20 to 60 URLs (menu, footer, one link per row) and werkzeug's URL building costs
several microseconds each: a tenth of a small page's time.  :func:`install` replaces the app's
``url_for`` (templates, views and ``flask.url_for`` alike) by one that keeps the URLs it built,
keyed by the request's script root, the endpoint and the values.  Anything whose URL could vary
otherwise is built as before: outside a request, a relative endpoint (``.name``), the ``_anchor``,
``_external``, ``_scheme`` and ``_method`` options when given, unhashable values, and apps that
register URL default functions.  Hand-written because Flask has no URL cache of its own.
"""

from __future__ import annotations

from flask import Flask
from flask.globals import _cv_request

#: Entries kept at most; the cache is emptied when full (ids in URLs make the set open-ended).
MAX_ENTRIES = 20_000


def install(app: Flask) -> None:
    build = app.url_for
    cache: dict = {}

    def url_for(endpoint: str, /, **values) -> str:
        ctx = _cv_request.get(None)
        if any(k[:1] == "_" for k in values):  # flask.url_for passes every option, None when not given
            if any(v is not None for k, v in values.items() if k[:1] == "_"):
                return build(endpoint, **values)
            values = {k: v for k, v in values.items() if k[:1] != "_"}
        if ctx is None or endpoint[:1] == "." or any(app.url_default_functions.values()):
            return build(endpoint, **values)
        try:
            key = (ctx.request.script_root, endpoint, *values.items())
            url = cache.get(key)
        except TypeError:  # an unhashable value (a list of query arguments)
            return build(endpoint, **values)
        if url is None:
            url = build(endpoint, **values)
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            cache[key] = url
        return url

    app.url_for = url_for  # flask.url_for calls current_app.url_for
    app.jinja_env.globals["url_for"] = url_for
