"""Cost ledger use cases: record an invocation (never failing the request), reconcile it with Lambda's REPORT
line, and finance's reports with fixed costs shared out by database time."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.costs import pricing, repository
from shared.costs.models import (
    CostGroup,
    CostRequestPage,
    CostRequestPublic,
    CostSummary,
    CostTotals,
    GroupBy,
    PerAssessmentCosts,
    PerAssessmentGroup,
)
from shared.db import Database
from shared.errors import NotFound, ValidationFailed, problem
from shared.observability import metrics
from shared.pagination import decode_cursor, page_of
from shared.runtime import Runtime, ledger
from shared.runtime.meter import Invocation

logger = logging.getLogger(__name__)

PRICES_TTL_S = 300
DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=400)

# -- recording ------------------------------------------------------------------------------------------


def _prices(runtime: Runtime, at: datetime) -> pricing.PriceBook:
    region = runtime.settings.aws_region
    book: pricing.PriceBook = runtime.memo(
        f"prices:{region}", PRICES_TTL_S, lambda: repository.price_book(runtime.db, region, at)
    )
    return book


def priced_row(invocation: Invocation, prices: pricing.PriceBook) -> dict[str, Any]:
    """The ledger row of an invocation: billed duration, GB-seconds and every component's cost."""
    usage = invocation.usage
    billed = pricing.billed_ms(invocation.duration_ms, invocation.init_ms)
    counts: dict[str, Decimal] = {str(k): v for k, v in usage.counts.items()}
    counts[pricing.duration_component(invocation.architecture)] = pricing.gb_seconds(invocation.memory_mb, billed)
    items = pricing.line_items(counts, prices)
    return {
        "request_id": invocation.request_id,
        "correlation_id": invocation.correlation_id,
        "function": invocation.function,
        "entry": invocation.entry,
        "kind": invocation.kind,
        "status": invocation.status,
        "channel": usage.channel or "system",
        "actor": usage.actor,
        "assessment_id": usage.assessment_id,
        "session_key": usage.session_key,
        "started_at": invocation.started_at,
        "duration_ms": invocation.duration_ms,
        "billed_ms": billed,
        "memory_mb": invocation.memory_mb,
        "architecture": invocation.architecture,
        "cold_start": invocation.cold_start,
        "init_ms": invocation.init_ms,
        "db_ms": Decimal(str(round(usage.db_seconds * 1000, 3))),
        "db_statements": usage.db_statements,
        "usage": {k: str(v) for k, v in counts.items()},
        "region": prices.region,
        "price_version": prices.version,
        "items": {k: pricing.usd(v) for k, v in items.items()},
        "lambda_usd": pricing.total(items, pricing.LAMBDA),
        "gateway_usd": pricing.total(items, pricing.GATEWAY),
        "s3_usd": pricing.total(items, pricing.S3),
        "twilio_usd": pricing.total(items, pricing.TWILIO),
        "direct_usd": pricing.total(items),
    }


def store(runtime: Runtime, invocation: Invocation) -> bool:
    """Price an invocation and write its ledger row (one statement; a repeated request id changes nothing).
    Never raises: a failure is logged with the whole measured row (so nothing is lost from the logs) and
    counted in the ``LedgerWriteFailures`` metric."""
    try:
        if not invocation.request_id:
            raise ValueError("the invocation has no request id")
        if runtime.db.recently_unreachable():
            raise ConnectionError("the database was unreachable a moment ago")
        repository.insert_request(runtime.db, priced_row(invocation, _prices(runtime, invocation.started_at)))
        return True
    except Exception as exc:
        logger.warning(
            "cost ledger row not written: %s",
            type(exc).__name__,
            extra={"ledger_row": ledger.to_json(invocation), "error": str(exc)},
        )
        metrics.add_metric(name="LedgerWriteFailures", unit="Count", value=1)
        return False


def store_many(runtime: Runtime, invocations: list[Invocation]) -> int:
    """Price and write many invocations in one transaction; if that fails, each on its own (``store``), so one
    bad row never costs the others. How many were written."""
    try:
        if runtime.db.recently_unreachable():
            raise ConnectionError("the database was unreachable a moment ago")
        rows = [priced_row(i, _prices(runtime, i.started_at)) for i in invocations if i.request_id]
        repository.insert_requests(runtime.db, rows)
        if len(rows) == len(invocations):
            return len(rows)
    except Exception:
        logger.info("a batch of ledger rows failed; writing them one by one", exc_info=True)
    return sum(store(runtime, invocation) for invocation in invocations)


