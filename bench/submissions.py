"""Submission throughput against pgbench TPC-B on the same server, in the same run.

A 20-answer submission (5 skills x 4 questions, every scored type) goes through the real service, each
client a process of its own with its own connection, as Lambda execution environments are. Runs alternate
with pgbench in short pairs (this machine is noisy) and the ratio per pair is reported, with its median.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from typing import Any

import psycopg

from bench.database import bench_database
from local.postgres import Cluster, pg_bin
from shared.assessments import service
from shared.assessments.models import SubmissionCreate
from shared.db import Database
from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.service import import_definition
from shared.request_context import RequestContext

CLIENTS = (1, 4, 16)
PAIRS = 3
SECONDS = 4.0


def _definition() -> QuestionnaireDef:
    def t(s: str) -> dict[str, str]:
        return {"en": s, "fr": s}

    skills = [f"skill{i}" for i in range(5)]
    questions: list[dict[str, Any]] = []
    for s in skills:
        questions += [
            {"code": f"{s}_a", "skill": s, "type": "single_choice", "label": t("a"),
             "options": [{"code": c, "label": t(c), "score": n} for n, c in enumerate(("no", "some", "yes"))]},
            {"code": f"{s}_b", "skill": s, "type": "multi_choice", "label": t("b"),
             "options": [{"code": c, "label": t(c), "score": 1} for c in ("x", "y", "z")]},
            {"code": f"{s}_c", "skill": s, "type": "scale", "label": t("c"), "min": 1, "max": 5},
            {"code": f"{s}_d", "skill": s, "type": "numeric", "label": t("d"), "min": 0, "max": 100},
        ]  # fmt: skip
    bands = [
        {"code": "low", "label": t("low"), "min": 0, "max": 50},
        {"code": "high", "label": t("high"), "min": 50, "max": 100},
    ]
    recs = [{"skill": s, "band": b["code"], "text": t("do more"), "priority": 1} for s in skills for b in bands]
    return QuestionnaireDef.model_validate(
        {"code": "bench", "title": t("Bench"), "skills": [{"code": s, "label": t(s)} for s in skills],
         "questions": questions, "rubric": {"bands": bands, "recommendations": recs}}
    )  # fmt: skip


def _payload(version_id: uuid.UUID, questions: dict[str, uuid.UUID], n: int) -> SubmissionCreate:
    values: dict[str, Any] = {}
    for code in questions:
        kind = code[-1]
        values[code] = {"a": "some", "b": ["x", "z"], "c": 1 + n % 5, "d": n % 101}[kind]
    return SubmissionCreate.model_validate({
        "questionnaire_version_id": str(version_id),
        "respondent": {"phone": f"+22507{n:08d}", "name": "Bench", "sector": "ict", "region": "R"},
        "answers": [{"question_id": str(questions[c]), "value": v} for c, v in values.items()],
    })  # fmt: skip


class Counter:
    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.value += 1
            return self.value


def _worker(args: tuple[str, uuid.UUID, dict[str, uuid.UUID], int, float]) -> list[float]:
    """One execution environment: its own process and connection, submitting until the deadline."""
    url, version, questions, first, deadline = args
    db = Database(lambda: url)
    ctx = RequestContext()
    latencies = []
    n = first
    while time.time() < deadline:
        n += 1
        payload = _payload(version, questions, n)
        start = time.perf_counter()
        service.submit(db, service.Caller(scope="bench"), f"key-{n}", payload, ctx)
        latencies.append(time.perf_counter() - start)
    db.close()
    return latencies


class Submitters:
    """A pool of processes standing for Lambda execution environments (one request at a time each)."""

    def __init__(self, url: str, clients: int) -> None:
        self.url = url
        self.clients = clients
        self.pool = multiprocessing.get_context("fork").Pool(clients)

    def run(self, version: uuid.UUID, questions: dict[str, uuid.UUID], counter: Counter) -> tuple[float, list[float]]:
        deadline = time.time() + SECONDS
        base = counter.next() * 10_000_000
        jobs = [(self.url, version, questions, base + i * 1_000_000, deadline) for i in range(self.clients)]
        begun = time.perf_counter()
        results = self.pool.map(_worker, jobs)
        elapsed = time.perf_counter() - begun
        latencies = [x for r in results for x in r]
        return len(latencies) / elapsed, latencies

    def close(self) -> None:
        self.pool.terminate()


def _pgbench(cluster: Cluster, clients: int, script: str | None = None) -> float:
    """TPC-B tps on database pgbench; with ``script``, that script's tps on the application database."""
    env = {**os.environ, "PGPASSWORD": cluster.password}
    target = ["-f", script, "postgres"] if script else ["pgbench"]
    out = subprocess.run(
        [str(pg_bin() / "pgbench"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "skills", "-n",
         "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(int(SECONDS)), *target],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    match = re.search(r"tps = ([0-9.]+)", out.stdout)
    assert match, out.stdout
    return float(match.group(1))


def _server_only_script(version: uuid.UUID, questions: dict[str, uuid.UUID], skills: list[uuid.UUID]) -> str:
    """The same write as a pgbench script: submit_assessment with fixed answers, fresh ids, no client code."""
    uuids = lambda xs: "ARRAY[" + ",".join(f"'{x}'" for x in xs) + "]::uuid[]"  # noqa: E731
    values = "ARRAY[" + ",".join("'\"some\"'" for _ in questions) + "]::jsonb[]"
    call = (
        "SELECT * FROM submit_assessment(gen_random_uuid(), 'Bench', '+2250' || lpad((random() * 1e9)::bigint::text,"
        " 9, '0'), 'ict', 'R', 'en', now(), NULL, NULL, gen_random_uuid(), "
        f"'{version}', 'web', NULL, now(), {uuids(questions.values())}, {values},"
        f" array_fill(0.5::numeric, ARRAY[{len(questions)}]), {uuids(skills)},"
        f" array_fill(55.5::numeric, ARRAY[{len(skills)}]), array_fill('high'::text, ARRAY[{len(skills)}]),"
        f" {uuids(skills)}, array_fill('high'::text, ARRAY[{len(skills)}]), array_fill(1, ARRAY[{len(skills)}]),"
        f" array_fill('t'::text, ARRAY[{len(skills)}]), array_fill('t'::text, ARRAY[{len(skills)}]),"
        " (random() * 15)::smallint, '{}'::jsonb, NULL, 'pgbench', gen_random_uuid()::text, '\\x00'::bytea,"
        " '{}'::jsonb);"
    )
    path = os.path.join(tempfile.mkdtemp(prefix="skills-bench-"), "submit.sql")
    with open(path, "w") as out:
        out.write(call + "\n")
    return path


def _round_trips(db: Database, version: uuid.UUID, questions: dict[str, uuid.UUID], counter: Counter) -> int:
    calls = 0
    original = psycopg.Connection.execute

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    psycopg.Connection.execute = counting  # type: ignore[method-assign]
    try:
        n = counter.next()
        service.submit(db, service.Caller(scope="bench"), f"key-{n}", _payload(version, questions, n), RequestContext())
    finally:
        psycopg.Connection.execute = original  # type: ignore[method-assign]
    return calls


def run() -> tuple[str, dict[str, float]]:
    with bench_database() as (db, cluster):
        url = cluster.url("postgres")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC')")
            conn.execute("CREATE DATABASE pgbench")
        env = {**os.environ, "PGPASSWORD": cluster.password}
        subprocess.run(
            [str(pg_bin() / "pgbench"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "skills", "-i", "-q",
             "-s", "16", "pgbench"], check=True, capture_output=True, env=env,
        )  # fmt: skip
        imported = import_definition(db, None, _definition(), RequestContext(), publish=True)
        with db.transaction() as conn:
            rows = conn.execute("SELECT code, id FROM questions WHERE version_id = %s", (imported.version_id,))
            questions = {r["code"]: r["id"] for r in rows}
        counter = Counter()
        _round_trips(db, imported.version_id, questions, counter)  # loads the version into the cache
        trips = _round_trips(db, imported.version_id, questions, counter)
        with db.transaction() as conn:
            skill_ids = [r["id"] for r in conn.execute(
                "SELECT id FROM skills WHERE version_id = %s ORDER BY position", (imported.version_id,))]  # fmt: skip
        script = _server_only_script(imported.version_id, questions, skill_ids)
        rows = []
        results: dict[str, float] = {"statements": trips}
        for clients in CLIENTS:
            ratios, ours_tps, theirs_tps, lat, floor = [], [], [], [], []
            submitters = Submitters(url, clients)
            for _ in range(PAIRS):
                theirs = _pgbench(cluster, clients)
                floor.append(_pgbench(cluster, clients, script) / theirs)
                tps, latencies = submitters.run(imported.version_id, questions, counter)
                ratios.append(tps / theirs)
                ours_tps.append(tps)
                theirs_tps.append(theirs)
                lat += latencies
            submitters.close()
            lat.sort()
            p50 = lat[len(lat) // 2] * 1000
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            ratio = statistics.median(ratios)
            results[f"ratio_{clients}"] = ratio
            rows.append(
                f"| {clients} | {statistics.median(ours_tps):.0f} | {statistics.median(theirs_tps):.0f} | "
                f"{ratio:.2f}x ({', '.join(f'{r:.2f}' for r in ratios)}) | {statistics.median(floor):.2f}x |"
                f" {p50:.1f} | {p99:.1f} |"
            )
    lines = [
        "## Submissions against pgbench",
        "",
        f"A 20-answer submission through `shared.assessments.service.submit` (validation, scoring, and one"
        f" transaction writing respondent, assessment, answers, scores, recommendations, aggregates, outbox event"
        f" and idempotency record), against pgbench TPC-B (scale 16) on the same server; {PAIRS} alternating pairs"
        f" of {SECONDS:.0f} s per client count. Statements per submission: {trips} (BEGIN, key lock, key/sector"
        " lookup, the one data-modifying statement, COMMIT) in 3 round trips (pipeline mode: BEGIN; lock +"
        " lookup; statement + COMMIT); the questionnaire version comes from the environment's cache. pgbench"
        " TPC-B is 7 statements in 7 round trips.",
        "",
        '"The write alone" runs the same submit_assessment call as a pgbench script (fixed answers, no Python, no'
        " validation, one statement in autocommit), against TPC-B in the same pair: the database's own ceiling for"
        " this write on this machine. The gap between it and the full path is the client: validation, scoring,"
        " and the driver, on the same two cores as the server.",
        "",
        "| clients | submissions/s | pgbench tps | ratio (median; each pair) | the write alone | p50 ms | p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    return "\n".join(lines), results
