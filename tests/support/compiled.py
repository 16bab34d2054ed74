"""The modules ``setup.py`` compiles, and whether the build in place is older than its source.

An editable install (the README's) puts each compiled module's extension beside its source,
and Python loads the extension first: after an edit, tests would run the code as it was
compiled, not as it reads. ``tests/conftest.py`` stops the run instead (:func:`stale`).
"""

from __future__ import annotations

import importlib.machinery
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

with (ROOT / "pyproject.toml").open("rb") as _project:
    COMPILED: list[str] = tomllib.load(_project)["tool"]["rolodex"]["compiled"]

PURE_PYTHON = os.environ.get("ROLODEX_PURE_PYTHON") == "1"
"""Set when the package was installed without compiling (see ``setup.py``)."""


def source_of(module: str, root: Path = ROOT) -> Path:
    return root / "src" / f"{module.replace('.', '/')}.py"


def stale(modules: list[str] = COMPILED, root: Path = ROOT) -> list[str]:
    """The compiled modules whose source changed after their extension was built."""
    found = []
    for module in modules:
        source = source_of(module, root)
        built = [
            source.with_name(source.stem + suffix)
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
        ]
        newest = max((path.stat().st_mtime for path in built if path.exists()), default=None)
        if newest is not None and source.stat().st_mtime > newest:
            found.append(module)
    return found