def ingest(runtime: Runtime, messages: list[str]) -> dict[str, int]:
    """What the reconciler does with a batch of log lines: store the measurements, then correct them with
    Lambda's REPORT lines (a function logs its measurement before Lambda writes its REPORT line)."""
    invocations = [i for i in map(ledger.parse_line, messages) if i is not None]
    reports = [r for r in map(parse_report, messages) if r is not None]
    stored = store_many(runtime, invocations) if invocations else 0
    reconciled = sum(reconcile(runtime.db, report) for report in reports)
    return {"invocations": len(invocations), "stored": stored, "reports": len(reports), "reconciled": reconciled}


# -- reconciliation with Lambda's REPORT lines ----------------------------------------------------------

_REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>\d+) ms\s+Memory Size: (?P<memory>\d+) MB\s+"
    r"Max Memory Used: (?P<max_memory>\d+) MB(\s+Init Duration: (?P<init>[\d.]+) ms)?"
)


def parse_report(line: str) -> dict[str, Any] | None:
    """The fields of a Lambda REPORT log line, or None for any other line."""
    found = _REPORT.match(line.strip())
    if found is None:
        return None
    return {
        "request_id": found["id"],
        "duration_ms": Decimal(found["duration"]),
        "billed_ms": int(found["billed"]),
        "memory_mb": int(found["memory"]),
        "max_memory_mb": int(found["max_memory"]),
        "init_ms": Decimal(found["init"]) if found["init"] else None,
    }


def reconcile(db: Database, report: dict[str, Any]) -> bool:
    """Replace a ledger row's measured billing with the REPORT line's (the truth in AWS), priced with the
    row's own price version. False when no row has that request id (yet)."""

    def work(conn: Any) -> bool:
        row = repository.ledger_row(conn, report["request_id"], for_update=True)
        if row is None:
            return False
        prices = repository.prices_of_version(conn, row["price_version"], row["region"])
        usage = {k: Decimal(v) for k, v in row["usage"].items()}
        usage[pricing.duration_component(row["architecture"])] = pricing.gb_seconds(
            report["memory_mb"], report["billed_ms"]
        )
        items = pricing.line_items(usage, prices)
        repository.reconcile(
            conn,
            {
                "request_id": row["request_id"],
                "billed_ms": report["billed_ms"],
                "max_memory_mb": report["max_memory_mb"],
                "init_ms": report["init_ms"],
                "usage": {k: str(v) for k, v in usage.items()},
                "items": {k: pricing.usd(v) for k, v in items.items()},
                "lambda_usd": pricing.total(items, pricing.LAMBDA),
                "direct_usd": pricing.total(items),
            },
        )
        return True

    return db.run_in_transaction(work)


# -- reports --------------------------------------------------------------------------------------------


