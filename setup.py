"""Build Rolodex with the modules every Stripe request runs through compiled by mypyc.

Why: an update spends most of its time interpreting Rolodex's own Python (decoding the form,
checking parameters, patching the document, keeping the lookup tables in step, rendering),
spread over many small functions with no hot spot left; rounds of hand-tuning had reached
changes worth a per cent each. mypyc compiles the same typed modules, unchanged, to C
extensions, which cut the CPU an update costs in process by about a quarter (README,
Performance).

The modules are listed in ``pyproject.toml`` (``[tool.rolodex] compiled``), which the tests
read too. Left interpreted: what runs once per batch or per process (the SQLite store's
commit machinery, whose methods tests replace to stage faults; migrations; the CLI), the
Autumn and Dub dialects, and modules with an async generator, which mypyc cannot compile
(``transfer.py``, ``dialects/stripe/multipart.py``).

``ROLODEX_PURE_PYTHON=1`` at install time compiles nothing (no C compiler needed); the same
modules then run interpreted, with the same behaviour.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from mypyc.build import mypycify
from setuptools import setup

ROOT = Path(__file__).resolve().parent
GROUP = "rolodex_compiled"
"""The name of the one shared library mypyc builds for all of them."""


def compiled_modules() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as project:
        modules: list[str] = tomllib.load(project)["tool"]["rolodex"]["compiled"]
    return modules


def _extensions() -> list[object]:
    paths = [ROOT / "src" / f"{module.replace('.', '/')}.py" for module in compiled_modules()]
    if os.environ.get("ROLODEX_PURE_PYTHON") == "1":
        _remove_builds_beside(paths)
        return []
    sources = [str(path.relative_to(ROOT)) for path in paths]
    return list(mypycify(sources, group_name=GROUP))


def _remove_builds_beside(sources: list[Path]) -> None:
    """Remove what an earlier editable install compiled into the source tree: Python would
    load it ahead of the sources."""
    for source in sources:
        for built in source.parent.glob(f"{source.stem}.*.so"):
            built.unlink()
    for built in (ROOT / "src").glob(f"{GROUP}__mypyc.*.so"):
        built.unlink()


setup(ext_modules=_extensions())
