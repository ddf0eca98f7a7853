"""Web core shared by every function module: app and handler factories, dependencies, error mapping."""

from shared.web.app import create_app, make_handler
from shared.web.deps import BaseUrl, Ctx, CurrentUser, Db, Rt, TwilioForm
from shared.web.errors import error_responses

__all__ = [
    "BaseUrl",
    "Ctx",
    "CurrentUser",
    "Db",
    "Rt",
    "TwilioForm",
    "create_app",
    "error_responses",
    "make_handler",
]
