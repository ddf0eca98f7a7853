"""FastAPI dependencies shared by function modules. All ``async def``: see shared.web.app."""

from __future__ import annotations

from shared.db import Database, get_database


async def database() -> Database:
    return get_database()
