"""What a plugin declares (services, steps, forms, packs, institutions) and how plugins are found.

Nothing here imports the rest of the core: a plugin author can read this package alone, with
:mod:`pintu.hookspecs`."""
