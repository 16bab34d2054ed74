"""The servers and children a benchmark starts: each server reports the CPU time of its own
process; each child imports the build it was given."""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

from benchmarks.processes import ROOT, Launch, child_env, free_port, running
from pytest import MonkeyPatch

_SERVER = """
import http.server, sys, time

class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if sys.argv[2] == "busy":
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
        else:
            time.sleep(0.3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Answer).serve_forever()
"""
"""A server that spends 0.3 s on each GET, on the CPU ("busy") or asleep ("idle")."""


def _launch(tmp_path: Path, kind: str) -> Launch:
    script = tmp_path / "server.py"
    script.write_text(_SERVER)
    port = free_port()
    command = [sys.executable, str(script), str(port), kind]
    return Launch(kind, command, port, tmp_path / f"{kind}.log")


def test_a_server_reports_the_cpu_time_its_own_process_used(tmp_path: Path) -> None:
    launches = [_launch(tmp_path, "busy"), _launch(tmp_path, "idle")]
    with running(launches, None) as servers:
        before = [server.cpu_seconds() for server in servers]
        for server in servers:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=10).close()
        used = [server.cpu_seconds() - was for server, was in zip(servers, before, strict=True)]
    busy, idle = used
    assert busy >= 0.25
    assert idle < 0.1


def test_a_child_imports_the_given_build_and_none_of_rolodexs_settings(
    monkeypatch: MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROLODEX_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("PYTHONPATH", "/inherited")
    monkeypatch.setenv("LANG", "C.UTF-8")
    env = child_env(Path("/base/src"))
    assert not [name for name in env if name.startswith("ROLODEX_")]
    assert env["PYTHONPATH"].split(os.pathsep) == ["/base/src", str(ROOT), "/inherited"]
    assert env["LANG"] == "C.UTF-8"
