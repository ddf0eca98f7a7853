"""One measured run of bench/exports.py, in a fresh interpreter of its own so that its peak RSS is its own:

- ``export``: the export worker's handler with an ``export.requested`` event, as the relay starts it (the
  database read through the server-side cursor, the workbook, the SHA-256, the upload to S3 and the
  bookkeeping);
- ``xlsxwriter`` / ``openpyxl``: the writer alone (xlsxwriter constant_memory, openpyxl write_only) writing
  the same rows: the export's own first rows, read once before the clock starts, repeated to the same count;
- ``workbook``: the export's own writer (shared.exports.workbook) alone, the same rows, for the breakdown.

Writes {"seconds", "cpu_s", "rows", "peak_rss_mb", "load"} as JSON to the file named last on the command line
(``load``: the 1-minute load average when the run ended).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SAMPLE_ROWS = 4000
BATCH_ROWS = 2000  # sheets.BATCH_ROWS


def _peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM of its memory map. (ru_maxrss is not: a child started with vfork and
    exec starts from its parent's peak.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _export(config: dict[str, Any]) -> dict[str, Any]:
    from functions import exports_worker
    from local.lambda_runtime import FunctionSpec, LambdaContext
    from shared.outbox.models import OutboxEvent

    # The payload the relay's start_workers gives the job.
    requested = OutboxEvent(id=uuid.uuid4(), event_type="export.requested", aggregate_id=config["export_id"],
                            payload={"export_id": config["export_id"]}, correlation_id=None,
                            created_at=datetime.now(UTC), attempts=0)  # fmt: skip
    event = {"source": "outbox", "event": requested.model_dump(mode="json")}
    started, cpu = time.perf_counter(), _cpu_s()
    answer = exports_worker.handler(event, LambdaContext(FunctionSpec("ExportsWorkerJob", "functions.exports_worker",
                                                                      1769, 900)))  # fmt: skip
    seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
    assert answer.get("status") == "ready", answer
    return {"seconds": seconds, "cpu_s": cpu, "rows": answer["rows"]}


def _sample(config: dict[str, Any]) -> tuple[list[Any], list[list[Any]]]:
    """The export's columns and its first rows, times made naive UTC (the writers refuse time zones)."""
    from shared.exports import repository, sheets
    from shared.exports.worker import request_of
    from shared.runtime import current_runtime

    rt = current_runtime()
    with rt.db.transaction(read_only=True) as conn:
        export = repository.get_export(conn, uuid.UUID(config["export_id"]))
    assert export is not None
    events = sheets.read(rt.db, request_of(rt, export))
    columns: list[Any] = []
    rows: list[list[Any]] = []
    for item in events:
        if isinstance(item, sheets.StartSheet):
            if columns:
                break
            columns = item.columns
        elif isinstance(item, sheets.Rows):
            rows += item.rows
            if len(rows) >= SAMPLE_ROWS:
                break
    events.close()
    rt.db.close()

    def plain(value: Any) -> Any:
        return value.astimezone(UTC).replace(tzinfo=None) if hasattr(value, "tzinfo") and value.tzinfo else value

    return columns, [[plain(v) for v in row] for row in rows[:SAMPLE_ROWS]]


def _writer(config: dict[str, Any], which: str) -> dict[str, Any]:
    columns, sample = _sample(config)
    headers = [c.header for c in columns]
    count = int(config["rows"])
    with tempfile.TemporaryDirectory(prefix="bench-writer-") as folder:
        path = Path(folder) / "baseline.xlsx"
        started, cpu = time.perf_counter(), _cpu_s()
        if which == "xlsxwriter":
            import xlsxwriter

            book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
            sheet = book.add_worksheet("Assessments")
            sheet.write_row(0, 0, headers)
            for n in range(count):
                sheet.write_row(n + 1, 0, sample[n % len(sample)])
            book.close()
        elif which == "workbook":
            from shared.exports.workbook import Workbook

            ours = Workbook(path, tmpdir=Path(folder))
            sheet = ours.sheet("Assessments", columns)
            for start in range(0, count, BATCH_ROWS):  # in batches, as the worker hands them on
                sheet.extend([sample[n % len(sample)] for n in range(start, min(count, start + BATCH_ROWS))])
            ours.close()
        else:
            import openpyxl

            workbook = openpyxl.Workbook(write_only=True)
            ws = workbook.create_sheet("Assessments")
            ws.append(headers)
            for n in range(count):
                ws.append(sample[n % len(sample)])
            workbook.save(path)
        seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
        size = path.stat().st_size
    return {"seconds": seconds, "cpu_s": cpu, "rows": count, "bytes": size}


def main() -> int:
    mode, config_path, result_path = sys.argv[1], sys.argv[2], sys.argv[3]
    config = json.loads(Path(config_path).read_text())
    os.environ.update(config["environment"])
    result = _export(config) if mode == "export" else _writer(config, mode)
    result["peak_rss_mb"] = _peak_rss_mb()
    result["load"] = os.getloadavg()[0]
    Path(result_path).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
