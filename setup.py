"""Build hook: the wheel of ``pintu`` carries the top-level ``templates/`` and ``static/``.

Why a hook: the repository keeps templates and static files at the top level (the design card's
layout), but an installed package has no repository around it.  This copies both folders into the
built package as ``pintu/templates`` and ``pintu/static`` when a wheel is built; ``pintu.app``
serves them from there when present and from the checkout otherwise (source tree, editable
install).  A ``package-dir`` mapping (``pintu.templates = "templates"``) would do the same
declaratively but forces an explicit list of every subpackage instead of ``packages.find``; a
copy under ``pintu/`` would duplicate the files in the repository.  ``MANIFEST.in`` puts the
folders into the sdist, so a wheel built from it (``python -m build``) carries them too.
Everything else is declared in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSET_DIRS = ("templates", "static")


class BuildPyWithAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves the checkout's folders directly
        for name in ASSET_DIRS:
            if Path(name).is_dir():
                self.copy_tree(name, str(Path(self.build_lib, "pintu", name)))


setup(cmdclass={"build_py": BuildPyWithAssets})
