"""The signed-in caller: light enough for every function's dependencies to import."""

from __future__ import annotations

from uuid import UUID

from msgspec import Struct

from shared.auth.permissions import Role


class Principal(Struct, frozen=True):
    """The signed-in caller, as the database says now (role and status are never taken from the token)."""

    id: UUID
    email: str
    role: Role
    session: str | None  # refresh family of this login

    def is_(self, role: Role) -> bool:
        return self.role is role
