"""The ``rolodex`` command run as a real process, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys

HANG_GUARD_S = 120
"""A command still running after this long has hung; no command here should come near it."""


def rolodex(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``rolodex ARGS`` with none of the caller's ``ROLODEX_*`` variables (``env`` adds
    some back), ``stdin`` as its standard input (none, if not given)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    return subprocess.run(
        [sys.executable, "-m", "rolodex", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=HANG_GUARD_S,
        check=False,
    )
