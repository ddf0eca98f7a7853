"""The one base of every input model (a field the API does not know is refused, never silently dropped), and
the one type of the timestamps the API takes."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A pattern, compiled (and cached by ``re``) on first use: a function that never parses a date does not pay for it.
_NUMBER = r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*"


def _not_a_number(value: Any) -> Any:
    # Pydantic would read "0.5" as a Unix time; the API speaks RFC 3339 only, as its schema says.
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(_NUMBER, value)):
        raise ValueError("must be an RFC 3339 date-time with a time zone, e.g. 2026-01-31T00:00:00Z")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]
"""A date-time with its time zone (RFC 3339); never a number."""
