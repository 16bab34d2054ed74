"""The factory uvicorn calls in each worker process: settings from the environment."""

from __future__ import annotations

from starlette.types import ASGIApp

from rolodex.http.app import create_app
from rolodex.settings import Settings
from rolodex.store import open_store


def build() -> ASGIApp:
    settings = Settings.from_environment()
    # The parent process has already migrated before starting the workers.
    return create_app(settings, open_store(settings.database_url), migrate=False)
