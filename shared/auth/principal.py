"""The signed-in caller: light enough for every function's dependencies to import."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.auth.permissions import Role


@dataclass(frozen=True)
class Principal:
    """The signed-in caller, as the database says now (role and status are never taken from the token)."""

    id: UUID
    email: str
    role: Role
    session: str | None  # refresh family of this login

    def is_(self, role: Role) -> bool:
        return self.role is role
