"""Making an export's file: the worker's use case (started by the outbox relay with the ``export.requested``
event) and the small exports GET /api/v1/exports/assessments.xlsx makes at once.

The rows are read on a thread of its own (sheets.read: one snapshot, a server-side cursor), which therefore
has a database connection of its own: while this thread writes the workbook, the database is already
producing the next batch, and this thread's connection stays free to commit progress as it goes. The file
is written in constant memory to a temporary folder, uploaded to S3 from disk with its SHA-256, and the
export becomes ready (or failed) with an outbox event for its owner's live view:

    export.progress  {"export_id", "owner_id", "done", "total"}  every ~5% of the rows
    export.ready     {"export_id", "owner_id", "done", "total"}  done == total
    export.failed    {"export_id", "owner_id", "done", "total", "error"}

The relay sends each to every WebSocket connection of the owner (shared.realtime.broadcast.to_owner), as
{"type", "event_id", "export_id", "done", "total"[, "error"]}.

A run that would outlast its function's timeout stops itself and fails; one that Lambda stopped anyway is
failed by its deadline (see repository._EFFECTIVE and the housekeeping job).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from shared.auth.permissions import Role
from shared.auth.principal import Principal
from shared.errors import ServiceUnavailable
from shared.exports import RETENTION_DAYS, repository, sheets
from shared.exports.models import ExportCreate, ExportCreated
from shared.exports.service import (
    audit_created,
    new_export_row,
    object_key,
    parse_filters,
    presign,
    request_export,
    viewer_only,
)
from shared.exports.workbook import XLSX_CONTENT_TYPE, Workbook
from shared.outbox.service import kick_relay
from shared.request_context import RequestContext
from shared.runtime import Runtime, Usage

logger = logging.getLogger(__name__)

PROGRESS_STEPS = 20  # at most ~20 progress events per export
MIN_PROGRESS_ROWS = 1000
PREFETCH_BATCHES = 4
FAILED = "The export failed."
TIMED_OUT = "The export did not finish in time."


class TimedOut(Exception):
    """The run would not finish before its function's timeout."""


class Progress(Protocol):
    def started(self, rows_total: int) -> None: ...

    def advanced(self, rows_done: int) -> None: ...


class NoProgress:
    def started(self, rows_total: int) -> None:
        pass

    def advanced(self, rows_done: int) -> None:
        pass


