"""Move a database to a migration revision, as the tests of single migrations do."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from rolodex.store.migrate import MIGRATIONS


def migrate(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, ``down``, downgrade) the file to ``revision``."""
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
