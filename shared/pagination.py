"""One page type and one cursor codec for every list of the API.

Lists are keyset-paged: a cursor is the sort key of the last item served, opaque to clients (URL-safe
base64 of a JSON array), refused with a 422 naming ``query.cursor`` when it is not one this API made.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from shared.errors import ValidationFailed, problem

T = TypeVar("T")
MAX_CURSOR_CHARS = 512
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,512}$"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_cursor(*key: Any) -> str:
    raw = json.dumps([_plain(v) for v in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, *types: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The key a cursor carries, each part converted by its type (``datetime.fromisoformat``, ``UUID``,
    ``int``, ``str``). None for no cursor. Raises ValidationFailed for a cursor this API did not make."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(parts, list) or len(parts) != len(types):
            raise ValueError("wrong shape")
        return tuple(convert(part) for convert, part in zip(types, parts, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            "The cursor is not valid.", details=[problem(["query", "cursor"], "not a cursor of this list", "cursor")]
        ) from None


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> tuple[list[T], str | None]:
    """The first ``limit`` rows and the cursor after them, from ``limit + 1`` fetched rows."""
    items = list(rows[:limit])
    return items, encode_cursor(*key(items[-1])) if len(rows) > limit else None
