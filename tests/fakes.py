"""Hand-written fakes, only at the edges the architecture names (the runtime's ports)."""

from __future__ import annotations

from shared.runtime.meter import Invocation


class RecordingLedger:
    """The cost ledger, kept in memory: what a unit test's invocations would have recorded."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []

    def record(self, invocation: Invocation) -> None:
        self.invocations.append(invocation)

    def flush(self, timeout_s: float = 5.0) -> None:
        return None
