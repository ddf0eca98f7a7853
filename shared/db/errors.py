"""Driver errors are translated into domain errors here, once, and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg

from shared.errors import (
    Conflict,
    DatabaseUnavailable,
    DomainError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    problem,
)

# SQLSTATEs that mean "run the whole transaction again": serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})

# Constraint name -> (domain error, message). Domain modules register their constraints so that a
# UNIQUE or FOREIGN KEY violation reads as a sentence a user understands.
_CONSTRAINT_MESSAGES: dict[str, tuple[type[DomainError], str]] = {}


def register_constraint(name: str, error: type[DomainError], message: str) -> None:
    _CONSTRAINT_MESSAGES[name] = (error, message)


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.Error) and getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES


def translate(exc: psycopg.Error) -> DomainError | None:
    """The domain error a driver error stands for, or None for a bug (left to become a logged 500)."""
    constraint = exc.diag.constraint_name if exc.diag is not None else None
    if constraint and constraint in _CONSTRAINT_MESSAGES:
        error, message = _CONSTRAINT_MESSAGES[constraint]
        return error(message, details={"constraint": constraint})
    if isinstance(exc, pg.UniqueViolation):
        return Conflict("A record with the same unique value already exists.", details={"constraint": constraint})
    if isinstance(exc, pg.ForeignKeyViolation):
        return NotFound("A referenced record does not exist.", details={"constraint": constraint})
    if isinstance(exc, pg.CheckViolation | pg.NotNullViolation | pg.DataError):
        # The server's message names tables and values: keep it in the log, give the caller the field and the
        # rule's name (the column if the server names one, else the constraint, else the SQLSTATE).
        column = exc.diag.column_name if exc.diag is not None else None
        field = column or constraint or exc.sqlstate or "unknown"
        return ValidationFailed(
            "A value breaks a rule of the data model.",
            details=[problem([field], f"{field}: rule {constraint or exc.sqlstate} not met", "db")],
        )
    if isinstance(exc, pg.QueryCanceled):
        return ServiceUnavailable("The database took too long to answer.")
    if isinstance(exc, psycopg.OperationalError | pg.AdminShutdown | pg.CannotConnectNow):
        return DatabaseUnavailable()
    return None


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise driver errors as domain errors; retryable ones are left for the retry loop."""
    try:
        yield
    except psycopg.Error as exc:
        domain = None if is_retryable(exc) else translate(exc)
        if domain is None:
            raise
        raise domain from exc
