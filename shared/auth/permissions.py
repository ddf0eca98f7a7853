"""THE permission table: which roles may do what. Route rules in functions/routes.py are drawn from it.

super-admin may do everything. Row-level rules (an enumerator sees only the respondents and assessments
they entered) are enforced by the services, with the caller's role and id.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPER_ADMIN = "super-admin"
    ANALYST = "analyst"
    ENUMERATOR = "enumerator"
    FINANCE = "finance"


ALL_ROLES = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Every signed-in user: their own account and second factor.
    "self": ALL_ROLES,
    "users.manage": frozenset({Role.SUPER_ADMIN}),
    "audit.read": frozenset({Role.SUPER_ADMIN}),
    "questionnaires.read": frozenset({Role.SUPER_ADMIN, Role.ANALYST, Role.ENUMERATOR}),
    "questionnaires.write": frozenset({Role.SUPER_ADMIN}),
    "assessments.submit": frozenset({Role.SUPER_ADMIN, Role.ANALYST, Role.ENUMERATOR}),
    "assessments.read": frozenset({Role.SUPER_ADMIN, Role.ANALYST, Role.ENUMERATOR}),
    "respondents.read": frozenset({Role.SUPER_ADMIN, Role.ANALYST, Role.ENUMERATOR}),
    # WhatsApp invitations and reminders; enumerators only to the respondents they entered.
    "respondents.invite": frozenset({Role.SUPER_ADMIN, Role.ENUMERATOR}),
    "reports.read": frozenset({Role.SUPER_ADMIN, Role.ANALYST}),
    # The live dashboard; enumerators see only the figures of what they entered themselves.
    "dashboard.read": frozenset({Role.SUPER_ADMIN, Role.ANALYST, Role.ENUMERATOR}),
    "outbox.manage": frozenset({Role.SUPER_ADMIN}),
    "exports.create": frozenset({Role.SUPER_ADMIN, Role.ANALYST}),
    "costs.read": frozenset({Role.SUPER_ADMIN, Role.FINANCE}),
    "costs.export": frozenset({Role.SUPER_ADMIN, Role.FINANCE}),
}


def roles_for(permission: str) -> tuple[str, ...]:
    """The roles holding ``permission``, in a stable order; raises KeyError for an unknown permission."""
    return tuple(sorted(r.value for r in PERMISSIONS[permission] | {Role.SUPER_ADMIN}))


def may(role: Role, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (super-admin holds all); raises KeyError for an unknown one."""
    return role is Role.SUPER_ADMIN or role in PERMISSIONS[permission]


def sees_only_own_records(role: Role) -> bool:
    """Enumerators see only the respondents and assessments they entered themselves."""
    return role is Role.ENUMERATOR
