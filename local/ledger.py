"""The cost ledger's intake locally: what the log subscription and the reconciler do in AWS, done by one
background writer in the platform's process, so that no request waits for its ledger row."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from shared.costs.service import store_many
from shared.runtime import Runtime
from shared.runtime.meter import Invocation

logger = logging.getLogger("local.ledger")
MAX_BATCH = 500
_NOTHING: object = object()


class BackgroundLedger:
    """The runtime's Ledger locally: measurements are queued and stored by one writer thread, which keeps its
    own database connection (the Database is per thread)."""

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime
        # A measurement, a flush marker (set once everything before it is done), or None: stop.
        self._queue: queue.Queue[Invocation | threading.Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="cost-ledger", daemon=True)
        self._thread.start()

    def record(self, invocation: Invocation) -> None:
        self._queue.put(invocation)

    def flush(self, timeout_s: float = 60.0) -> None:
        """Wait until every measurement recorded so far is stored (or failed and logged)."""
        marker = threading.Event()
        self._queue.put(marker)
        if not marker.wait(timeout_s):
            logger.warning("the cost ledger's writer is behind: %d measurements queued", self._queue.qsize())

    def close(self) -> None:
        """Store what is queued, then stop."""
        self._queue.put(None)
        self._thread.join(timeout=60)

    def _write(self) -> None:
        while True:
            item: Invocation | threading.Event | object | None = self._queue.get()
            batch: list[Invocation] = []
            # Whatever else is queued goes in the same transaction: a writer behind catches up in one round trip.
            while isinstance(item, Invocation):
                batch.append(item)
                if len(batch) >= MAX_BATCH or self._queue.empty():
                    item = _NOTHING
                    break
                item = self._queue.get()
            if batch:
                store_many(self._runtime(), batch)  # logs and counts its own failures
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
