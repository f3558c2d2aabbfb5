"""The core's migration steps (history ``pintu``): ``NNNN_name.py`` modules, each with ``upgrade(step)``."""
