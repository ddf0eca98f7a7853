"""The small interfaces to everything that leaves the process. Each has one AWS (or Twilio) adapter and a
local one; use cases receive them through the Runtime and never build clients themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from shared.runtime.meter import Invocation


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str | None = None  # hex digest of the whole object, as recorded when it was stored


class ObjectStorage(Protocol):
    """The exports bucket: private, encrypted objects, read through short-lived presigned URLs."""

    def put_file(self, key: str, path: Path, *, content_type: str, sha256: str | None = None) -> StoredObject:
        """Upload the file at ``path`` (streamed from disk, in parts when large) as ``key``; ``sha256`` is
        kept with it."""
        ...

    def presign_get(
        self, key: str, *, expires_s: int, filename: str, content_type: str, size_bytes: int | None = None
    ) -> str:
        """A URL that GETs the object as an attachment named ``filename`` for ``expires_s`` seconds;
        ``size_bytes`` is metered as the transfer out the download will cost."""
        ...

    def head(self, key: str) -> StoredObject | None:
        """The object's size and recorded digest; None when there is no such object (any more)."""
        ...


class SocketPoster(Protocol):
    """The WebSocket API's management endpoint (``@connections``)."""

    def post(self, connection_id: str, data: bytes) -> bool:
        """Send ``data``; False when the connection is gone (410). Raises on other failures."""
        ...

    def disconnect(self, connection_id: str) -> None: ...


class InvokeFailed(RuntimeError):
    """A synchronous invoke got no answer from the job: not invoked (throttled, unreachable), failed or timed out."""


class Invoker(Protocol):
    """Invokes of other functions of the manifest, by job name: asynchronous (Event), or synchronous."""

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None: ...

    def invoke(self, job: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Run the job and return its answer. Raises InvokeFailed when it gives none; never retried (the job may
        have acted before its answer was lost)."""
        ...


@dataclass(frozen=True)
class SentMessage:
    """What Twilio answered to a message it accepted."""

    sid: str
    status: str


class Messenger(Protocol):
    """Outbound WhatsApp messages through Twilio's REST API (replies to inbound messages travel as TwiML)."""

    def send(
        self,
        to: str,
        *,
        body: str | None = None,
        content_sid: str | None = None,
        variables: Mapping[str, str] | None = None,
        status_callback: str | None = None,
    ) -> SentMessage:
        """Send to an E.164 number: a free-form ``body`` (inside WhatsApp's 24-hour window), or a Content
        template ``content_sid`` with its ``variables`` (outside it). Raises MessageRefused when Twilio refuses
        it, ServiceUnavailable when Twilio cannot be reached."""
        ...


class Ledger(Protocol):
    """Where each invocation's metered usage goes (the cost ledger), off the response's path."""

    def record(self, invocation: Invocation) -> None:
        """Hand the measurement over; never raises and never waits for the database."""
        ...

    def flush(self, timeout_s: float = 5.0) -> None:
        """Wait until what was recorded so far is readable, where the adapter can know that."""
        ...
