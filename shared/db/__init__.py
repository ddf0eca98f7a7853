"""Database core: the per-environment connection, transactions with retry, error translation, migrations."""

from shared.db.connection import Database, IsolationLevel

__all__ = ["Database", "IsolationLevel"]
