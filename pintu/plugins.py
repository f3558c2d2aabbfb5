"""The plugin manager: one per app, loading plugins from the ``pintu`` entry-point group.

Plugins are enabled by default; ``DISABLED_PLUGINS`` (a list of entry-point
or plugin names) switches some off, ``PLUGINS`` (a list) registers extra
modules or objects directly, which is how tests register throwaway plugins.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import pluggy
from flask import Flask, current_app

from . import hookspecs
from .services import Service

ENTRY_POINT_GROUP = "pintu"
#: Name under which the core registers its own hook implementations (left out of plugin_names()).
CORE_HOOKS = "pintu-core"


class PluginError(RuntimeError):
    pass


class PluginRegistry:
    """What the app knows about its plugins and their services."""

    def __init__(self, app: Flask):
        self.pm = pluggy.PluginManager("pintu")
        self.pm.add_hookspecs(hookspecs)
        from . import corehooks

        # The core's own hook implementations (internal targets, the dashboard's rollup); not a plugin.
        self.pm.register(corehooks, name=CORE_HOOKS)
        disabled = set(app.config.get("DISABLED_PLUGINS") or ())
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in disabled:
                continue
            self.pm.register(ep.load(), name=ep.name)
        for plugin in app.config.get("PLUGINS") or ():
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            if name not in disabled:
                self.pm.register(plugin, name=name)
        self.services: dict[str, Service] = {}
        with app.app_context():
            for impl in self.pm.hook.pintu_services.get_hookimpls():
                for service in impl.function() or ():
                    if service.slug in self.services:
                        raise PluginError(f"service slug {service.slug!r} is declared twice "
                                          f"({self.services[service.slug].plugin} and {impl.plugin_name})")
                    service.plugin = impl.plugin_name
                    self.services[service.slug] = service

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
