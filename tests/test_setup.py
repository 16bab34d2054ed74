"""The build (``setup.py``): the modules it lists run compiled, and it can type-check them."""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import os
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.support.compiled import COMPILED, PURE_PYTHON, ROOT, source_of, stale


@pytest.mark.skipif(PURE_PYTHON, reason="installed with ROLODEX_PURE_PYTHON=1: nothing compiled")
@pytest.mark.parametrize("module", COMPILED)
def test_each_listed_module_runs_compiled(module: str) -> None:
    path = Path(importlib.import_module(module).__file__ or "")
    assert path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), path


def test_each_listed_module_is_a_source_file_listed_once() -> None:
    assert len(set(COMPILED)) == len(COMPILED)
    assert [module for module in COMPILED if not source_of(module).is_file()] == []


def test_the_build_has_every_runtime_dependency_for_its_type_check() -> None:
    """mypyc type-checks the package as ``mypy`` does, in pip's isolated build environment:
    every package the code imports must be there, in the versions it runs with."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)
    build = {
        requirement.name: requirement.specifier
        for requirement in map(Requirement, project["build-system"]["requires"])
    }
    for line in project["project"]["dependencies"]:
        runtime = Requirement(line)
        assert build.get(runtime.name) == runtime.specifier, line


def test_a_source_edited_after_its_build_is_stale(tmp_path: Path) -> None:
    modules = ["pkg.edited", "pkg.built", "pkg.interpreted"]
    for module in modules:
        source_of(module, tmp_path).parent.mkdir(parents=True, exist_ok=True)
        source_of(module, tmp_path).write_text("")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for module, built_at, edited_at in (("pkg.edited", 100, 200), ("pkg.built", 200, 100)):
        source = source_of(module, tmp_path)
        extension = source.with_name(source.stem + suffix)
        extension.write_bytes(b"")
        os.utime(extension, (built_at, built_at))
        os.utime(source, (edited_at, edited_at))
    assert stale(modules, tmp_path) == ["pkg.edited"]


@pytest.mark.parametrize("module", COMPILED)
def test_no_handler_name_is_bound_to_two_exception_types(module: str) -> None:
    """mypyc gives a name one type per function: an ``except A as error`` then an ``except B
    as error`` in one function (which mypy allows) compiles to a check that the second
    handler's exception is an ``A``, so it raises ``TypeError`` instead of handling it."""
    tree = ast.parse(source_of(module).read_text())
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        bound: defaultdict[str, set[str]] = defaultdict(set)
        for node in ast.walk(function):
            if isinstance(node, ast.ExceptHandler) and node.name and node.type:
                bound[node.name].add(ast.unparse(node.type))
        assert {name for name, types in bound.items() if len(types) > 1} == set(), function.name
