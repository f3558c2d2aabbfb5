"""Migration steps of the ``pintu-gedung`` history (see ``pintu_migrations`` in pintu/hookspecs.py)."""
