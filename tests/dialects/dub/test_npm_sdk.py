"""A small check with the npm ``dub`` SDK (0.73.5): update, get, auto-pagination, delete, errors.

Skips, saying why, where node/npm are missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import Server

NPM_DUB = "dub@0.73.5"
SCRIPT = Path(__file__).with_name("npm_check.mjs")


@pytest.fixture(scope="module")
def npm_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the npm dub SDK check")
    project = tmp_path_factory.mktemp("npm-dub")
    (project / "package.json").write_text('{"name": "rolodex-dub-check", "private": true}')
    try:
        installed = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", NPM_DUB],
            cwd=project, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {NPM_DUB} timed out: is the npm registry reachable?")
    if installed.returncode != 0:
        pytest.skip(f"npm install {NPM_DUB} failed (registry unreachable?): {installed.stderr}")
    shutil.copy(SCRIPT, project / SCRIPT.name)
    return project


def run_check(project: Path, server: Server, key: str) -> dict[str, Any]:
    result = subprocess.run(
        ["node", SCRIPT.name, f"{server.url}/dub", key],
        cwd=project, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout)
    return seen


def test_npm_sdk_round_trip(npm_project: Path, server: Server, dub_key: str) -> None:
    seen = run_check(npm_project, server, dub_key)
    first = seen["ids"][0]
    assert seen["updated"]["id"] == first
    assert (seen["updated"]["name"], seen["updated"]["email"]) == ("Node", "node@example.com")
    assert seen["updated"]["avatar"] == f"https://api.dub.co/og/avatar/{first}"
    assert seen["fetched"] == seen["updated"]
    assert seen["pages"] == [["n4", "n3"], ["n2", "n1"], ["n0"], []]  # stops on the empty page
    assert seen["deleted"] == {"id": seen["ids"][4]}
    assert seen["missing"]["code"] == "not_found"
    assert seen["invalid"] == {
        "type": "UnprocessableEntity",
        "code": "unprocessable_entity",
        "message": "too_big: pageSize: Max page size is 100.",
    }
    assert seen["typed"] == [True, True]
