"""The plugin manager: one per app, loading plugins from the ``pintu`` entry-point group.

Plugins are enabled by default, except those of packs that belong to another institution
(:mod:`pintu.contract.institutions`, setting ``INSTITUTION_KEY``); ``DISABLED_PLUGINS`` (a list of entry-point
or plugin names) switches some off, ``PLUGINS`` (a list) registers extra
modules or objects directly, which is how tests register throwaway plugins.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import entry_points

import pluggy
from flask import Flask, current_app

from pintu import hookspecs
from pintu.contract import institutions
from pintu.contract.services import Service

ENTRY_POINT_GROUP = "pintu"
#: Name under which the core registers its own hook implementations (left out of plugin_names()).
CORE_HOOKS = "pintu-core"


@lru_cache(maxsize=1)
def installed_entry_points() -> tuple:
    """The ``pintu`` entry points of the installed distributions: scanned once per process (they do
    not change while it runs; every app the process creates asks, e.g. each test)."""
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


class PluginError(RuntimeError):
    pass


class PluginRegistry:
    """What the app knows about its plugins and their services."""

    def __init__(self, app: Flask, core_hooks=None):
        """``core_hooks``: the core's own hook implementations (a module; the app factory passes
        :mod:`pintu.oversight.corehooks`), registered first under :data:`CORE_HOOKS`; not a plugin."""
        self.pm = pluggy.PluginManager("pintu")
        self.pm.add_hookspecs(hookspecs)
        if core_hooks is not None:
            self.pm.register(core_hooks, name=CORE_HOOKS)
        disabled = set(app.config.get("DISABLED_PLUGINS") or ())
        self.institution = institutions.get(app.config.get("INSTITUTION_KEY"))
        claimed = institutions.claimed_packs()
        mine = {institutions.normalise(p) for p in self.institution.packs}
        #: entry-point name -> distribution name, of every installed plugin (enabled or not)
        self.installed: dict[str, str] = {}
        for ep in installed_entry_points():
            dist = institutions.normalise(ep.dist.name) if ep.dist else ""
            self.installed[ep.name] = dist
            if ep.name in disabled or (dist in claimed and dist not in mine):
                continue
            self.pm.register(ep.load(), name=ep.name)
        for plugin in app.config.get("PLUGINS") or ():
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            if name not in disabled:
                self.pm.register(plugin, name=name)
        self.services: dict[str, Service] = {}
        self._service_callers: dict[tuple[str, str], object] = {}
        with app.app_context():
            for impl in self.pm.hook.pintu_services.get_hookimpls():
                for service in impl.function() or ():
                    if service.slug in self.services:
                        raise PluginError(f"service slug {service.slug!r} is declared twice "
                                          f"({self.services[service.slug].plugin} and {impl.plugin_name})")
                    service.plugin = impl.plugin_name
                    self.services[service.slug] = service

    def service_hook(self, service: Service, name: str):
        """A caller of the hook ``name`` that reaches only the plugin that declared ``service``, plus
        plugins that declare no service at all (cross-cutting ones, e.g. an audit exporter).

        Used for the hooks about one service (:data:`SERVICE_HOOKS`), so a plugin's
        implementation never has to begin with ``if service.slug != MY_SLUG``.
        """
        key = (service.slug, name)
        caller = self._service_callers.get(key)
        if caller is None:
            declaring = {s.plugin for s in self.services.values()}
            others = [plugin for plugin_name, plugin in self.pm.list_name_plugin()
                      if plugin_name in declaring and plugin_name != service.plugin]
            caller = self._service_callers[key] = self.pm.subset_hook_caller(name, remove_plugins=others)
        return caller

    def installed_services(self, entry_point_name: str) -> list[Service]:
        """The services an installed plugin declares, enabled here or not (``plugins --all``)."""
        ep = next((ep for ep in installed_entry_points() if ep.name == entry_point_name), None)
        impl = getattr(ep.load(), "pintu_services", None) if ep else None
        return list(impl() or ()) if impl else []

    @property
    def hook(self):
        return self.pm.hook

    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin() if name != CORE_HOOKS)

    def collect(self, hook_name: str, **kwargs) -> list:
        """Call a list-returning hook and flatten the lists."""
        out = []
        for result in getattr(self.pm.hook, hook_name)(**kwargs):
            out.extend(result or ())
        return out


def registry() -> PluginRegistry:
    return current_app.extensions["pintu"]


def hook():
    return registry().hook


#: Hooks about one service: called only on the plugin that declared it (and on plugins declaring none).
SERVICE_HOOKS = ("pintu_validate_application", "pintu_before_transition", "pintu_after_transition",
                 "pintu_application_panels")


def service_hook(service: Service, name: str):
    """The caller of the per-service hook ``name`` for ``service`` (see :meth:`PluginRegistry.service_hook`)."""
    assert name in SERVICE_HOOKS, name
    return registry().service_hook(service, name)


def all_services() -> list[Service]:
    return list(registry().services.values())


def get_service(slug: str) -> Service:
    try:
        return registry().services[slug]
    except KeyError:
        from werkzeug.exceptions import NotFound
        raise NotFound() from None


def find_service(slug: str) -> Service | None:
    return registry().services.get(slug)
