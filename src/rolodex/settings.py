"""Configuration, read once at the edge (flags and ``ROLODEX_*`` variables) into one object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///rolodex.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 12111


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    log_level: str = "info"
    locked: bool = False
    """Accept only the keys ``rolodex keys`` holds, not every well-formed one."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("ROLODEX_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=env.get("ROLODEX_HOST", DEFAULT_HOST),
            port=int(env.get("ROLODEX_PORT", DEFAULT_PORT)),
            workers=int(env.get("ROLODEX_WORKERS", 1)),
            log_level=env.get("ROLODEX_LOG_LEVEL", "info"),
            locked=env.get("ROLODEX_LOCKED", "").lower() in _TRUE,
        )

    def as_environment(self) -> dict[str, str]:
        """The variables that rebuild these settings in a worker process."""
        return {
            "ROLODEX_DATABASE_URL": self.database_url,
            "ROLODEX_HOST": self.host,
            "ROLODEX_PORT": str(self.port),
            "ROLODEX_WORKERS": str(self.workers),
            "ROLODEX_LOG_LEVEL": self.log_level,
            "ROLODEX_LOCKED": "1" if self.locked else "",
        }


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
"""What ``ROLODEX_LOCKED`` may say to lock the server (as click reads a flag's variable)."""
