"""Database core: the per-environment connection, transactions with retry, error translation, migrations."""

from shared.db.connection import Database, IsolationLevel, get_database, set_database

__all__ = ["Database", "IsolationLevel", "get_database", "set_database"]
