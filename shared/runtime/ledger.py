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

from shared.runtime.meter import Component, Invocation, Usage

MARKER = "cost.invocation"


def to_json(invocation: Invocation) -> dict[str, Any]:
    usage = invocation.usage
    return {
        "request_id": invocation.request_id,
        "correlation_id": invocation.correlation_id,
        "function": invocation.function,
        "entry": invocation.entry,
        "kind": invocation.kind,
        "status": invocation.status,
        "started_at": invocation.started_at.isoformat(),
        "duration_ms": str(invocation.duration_ms),
        "memory_mb": invocation.memory_mb,
        "architecture": invocation.architecture,
        "cold_start": invocation.cold_start,
        "init_ms": None if invocation.init_ms is None else str(invocation.init_ms),
        "usage": {
            "counts": {str(k): str(v) for k, v in usage.counts.items()},
            "db_seconds": usage.db_seconds,
            "db_statements": usage.db_statements,
            "actor": usage.actor,
            "assessment_id": usage.assessment_id,
            "session_key": usage.session_key,
            "channel": usage.channel,
        },
    }


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
        line = json.dumps({"type": MARKER, "invocation": to_json(invocation)}, separators=(",", ":"))
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def flush(self, timeout_s: float = 5.0) -> None:
        """Nothing to wait for here: lines reach the ledger through the log subscription, within seconds."""
