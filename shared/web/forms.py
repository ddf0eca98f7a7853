"""Form bodies (webhooks) validated into models, with the one error body and field paths under ``body``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import ValidationFailed, problem

M = TypeVar("M", bound=BaseModel)


def parse_form(model: type[M], form: Mapping[str, str]) -> M:
    """``form`` as a ``model``; raises ValidationFailed naming each field (``body.MessageSid``) and never echoing
    the values."""
    try:
        return model.model_validate(dict(form))
    except ValidationError as exc:
        details = [problem(["body", *err["loc"]], err["msg"], err["type"]) for err in exc.errors()]
        raise ValidationFailed("The request is invalid.", details=details) from None
