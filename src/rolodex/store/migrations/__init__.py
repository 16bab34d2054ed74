"""Versioned schema migrations (Alembic), applied at start-up and by ``rolodex migrate``."""