class OutboxProgress:
    """Progress committed as it goes: the export's row (for GET /exports/{id}) and an ``export.progress``
    event (for the owner's WebSocket), then a kick of the relay."""

    def __init__(self, rt: Runtime, export: dict[str, Any], correlation_id: str | None = None) -> None:
        self._rt = rt
        self._export = export
        self._correlation_id = correlation_id
        self._total = 0
        self._next = 0
        self._step = MIN_PROGRESS_ROWS

    def started(self, rows_total: int) -> None:
        self._total = rows_total
        self._step = max(MIN_PROGRESS_ROWS, -(-rows_total // PROGRESS_STEPS))
        self._next = self._step
        self._report(0)

    def advanced(self, rows_done: int) -> None:
        if rows_done >= self._next and rows_done < self._total:
            self._next = (rows_done // self._step + 1) * self._step
            self._report(rows_done)

    def _report(self, rows_done: int) -> None:
        export_id = self._export["id"]
        with self._rt.db.transaction() as conn:
            repository.record_progress(conn, export_id, rows_done, self._total)
            repository.add_event(conn, "export.progress", export_id, event(self._export, rows_done, self._total),
                                 self._correlation_id)  # fmt: skip
        kick_relay(self._rt, "export.progress")


def event(export: dict[str, Any], rows_done: int, rows_total: int | None, **extra: Any) -> dict[str, Any]:
    return {"export_id": str(export["id"]), "owner_id": str(export["owner_id"]), "done": rows_done,
            "total": rows_total if rows_total is not None else rows_done, **extra}  # fmt: skip


# -- the worker ---------------------------------------------------------------------------------------------


def export_id_of(event: dict[str, Any]) -> UUID | None:
    """The export an ``export.requested`` event is about, as the outbox relay starts its workers: the event
    itself, {"event_id", "event_type", "payload": {"export_id", ...}}, or wrapped with its source, {"source":
    "outbox", "event": {"id", "event_type", "payload", ...}}. None for anything else."""
    inner = event.get("event") if isinstance(event, dict) else None
    found = inner if isinstance(inner, dict) else event
    payload = found.get("payload") if isinstance(found, dict) else None
    if found.get("event_type") != "export.requested" or not isinstance(payload, dict):
        return None
    try:
        return UUID(str(payload.get("export_id")))
    except ValueError:
        return None


def _event_id(event: dict[str, Any]) -> str | None:
    inner = event.get("event")
    found = inner.get("id") if isinstance(inner, dict) else event.get("event_id")
    return str(found) if found else None


def run_requested(rt: Runtime, event: dict[str, Any], timeout_s: int) -> dict[str, Any]:
    """Make the export an ``export.requested`` event names, once: a repeated delivery of the event (the relay
    delivers at least once) finds it no longer pending and does nothing. Never raises for the export's own
    failure (a retry would not make it succeed): the export is failed instead."""
    export_id = export_id_of(event)
    if export_id is None:
        logger.error("not an export.requested event", extra={"event_type": event.get("event_type")})
        return {"skipped": "not an export.requested event"}
    with rt.db.transaction() as conn:
        export = repository.claim(conn, export_id, timeout_s)
    if export is None:
        logger.info("export %s is no longer pending; nothing to do", export_id)
        return {"export_id": str(export_id), "skipped": "not pending"}
    rt.meter.attribute(actor=f"user:{export['owner_id']}")
    # Stop with time to spare for the upload and the bookkeeping.
    margin = min(60, timeout_s // 5)
    deadline = rt.clock.now() + timedelta(seconds=timeout_s - margin)
    finished = make(rt, export, OutboxProgress(rt, export, _event_id(event)), deadline)
    return {"export_id": str(export_id), "status": finished["status"], "rows": finished["rows"]}


def make(rt: Runtime, export: dict[str, Any], progress: Progress, deadline: datetime) -> dict[str, Any]:
    """Make the file of a running export and finish the export: ready, or failed (logged). Returns its row."""
    export_id = export["id"]
    try:
        made = produce(rt, export, progress, deadline)
    except Exception as exc:
        timed_out = isinstance(exc, TimedOut)
        if timed_out:
            logger.warning("export %s stopped: it would not finish before the function's timeout", export_id)
        else:
            logger.exception("export %s failed", export_id)
        with rt.db.transaction() as conn:
            failed = repository.mark_failed(conn, export_id, TIMED_OUT if timed_out else FAILED)
            if failed is not None:
                repository.add_event(conn, "export.failed", export_id,
                                     event(failed, failed["rows"] or 0, failed["rows_total"], error=failed["error"]),
                                     None)  # fmt: skip
        kick_relay(rt, "export.failed")
        return failed or _current(rt, export_id)
    with rt.db.transaction() as conn:
        ready = repository.mark_ready(conn, export_id, made, RETENTION_DAYS)
        if ready is not None:
            repository.add_event(conn, "export.ready", export_id, event(ready, made["rows"], made["rows"]), None)
    if ready is None:  # failed meanwhile by its deadline; the file goes with the bucket's lifecycle
        logger.warning("export %s was failed by its deadline before it could be marked ready", export_id)
        return _current(rt, export_id)
    kick_relay(rt, "export.ready")
    return ready


def _current(rt: Runtime, export_id: UUID) -> dict[str, Any]:
    with rt.db.transaction(read_only=True) as conn:
        row = repository.get_export(conn, export_id)
    assert row is not None
    return row


def request_of(rt: Runtime, export: dict[str, Any]) -> sheets.Request:
    with rt.db.transaction(read_only=True) as conn:
        owner = conn.execute("SELECT email, role FROM users WHERE id = %s", (export["owner_id"],)).fetchone()
    assert owner is not None
    filters, params = parse_filters(export["kind"], export["filters"], export["created_at"])
    only = viewer_only(export["owner_id"], Role(owner["role"]))
    return sheets.Request(export["id"], export["kind"], filters, {**params, "only": only}, owner["email"],
                          export["created_at"], only)  # fmt: skip


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


def produce(rt: Runtime, export: dict[str, Any], progress: Progress, deadline: datetime) -> dict[str, Any]:
    """Write the workbook and upload it; returns {key, rows, bytes, sha256}. Raises TimedOut past ``deadline``,
    and whatever reading, writing or uploading raised."""
    request = request_of(rt, export)
    if request.kind == "costs":
        rt.ledger.flush()  # what was measured so far is in the ledger, as for finance's other reads
    rows_done = 0
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / "export.xlsx"
        book = Workbook(path, tmpdir=Path(folder), title=f"{export['kind'].capitalize()} export")
        sheet, counted = None, False
        for item in _read_ahead(rt, request):
            match item:
                case sheets.Total(rows=total):
                    progress.started(total)
                case sheets.StartSheet(name=name, columns=columns, counted=counted):
                    sheet = book.sheet(name, columns)
                case sheets.Rows(rows=rows):
                    assert sheet is not None
                    sheet.extend(rows)
                    if counted:
                        rows_done += len(rows)
                        progress.advanced(rows_done)
                    if rt.clock.now() >= deadline:
                        raise TimedOut()
        book.close()
        digest, size = _sha256(path)
        stored = rt.exports.put_file(object_key(export["id"]), path, content_type=XLSX_CONTENT_TYPE, sha256=digest)
    return {"key": stored.key, "rows": rows_done, "bytes": size, "sha256": digest}


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _read_ahead(rt: Runtime, request: sheets.Request) -> Iterator[sheets.Event]:
    """``sheets.read`` on a thread of its own, a few batches ahead of the caller. Its connection is opened
    there and closed when it ends; its database time is added to this invocation's."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=PREFETCH_BATCHES)
    stop = threading.Event()
    usage = Usage()

    def pump() -> None:
        with rt.meter.measure(usage):
            events = sheets.read(rt.db, request)
            try:
                for item in events:
                    ahead.put(item)
                    if stop.is_set():
                        return
                ahead.put(_DONE)
            except BaseException as exc:
                ahead.put(_Failed(exc))
            finally:
                events.close()  # ends the snapshot's transaction if the reader stopped half way
                rt.db.close()  # this thread's connection

    thread = threading.Thread(target=pump, name="export-reader", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a reader blocked on a full queue needs room to see the stop
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        thread.join()
        current = rt.meter.current
        if current is not None:
            current.db_seconds += usage.db_seconds
            current.db_statements += usage.db_statements


# -- at once ------------------------------------------------------------------------------------------------

# What a request that makes the file itself leaves for the rest of its 29 s after the timeout it is given.
AT_ONCE_MARGIN_S = 5


def assessments_now_or_later(
    rt: Runtime, principal: Principal, filters: dict[str, Any], ctx: RequestContext, timeout_s: int
) -> str | ExportCreated:
    """Up to ``export_sync_max_rows`` assessments, the file made within this request and a presigned URL to
    it; more, an export requested for the worker. Raises ValidationFailed, and ServiceUnavailable when the
    file could not be made."""
    now = rt.clock.now()
    stored, params = parse_filters("assessments", filters, now, at=("query",))
    selected = sheets.count_assessments(rt.db, {**params, "only": viewer_only(principal.id, principal.role)})
    if selected > rt.settings.export_sync_max_rows:
        return request_export(rt, principal, ExportCreate(kind="assessments", filters=stored), ctx)
    limit = max(1, timeout_s - AT_ONCE_MARGIN_S)
    with rt.db.transaction() as conn:
        export = repository.insert_export(conn, new_export_row(principal, "assessments", stored, now), timeout_s)
        audit_created(conn, principal, export, ctx)
    finished = make(rt, export, NoProgress(), now + timedelta(seconds=limit))
    if finished["status"] != "ready":
        raise ServiceUnavailable(f"The export could not be made ({finished['error']}); see GET /api/v1/exports.")
    return presign(rt, finished)