def period(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The period asked for: ``to`` defaults to now, ``from`` to 30 days before ``to``. Raises
    ValidationFailed for an empty, reversed or too long period."""
    end = end or now
    start = start or end - DEFAULT_PERIOD
    if start >= end:
        raise ValidationFailed(details=[problem(["query", "from"], "must be before to", "value_error")])
    if end - start > MAX_PERIOD:
        raise ValidationFailed(details=[problem(["query", "from"], "the period is at most 400 days", "value_error")])
    return start, end


def _shared_pool(runtime: Runtime, start: datetime, end: datetime) -> tuple[dict[str, Decimal], int]:
    """Fixed cost of the deployment's profile over the period, by component, and the price version used (the
    one in force at the period's end)."""
    try:
        prices = repository.price_book(runtime.db, runtime.settings.aws_region, end)
    except LookupError:
        raise ValidationFailed(
            "No price version is in force at the end of this period.",
            details=[problem(["query", "to"], "no price version is in force then", "no_prices")],
        ) from None
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    pool = {
        row["component"]: pricing.share(
            pricing.fixed_cost(Decimal(row["quantity"]), prices.price(row["component"]), hours, row["component"])
        )
        for row in repository.shared_capacity(runtime.db, runtime.settings.cost_profile)
    }
    return pool, prices.version


def summary(runtime: Runtime, start: datetime, end: datetime, group_by: GroupBy) -> CostSummary:
    runtime.ledger.flush()
    pool, version = _shared_pool(runtime, start, end)
    rows = repository.grouped(runtime.db, group_by, start, end)
    pool_total = sum(pool.values(), Decimal(0))
    db_total = sum((Decimal(r["db_ms"]) for r in rows), Decimal(0))
    groups = []
    for r in rows:
        direct = Decimal(r["direct_usd"])
        shared = pricing.share(pool_total * Decimal(r["db_ms"]) / db_total) if db_total else Decimal(0)
        groups.append(
            CostGroup(
                key=r["key"], requests=r["requests"], direct_usd=pricing.usd(direct), shared_usd=pricing.usd(shared),
                total_usd=pricing.usd(direct + shared),
            )
        )  # fmt: skip
    direct_total = sum((Decimal(r["direct_usd"]) for r in rows), Decimal(0))
    allocated = pool_total if db_total else Decimal(0)
    return CostSummary(
        **{"from": start},
        to=end,
        group_by=group_by,
        profile=runtime.settings.cost_profile,
        price_version=version,
        groups=groups,
        totals=CostTotals(
            requests=sum(r["requests"] for r in rows),
            direct_usd=pricing.usd(direct_total),
            shared_usd=pricing.usd(allocated),
            total_usd=pricing.usd(direct_total + allocated),
            unallocated_shared_usd=pricing.usd(pool_total - allocated),
            shared_pool={k: pricing.usd(v) for k, v in pool.items()},
        ),
    )


def _public(row: dict[str, Any]) -> CostRequestPublic:
    return CostRequestPublic(
        request_id=row["request_id"], correlation_id=row["correlation_id"], function=row["function_name"],
        route=row["entry"], kind=row["kind"], status=row["status"], channel=row["channel"], actor=row["actor"],
        assessment_id=row["assessment_id"], session_key=row["session_key"], started_at=row["started_at"],
        duration_ms=row["duration_ms"], billed_ms=row["billed_ms"], memory_mb=row["memory_mb"],
        architecture=row["architecture"], cold_start=row["cold_start"], init_ms=row["init_ms"],
        max_memory_mb=row["max_memory_mb"], db_ms=row["db_ms"], db_statements=row["db_statements"],
        usage=row["usage"], items=row["items"], price_version=row["price_version"], region=row["region"],
        lambda_usd=pricing.usd(row["lambda_usd"]), gateway_usd=pricing.usd(row["gateway_usd"]),
        s3_usd=pricing.usd(row["s3_usd"]), twilio_usd=pricing.usd(row["twilio_usd"]),
        twilio_actual_usd=pricing.usd(row["twilio_actual_usd"]) if row["twilio_actual_usd"] is not None else None,
        direct_usd=pricing.usd(row["direct_usd"]), reconciled=row["reconciled_at"] is not None,
    )  # fmt: skip


def list_requests(
    runtime: Runtime, start: datetime, end: datetime, filters: dict[str, Any], cursor: str | None, limit: int
) -> CostRequestPage:
    runtime.ledger.flush()
    db = runtime.db
    after = decode_cursor(cursor, datetime.fromisoformat, str)
    where = {**filters, "from": start, "to": end, "after_started": after[0] if after else None,
             "after_id": after[1] if after else None}  # fmt: skip
    rows = repository.list_requests(db, where, limit + 1)
    items, next_cursor = page_of(rows, limit, lambda r: (r["started_at"], r["request_id"]))
    return CostRequestPage(items=[_public(r) for r in items], next_cursor=next_cursor)


def get_request(runtime: Runtime, request_id: str) -> CostRequestPublic:
    """Raises NotFound."""
    runtime.ledger.flush()
    row = repository.request_by_id(runtime.db, request_id)
    if row is None:
        raise NotFound("No ledger row has this request id.")
    return _public(row)


def per_assessment(runtime: Runtime, start: datetime, end: datetime) -> PerAssessmentCosts:
    """Cost per completed assessment, every request of its session or conversation included, with its share
    of the period's fixed costs."""
    runtime.ledger.flush()
    pool, _ = _shared_pool(runtime, start, end)
    db_total = repository.total_db_ms(runtime.db, start, end)
    rate = sum(pool.values(), Decimal(0)) / db_total if db_total else Decimal(0)
    rows = repository.per_assessment(runtime.db, start, end, rate)
    # Means and shares are divisions: shown to 12 places like every share of a fixed cost.
    return PerAssessmentCosts(
        **{"from": start},
        to=end,
        groups=[
            PerAssessmentGroup(
                channel=r["channel"], sector=r["sector"], assessments=r["assessments"],
                mean_usd=pricing.usd(pricing.share(r["mean"])), median_usd=pricing.usd(pricing.share(r["median"])),
                p95_usd=pricing.usd(pricing.share(r["p95"])), total_usd=pricing.usd(pricing.share(r["total"])),
            )
            for r in rows
        ],
    )  # fmt: skip
