"""autumn-js (npm) against a real server: a small check that the JavaScript SDK works too.

The package is installed from the npm registry into a temporary folder; without node, or
without a reachable registry, the check skips and says why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import Server

AUTUMN_JS = "autumn-js@1.3.13"
"""The newest autumn-js release; it sends x-api-version 2.4.0."""
SCRIPT = Path(__file__).parent / "js" / "customers.mjs"
_UNREACHABLE = ("ENOTFOUND", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "EAI_AGAIN", "ENETUNREACH")


@pytest.fixture(scope="session")
def autumn_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding autumn-js and the check script."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("autumn-js check needs node and npm on PATH")
    folder = tmp_path_factory.mktemp("autumn-js")
    (folder / "package.json").write_text('{"private": true, "type": "module"}')
    installed = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", AUTUMN_JS],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if installed.returncode != 0:
        if any(code in installed.stderr for code in _UNREACHABLE):
            pytest.skip(f"npm registry unreachable, cannot install {AUTUMN_JS}")
        pytest.fail(f"npm install {AUTUMN_JS} failed:\n{installed.stderr}")
    shutil.copy(SCRIPT, folder / SCRIPT.name)
    return folder


def test_autumn_js_round_trip(autumn_js: Path, server: Server, autumn_key: str) -> None:
    ran = subprocess.run(
        ["node", SCRIPT.name, f"{server.url}/autumn", autumn_key],
        cwd=autumn_js,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["created"]["id"] == "js-user" and report["created"]["env"] == "sandbox"
    assert report["updated"] == {
        "id": "js-user-2",
        "name": None,
        "metadata": {"plan": "pro", "seat": 3},
    }
    assert report["fetched"] == {
        "id": "js-user-2",
        "createdAt": report["created"]["createdAt"],
        "subscriptions": [],
        "balances": {},
    }
    assert report["listed"] == ["js-user-2"]
    assert report["missing"] == {
        "typed": True,
        "status": 404,
        "body": {
            "message": "Customer js-user not found",
            "code": "customer_not_found",
            "env": "sandbox",
        },
    }
    assert report["deleted"] == {"success": True}
