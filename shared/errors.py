"""Domain errors. They know nothing of HTTP; ``shared.web.errors`` maps them to status codes."""

from __future__ import annotations

from typing import Any


def problem(loc: list[str | int], message: str, kind: str, *, path: str | None = None) -> dict[str, Any]:
    """One entry of a ValidationFailed's details: where (``loc`` and its dotted ``path``), what, which kind."""
    return {"loc": loc, "path": ".".join(map(str, loc)) if path is None else path, "message": message, "type": kind}


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    code = "error"
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class BadRequest(DomainError):
    code = "bad_request"
    default_message = "The request is malformed."


class ValidationFailed(DomainError):
    """Input broke a rule; ``details`` lists each problem as {"loc", "path", "message", "type"}."""

    code = "validation_error"
    default_message = "The request is invalid."


class Unauthorized(DomainError):
    code = "unauthorized"
    default_message = "Authentication is required."


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(DomainError):
    code = "not_found"
    default_message = "The resource does not exist."


class Gone(DomainError):
    """It existed, and is no longer available (an expired file, a revoked or used-up link)."""

    code = "gone"
    default_message = "This is no longer available."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The request conflicts with the current state."


class MessageRefused(Conflict):
    """Twilio refused an outbound message (``details["twilio_code"]``: 21610 opted out, 63016 outside the
    24-hour window, ...)."""

    code = "message_refused"
    default_message = "The messaging provider refused the message."


class TooManyRequests(DomainError):
    code = "too_many_requests"
    default_message = "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    default_message = "A dependency is unavailable; try again shortly."


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    default_message = "The database is unreachable."


class ConcurrencyConflict(Conflict):
    """Raised when a transaction still fails on serialization/deadlock after its retries."""

    code = "concurrency_conflict"
    default_message = "The data changed concurrently; retry the request."


class ConfigError(Exception):
    """Configuration is missing or unsafe; raised at start-up, never during a request."""


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    default_message = "This content type is not accepted here."


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    default_message = "The request body is too large."
