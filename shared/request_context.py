"""Who is calling from where, for audit rows and logs; built by the web layer from the API Gateway event."""

from __future__ import annotations

from msgspec import Struct


class RequestContext(Struct, frozen=True):
    source_ip: str | None = None
    correlation_id: str | None = None
    user_agent: str | None = None
    # The function invocation's own id (Lambda's request id): the cost ledger row's key.
    invocation_id: str | None = None
