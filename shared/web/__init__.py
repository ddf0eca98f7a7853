"""Web core shared by every function module: app and handler factories, dependencies, error mapping."""

from shared.web.app import create_app, make_handler
from shared.web.auth import current_context, current_principal
from shared.web.deps import database
from shared.web.errors import ErrorBody, error_responses

__all__ = [
    "ErrorBody",
    "create_app",
    "current_context",
    "current_principal",
    "database",
    "error_responses",
    "make_handler",
]
