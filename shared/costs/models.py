"""The cost ledger's records and the finance API's shapes. Amounts leave the API as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.pagination import Page

GroupBy = Literal["route", "function", "channel", "day", "sector"]
UsdString = str  # a plain decimal string, e.g. "0.000001866672"


class CostAmounts(BaseModel):
    requests: int
    direct_usd: UsdString
    shared_usd: UsdString
    total_usd: UsdString


class CostGroup(CostAmounts):
    key: str | None = Field(description="The route key, function, channel, day (YYYY-MM-DD) or sector code; "
                            "null for requests that belong to no sector.")  # fmt: skip


class CostTotals(CostAmounts):
    unallocated_shared_usd: UsdString = Field(
        description="Fixed costs of the period that no request's database time could carry (an idle period)."
    )
    shared_pool: dict[str, UsdString] = Field(description="Fixed cost of the period by component.")


class CostSummary(BaseModel):
    from_: datetime = Field(alias="from")
    to: datetime
    group_by: GroupBy
    profile: str
    price_version: int
    groups: list[CostGroup]
    totals: CostTotals

    model_config = {"populate_by_name": True}


class CostRequestPublic(BaseModel):
    request_id: str
    correlation_id: str | None
    function: str
    route: str
    kind: str
    status: int
    channel: str
    actor: str | None
    assessment_id: UUID | None
    session_key: str | None
    started_at: datetime
    duration_ms: Decimal
    billed_ms: int
    memory_mb: int
    architecture: str
    cold_start: bool
    init_ms: Decimal | None
    max_memory_mb: int | None
    db_ms: Decimal
    db_statements: int
    usage: dict[str, str] = Field(description="Quantity used of each priced component, in its unit.")
    items: dict[str, UsdString] = Field(description="Cost of each component.")
    price_version: int
    region: str
    lambda_usd: UsdString
    gateway_usd: UsdString
    s3_usd: UsdString
    twilio_usd: UsdString = Field(description="Twilio, as estimated when the request ran.")
    twilio_actual_usd: UsdString | None = Field(description="Twilio, as Twilio reported it later; null until then.")
    direct_usd: UsdString
    reconciled: bool = Field(description="Whether the Lambda REPORT line has confirmed billed duration and memory.")


class CostRequestPage(Page[CostRequestPublic]):
    pass


class PerAssessmentGroup(BaseModel):
    channel: str
    sector: str
    assessments: int
    mean_usd: UsdString
    median_usd: UsdString
    p95_usd: UsdString
    total_usd: UsdString


class PerAssessmentCosts(BaseModel):
    from_: datetime = Field(alias="from")
    to: datetime
    groups: list[PerAssessmentGroup]

    model_config = {"populate_by_name": True}
