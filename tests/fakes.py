"""Hand-written fakes, only at the edges the architecture names (the runtime's ports)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shared.runtime.meter import Invocation
from shared.runtime.ports import InvokeFailed, StoredObject


class RecordingLedger:
    """The cost ledger, kept in memory: what a unit test's invocations would have recorded."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []

    def record(self, invocation: Invocation) -> None:
        self.invocations.append(invocation)

    def flush(self, timeout_s: float = 5.0) -> None:
        return None


class Died(BaseException):
    """Stands for the process ending mid-work (a Lambda timeout, a crash): not an error anything catches."""


class RecordingPoster:
    """The WebSocket management API: keeps every post. Connections in ``gone`` answer 410 (False); posts to
    those in ``failing`` raise; after ``die_after`` posts, the next one ends the process (Died)."""

    def __init__(
        self, gone: set[str] | None = None, failing: set[str] | None = None, die_after: int | None = None
    ) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.gone = gone or set()
        self.failing = failing or set()
        self.die_after = die_after
        self._lock = threading.Lock()

    def post(self, connection_id: str, data: bytes) -> bool:
        with self._lock:
            if self.die_after is not None and len(self.posts) >= self.die_after:
                raise Died()
            if connection_id in self.failing:
                raise RuntimeError("LimitExceededException: too many requests")
            if connection_id in self.gone:
                return False
            self.posts.append((connection_id, data))
            return True

    def disconnect(self, connection_id: str) -> None:
        self.gone.add(connection_id)

    def messages(self, connection_id: str | None = None) -> list[dict[str, Any]]:
        return [json.loads(data) for c, data in self.posts if connection_id in (None, c)]


class RecordingInvoker:
    """Lambda's asynchronous invoke: keeps every (job, payload)."""

    def __init__(self) -> None:
        self.invokes: list[tuple[str, dict[str, Any]]] = []

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        self.invokes.append((job, payload))

    def invoke(self, job: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A synchronous invoke is kept too, and gets no answer (as if the job were unreachable)."""
        self.invokes.append((job, payload))
        raise InvokeFailed(f"{job}: not answered here")


class SteppingClock:
    """A clock that moves ``step`` forward each time it is read: work that watches the clock sees time fly."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self._now = start
        self._step = step

    def now(self) -> datetime:
        self._now += self._step
        return self._now


class FailingStorage:
    """An exports bucket that refuses every upload."""

    def put_file(self, key: str, path: Path, *, content_type: str, sha256: str | None = None) -> StoredObject:
        raise ConnectionError("the bucket is unreachable")

    def presign_get(
        self, key: str, *, expires_s: int, filename: str, content_type: str, size_bytes: int | None = None
    ) -> str:
        raise ConnectionError("the bucket is unreachable")

    def head(self, key: str) -> StoredObject | None:
        raise ConnectionError("the bucket is unreachable")
