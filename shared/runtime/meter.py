"""The cost meter: what one invocation used, counted where it happens (the wrapper, the database, the
adapters), in the units of the price table. The ledger (shared/costs) prices and stores it.

One invocation at a time per execution environment: the current usage is per thread, as the database
connection is (see shared/db/connection.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from msgspec import Struct, field


class Component(StrEnum):
    """A billed unit of the price table; usage is counted in these units."""

    LAMBDA_REQUEST = "lambda.request"
    LAMBDA_GB_SECOND_ARM64 = "lambda.gb-second.arm64"
    LAMBDA_GB_SECOND_X86_64 = "lambda.gb-second.x86_64"
    HTTP_API_REQUEST = "apigw.http.request"  # metered in 512 KB steps
    WEBSOCKET_MESSAGE = "apigw.ws.message"  # metered in 32 KB steps
    WEBSOCKET_CONNECTION_MINUTE = "apigw.ws.connection-minute"
    S3_WRITE_REQUEST = "s3.request.put"  # PUT, COPY, POST, LIST
    S3_READ_REQUEST = "s3.request.get"
    DATA_TRANSFER_OUT_GB = "transfer.out.gb"
    TWILIO_MESSAGE = "twilio.whatsapp.message"
    # Fixed, shared costs: billed by the hour or the month whatever the traffic; never counted per request,
    # shared out over a period's requests by their database time (see shared/costs).
    AURORA_ACU_HOUR = "aurora.acu-hour"
    RDS_PROXY_ACU_HOUR = "rds-proxy.acu-hour"
    NAT_GATEWAY_HOUR = "nat.hour"
    VPC_ENDPOINT_HOUR = "vpc-endpoint.hour"
    SECRET_MONTH = "secrets.secret-month"  # noqa: S105 - a price component, not a secret


HTTP_API_STEP_BYTES = 512 * 1024
WEBSOCKET_STEP_BYTES = 32 * 1024


def steps(size_bytes: int, step: int) -> int:
    """API Gateway meters a request or message in steps of ``step`` bytes: at least one."""
    return max(1, -(-size_bytes // step))


class Usage(Struct):
    """What one invocation used so far, and what it is about."""

    counts: dict[Component, Decimal] = field(default_factory=dict)
    db_seconds: float = 0.0
    db_statements: int = 0
    actor: str | None = None
    assessment_id: str | None = None
    session_key: str | None = None
    channel: str | None = None

    def add(self, component: Component, quantity: int | Decimal = 1) -> None:
        self.counts[component] = self.counts.get(component, Decimal(0)) + Decimal(quantity)


class Invocation(Struct, frozen=True):
    """One invocation as the wrapper measured it, before pricing."""

    request_id: str
    correlation_id: str | None
    function: str
    entry: str
    kind: str
    status: int
    started_at: datetime
    duration_ms: Decimal
    memory_mb: int
    architecture: str
    cold_start: bool
    init_ms: Decimal | None
    usage: Usage


class Meter:
    """Counts usage into the invocation running on this thread; outside one, counting is a no-op."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def measure(self, usage: Usage | None = None) -> Iterator[Usage]:
        """Count into ``usage`` (a new one if None) until the block ends."""
        usage = usage or Usage()
        self._local.usage = usage
        try:
            yield usage
        finally:
            self._local.usage = None

    @property
    def current(self) -> Usage | None:
        usage: Usage | None = getattr(self._local, "usage", None)
        return usage

    def count(self, component: Component, quantity: int | Decimal = 1) -> None:
        usage = self.current
        if usage is not None:
            usage.add(component, quantity)

    def on_statement(self, seconds: float, statements: int = 1) -> None:
        """Database time of the running invocation; ``statements`` 0 for a wait on results already counted (a
        pipelined transaction's statements are sent first and waited for later)."""
        usage = self.current
        if usage is not None:
            usage.db_seconds += seconds
            usage.db_statements += statements

    def attribute(
        self,
        *,
        actor: str | None = None,
        assessment_id: str | None = None,
        session_key: str | None = None,
        channel: str | None = None,
    ) -> None:
        """Say what the running invocation is about (who, which assessment, which session or conversation)."""
        usage = self.current
        if usage is None:
            return
        usage.actor = actor or usage.actor
        usage.assessment_id = assessment_id or usage.assessment_id
        usage.session_key = session_key or usage.session_key
        usage.channel = channel or usage.channel
