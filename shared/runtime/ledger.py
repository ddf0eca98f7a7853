"""Where each invocation's measurement goes, off the response's path.

In AWS nothing may run after a function returned (the environment is frozen), and a database write on every
request would cost a round trip through the proxy. So the measurement leaves as one JSON line on stdout, which
Lambda ships to the function's log group; the cost reconciler, subscribed to every log group, prices and
stores it, and corrects it with Lambda's own REPORT line of the same request (shared/costs). Locally, the
platform's background writer does the same work in-process (local/ledger.py).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import to_builtins
from msgspec.json import Encoder

from shared.runtime.meter import Component, Invocation, Usage

MARKER = "cost.invocation"
_ENCODER = Encoder()


def to_json(invocation: Invocation) -> dict[str, Any]:
    """The measurement as JSON values: decimals as strings (exact), times in RFC 3339, components by name."""
    data: dict[str, Any] = to_builtins(invocation)
    return data


def from_json(data: dict[str, Any]) -> Invocation:
    """Raises KeyError, ValueError or TypeError for a line that is not a measurement."""
    usage = dict(data["usage"])
    counts = {Component(k): Decimal(v) for k, v in usage.pop("counts").items()}
    return Invocation(
        **{
            **data,
            "started_at": datetime.fromisoformat(data["started_at"]),
            "duration_ms": Decimal(data["duration_ms"]),
            "init_ms": None if data["init_ms"] is None else Decimal(data["init_ms"]),
            "usage": Usage(counts=counts, **usage),
        }
    )


def parse_line(message: str) -> Invocation | None:
    """The measurement a log line carries, or None for any other line."""
    if MARKER not in message:
        return None
    try:
        data = json.loads(message)
        return from_json(data["invocation"]) if data.get("type") == MARKER else None
    except (ValueError, KeyError, TypeError):
        return None


class LogLedger:
    """The runtime's Ledger in AWS: one line per invocation on stdout (never fails the request)."""

    def record(self, invocation: Invocation) -> None:
        # msgspec encodes the Structs as to_json has them, in under a microsecond (json.dumps of to_json: ~9).
        line = _ENCODER.encode({"type": MARKER, "invocation": invocation})
        sys.stdout.write(line.decode() + "\n")
        sys.stdout.flush()

    def flush(self, timeout_s: float = 5.0) -> None:
        """Nothing to wait for here: lines reach the ledger through the log subscription, within seconds."""
