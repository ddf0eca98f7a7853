"""The live dashboard: commit-to-message latency through the local platform, fan-out of one post to 1,000
WebSocket connections, and the summary at 100k assessments against a GROUP BY over the raw tables.

The local gateway (uvicorn, the WebSocket API and its management endpoint, the relay on its background
environments) runs in a process of its own, as API Gateway and the relay's Lambda would; WebSocket clients run
in another, so that the posting side's CPU is its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import psycopg

from bench.database import bench_database
from bench.stats import percentile
from shared.db import Database
from shared.realtime.broadcast import POOL_SIZE

CONNECTIONS = 1000
FAN_OUT_ROUNDS = 3  # the median round is reported: the machine may be shared
SPARSE = 20  # submissions one at a time, each pushed on its own
STEADY_PER_S = 20
STEADY_S = 10
SUMMARY_ASSESSMENTS = 100_000
SUMMARY_ROUNDS = 30
SECTORS = 16
ENUMERATORS = 20

FORK = multiprocessing.get_context("fork")


# -- the platform in a process of its own -------------------------------------------------------------------


def _serve(db_url: str, sock: socket.socket, base_url: str, started: Any) -> None:
    import uvicorn

    from local.server import build_local_platform, server_config
    from shared.config import get_settings
    from shared.runtime import Runtime, install_runtime

    runtime = Runtime(get_settings())  # nothing inherited from the parent: its connections are its own
    install_runtime(runtime.replace(db=Database(lambda: db_url, on_statement=runtime.meter.on_statement)))
    platform = build_local_platform(environments=8, base_url=base_url)
    server = uvicorn.Server(server_config(platform.app, log_level="error", lifespan="off"))

    def announce() -> None:
        while not server.started:
            time.sleep(0.01)
        started.set()

    threading.Thread(target=announce, daemon=True).start()
    server.run(sockets=[sock])


class Gateway:
    """``with Gateway(url) as gw:`` the local platform at ``gw.base_url``, in a child process."""

    def __init__(self, db_url: str) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.started = FORK.Event()
        self.process = FORK.Process(target=_serve, args=(db_url, self.sock, self.base_url, self.started), daemon=True)

    def __enter__(self) -> Gateway:
        self.process.start()
        if not self.started.wait(60):
            raise RuntimeError("the local gateway did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)
        self.sock.close()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None, "not started"
        return self.process.pid

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/api/v1/ws/dashboard"


# -- seed -----------------------------------------------------------------------------------------------------


def _seed_users(db: Database) -> tuple[Any, str]:
    """A super-admin and an access token for them."""
    from shared.auth import repository
    from shared.auth.common import issue_pair
    from shared.runtime import current_runtime

    with db.transaction() as conn:
        user = repository.insert_user(conn, "bench@example.org", "", "$argon2id$bench", "super-admin")
        pair = issue_pair(conn, current_runtime().tokens, user.id)
    return user.id, pair.access_token


def _tickets(db: Database, user_id: Any, n: int) -> list[str]:
    tickets = [secrets.token_urlsafe(32) for _ in range(n)]
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO ws_tickets (token_hash, user_id, expires_at)"
            " SELECT h, %s, now() + interval '60 seconds' FROM unnest(%s::bytea[]) AS h",
            (user_id, [hashlib.sha256(t.encode()).digest() for t in tickets]),
        )
    return tickets


# -- commit-to-message latency -----------------------------------------------------------------------------


async def _latencies(gateway: Gateway, token: str, version: dict[str, Any], ticket: str) -> dict[str, list[float]]:
    import httpx
    from websockets.asyncio.client import connect

    arrived: dict[str, float] = {}
    got_one = asyncio.Event()

    async def listen(ws: Any) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "dashboard.delta":
                now = time.time()
                for item in message["assessments"]:
                    arrived.setdefault(item["assessment_id"], now)
                got_one.set()

    committed: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as http,
        connect(f"{gateway.ws_url}?ticket={ticket}", origin=gateway.base_url) as ws,  # type: ignore[arg-type]
    ):
        await ws.send(json.dumps({"type": "subscribe", "topics": ["dashboard"]}))
        await ws.recv()
        listener = asyncio.create_task(listen(ws))

        async def submit(n: int) -> None:
            response = await http.post(
                "/api/v1/assessments/submit",
                json=_submission(version, n),
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 201, response.text
            body = response.json()
            # submitted_at is set just before the one statement that commits it
            committed[body["assessment_id"]] = datetime.fromisoformat(body["submitted_at"]).timestamp()

        for n in range(3):  # warm: the gateway's environments and the relay have imported their modules
            got_one.clear()
            await submit(900_000 + n)
            await asyncio.wait_for(got_one.wait(), 30)
        await asyncio.sleep(1.1)
        committed.clear()
        results: dict[str, list[float]] = {}
        for n in range(SPARSE):  # each alone: no push in the second before it
            got_one.clear()
            await submit(n)
            await asyncio.wait_for(got_one.wait(), 10)
            await asyncio.sleep(1.1)
        results["sparse"] = [arrived[a] - committed[a] for a in committed]
        committed.clear()
        started = time.monotonic()
        tasks = []
        for n in range(STEADY_PER_S * STEADY_S):
            tasks.append(asyncio.create_task(submit(10_000 + n)))
            await asyncio.sleep(max(0.0, started + (n + 1) / STEADY_PER_S - time.monotonic()))
        await asyncio.gather(*tasks)
        deadline = time.monotonic() + 10
        while set(committed) - set(arrived) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        results["steady"] = [arrived[a] - committed[a] for a in committed if a in arrived]
        results["steady_missing"] = [1.0] * len(set(committed) - set(arrived))
        listener.cancel()
    return results


def _submission(version: dict[str, Any], n: int) -> dict[str, Any]:
    from bench.submissions import _payload

    return _payload(version["id"], version["questions"], n).model_dump(mode="json")


# -- fan-out ---------------------------------------------------------------------------------------------------


def _receivers(ws_url: str, origin: str, tickets: list[str], pipe: Pipe) -> None:
    """A process holding one WebSocket per ticket, subscribed to the dashboard; reports when each first
    message after "go" arrived."""
    from websockets.asyncio.client import connect

    async def main() -> None:
        sockets = []
        for start in range(0, len(tickets), 50):
            batch = tickets[start : start + 50]
            sockets += await asyncio.gather(
                *(connect(f"{ws_url}?ticket={t}", origin=origin, open_timeout=60) for t in batch)  # type: ignore[arg-type]
            )
        for ws in sockets:
            await ws.send(json.dumps({"type": "subscribe", "topics": ["dashboard"]}))
        await asyncio.gather(*(ws.recv() for ws in sockets))
        cpu = time.process_time()
        pipe.send("ready")

        async def first(ws: Any) -> float:
            await ws.recv()
            return time.time()

        arrivals = await asyncio.wait_for(asyncio.gather(*(first(ws) for ws in sockets)), 60)
        pipe.send((arrivals, time.process_time() - cpu))
        for ws in sockets:
            await ws.close()

    asyncio.run(main())


def _cpu_s(pid: int) -> float:
    """The CPU time (user and system, every thread) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: the 14th and 15th


def _fan_out(gateway: Gateway, db: Database, user_id: Any) -> dict[str, float]:
    from shared.outbox.models import OutboxEvent
    from shared.realtime.broadcast import DashboardTopic
    from shared.runtime import current_runtime, runtime_with

    tickets = _tickets(db, user_id, CONNECTIONS)
    ours, theirs = FORK.Pipe()
    receivers = FORK.Process(target=_receivers, args=(gateway.ws_url, gateway.base_url, tickets, theirs), daemon=True)
    receivers.start()
    try:
        if not ours.poll(300) or ours.recv() != "ready":
            raise RuntimeError("the WebSocket clients did not connect")
        settings = current_runtime().settings.model_copy(
            update={"websocket_management_url": gateway.base_url + "/ws-management"}
        )
        event = OutboxEvent(id=uuid.uuid4(), event_type="assessment.submitted", aggregate_id="a", correlation_id=None,
                            payload={"assessment_id": str(uuid.uuid4()), "sector": "ict", "channel": "web"},
                            created_at=datetime.now(), attempts=0)  # fmt: skip
        with runtime_with(settings=settings, sockets=None) as rt:
            # A warm relay: its boto3 client and its HTTP connection exist before the clock starts.
            assert rt.websockets.post("WarmUpNoSuchId0=", b"{}") is False
            with rt.db.transaction() as conn:
                load = os.getloadavg()[0]
                gateway_cpu = _cpu_s(gateway.pid)
                cpu = time.process_time()
                started = time.time()
                DashboardTopic().push(rt, conn, [event])
                posted = time.time()
                cpu = time.process_time() - cpu
        if not ours.poll(120):
            raise RuntimeError("not every client got the message")
        gateway_cpu = _cpu_s(gateway.pid) - gateway_cpu
        arrivals, receivers_cpu = ours.recv()
    finally:
        receivers.join(30)
        receivers.kill()
    deadline = time.monotonic() + 30  # the next round's subscribers are its own: these $disconnects first
    while (db.fetch_one("SELECT count(*) AS n FROM ws_connections") or {}).get("n") and time.monotonic() < deadline:
        time.sleep(0.05)
    return {
        "connections": len(arrivals),
        "load_1min": load,
        "posting_s": posted - started,
        "total_s": max(max(arrivals), posted) - started,
        "posts_per_s": len(arrivals) / (posted - started),
        "cpu_ms_per_post": cpu * 1000 / len(arrivals),
        "gateway_cpu_ms_per_post": gateway_cpu * 1000 / len(arrivals),
        "receivers_cpu_ms_per_post": receivers_cpu * 1000 / len(arrivals),
    }


# -- the summary at scale -------------------------------------------------------------------------------------

_GENERATE = """
INSERT INTO sectors (code, label_en, label_fr)
SELECT 's' || lpad(n::text, 2, '0'), 'Sector ' || n, 'Secteur ' || n FROM generate_series(1, %(sectors)s) AS n
ON CONFLICT DO NOTHING;
INSERT INTO users (email, password_hash, role)
SELECT 'enum' || n || '@example.org', '$argon2id$bench', 'enumerator' FROM generate_series(1, %(enumerators)s) AS n;
CREATE TEMP TABLE gen AS
SELECT gen_random_uuid() AS id, gen_random_uuid() AS respondent_id,
       's' || lpad((1 + (random() * (%(sectors)s - 1))::int)::text, 2, '0') AS sector,
       CASE WHEN random() < 0.3 THEN 'whatsapp' ELSE 'web' END AS channel,
       CASE WHEN random() < 0.6 THEN (SELECT id FROM users WHERE role = 'enumerator'
                                      ORDER BY id OFFSET (n %% %(enumerators)s) LIMIT 1) END AS enumerator_id,
       now() - random() * interval '365 days' AS submitted_at, n
FROM generate_series(1, %(assessments)s) AS n;
INSERT INTO respondents (id, name, phone, sector, created_by)
SELECT respondent_id, 'Respondent ' || n, '+2259' || lpad(n::text, 9, '0'), sector, enumerator_id FROM gen;
INSERT INTO assessments (id, respondent_id, version_id, channel, enumerator_id, sector, status, started_at,
                         submitted_at, answer_question_ids, answer_values, answer_scores, score_skill_ids, score_values,
                         score_bands)
SELECT g.id, g.respondent_id, %(version)s, g.channel, g.enumerator_id, g.sector, 'submitted', g.submitted_at,
       g.submitted_at, x.ids, x.vals, x.scores, k.ids, k.scores, k.bands
FROM gen g
CROSS JOIN LATERAL (SELECT array_agg(q.id) AS ids, jsonb_agg('"some"'::jsonb) AS vals,
                           array_agg(round(random()::numeric, 2)) AS scores
                    FROM questions q WHERE q.version_id = %(version)s AND g.id IS NOT NULL) x
CROSS JOIN LATERAL (SELECT array_agg(k.id) AS ids, array_agg(round((random() * 100)::numeric, 2)) AS scores,
                           array_agg('high'::text) AS bands
                    FROM skills k WHERE k.version_id = %(version)s AND g.id IS NOT NULL) k;
INSERT INTO outbox (event_type, aggregate_id, payload) SELECT 'assessment.submitted', id::text, '{}' FROM gen;
"""

# The same figures straight from the raw tables, as a dashboard without totals would read them.
_GROUP_BY = """
WITH a AS (SELECT * FROM assessments WHERE status = 'submitted'),
latest_version AS (SELECT version_id FROM a ORDER BY submitted_at DESC, id DESC LIMIT 1)
SELECT
    (SELECT count(*) FROM a) AS all_time,
    (SELECT count(*) FROM a WHERE submitted_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
        AS today,
    (SELECT count(*) FROM a WHERE submitted_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '6 days')
                                                  AT TIME ZONE 'UTC') AS last_7_days,
    (SELECT jsonb_agg(x) FROM (SELECT sector, count(*) FROM a GROUP BY sector) x) AS by_sector,
    (SELECT jsonb_agg(x) FROM (SELECT channel, count(*) FROM a GROUP BY channel) x) AS by_channel,
    (SELECT jsonb_agg(x) FROM (SELECT k.code, avg(s.score) FROM skill_scores s JOIN skills k ON k.id = s.skill_id
                               GROUP BY k.code) x) AS skills,
    (SELECT jsonb_agg(x) FROM (SELECT x.question_id, count(*) AS answered,
                                      (SELECT count(*) FROM a
                                       WHERE a.version_id = (SELECT version_id FROM latest_version)) AS reached
                               FROM answers x JOIN a ON a.id = x.assessment_id
                               WHERE a.version_id = (SELECT version_id FROM latest_version)
                               GROUP BY x.question_id) x) AS funnel,
    (SELECT jsonb_agg(l) FROM (SELECT a.id, r.name, a.sector, a.channel, a.submitted_at FROM a
                               JOIN respondents r ON r.id = a.respondent_id
                               ORDER BY a.submitted_at DESC, a.id DESC LIMIT 20) l) AS latest
"""


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _summary(db: Database, cluster_url: str, version_id: Any) -> dict[str, float]:
    from shared.auth.permissions import Role
    from shared.dashboard import service

    # Several statements in one execute: bound on the client side.
    with psycopg.connect(cluster_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute(
            _GENERATE,
            {"sectors": SECTORS, "enumerators": ENUMERATORS, "assessments": SUMMARY_ASSESSMENTS, "version": version_id},
        )
        # The relay delivers the events, which folds them (migration 0042).
        conn.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
        conn.execute("VACUUM ANALYZE")
        answers = conn.execute("SELECT count(*) FROM answers").fetchone()[0]  # type: ignore[index]
    admin = uuid.uuid4()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(3):  # warm both
        service.summary(db, admin, Role.SUPER_ADMIN, None, "en")
        db.fetch_one(_GROUP_BY)
    for _ in range(SUMMARY_ROUNDS):
        ours.append(_timed(lambda: service.summary(db, admin, Role.SUPER_ADMIN, None, "en")))
        theirs.append(_timed(lambda: db.fetch_one(_GROUP_BY)))
    check = service.summary(db, admin, Role.SUPER_ADMIN, None, "en")
    assert check.totals.all_time >= SUMMARY_ASSESSMENTS
    return {
        "answers": float(answers),
        "summary_ms": statistics.median(ours) * 1000,
        "summary_p99_ms": percentile(ours, 0.99) * 1000,
        "group_by_ms": statistics.median(theirs) * 1000,
    }


# -- the section --------------------------------------------------------------------------------------------


def run() -> tuple[str, dict[str, float]]:
    from bench.submissions import seed_questionnaire

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")  # boto3 signs the management API's requests
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    with bench_database() as (db, cluster):
        url = cluster.url("postgres")
        version = seed_questionnaire(db, url)
        user_id, token = _seed_users(db)
        with Gateway(url) as gateway:
            (ticket,) = _tickets(db, user_id, 1)
            latency = asyncio.run(_latencies(gateway, token, version, ticket))
            rounds = [_fan_out(gateway, db, user_id) for _ in range(FAN_OUT_ROUNDS)]
        fan_out = sorted(rounds, key=lambda r: r["total_s"])[len(rounds) // 2]  # the median round
        summary = _summary(db, url, version["id"])

    def ms(values: list[float], q: float) -> str:
        return f"{percentile(values, q) * 1000:.0f}" if values else "-"

    results = {
        "latency_sparse_p50_ms": percentile(latency["sparse"], 0.5) * 1000,
        "latency_steady_p99_ms": percentile(latency["steady"], 0.99) * 1000 if latency["steady"] else -1.0,
        **{f"fan_out_{k}": v for k, v in fan_out.items()},
        **summary,
    }
    ratio = summary["summary_ms"] / summary["group_by_ms"]
    totals = ", ".join(f"{r['total_s']:.2f}" for r in rounds)
    lines = [
        "## Live dashboard",
        "",
        "The local platform (gateway, WebSocket API and management endpoint, relay) in a process of its own;"
        " WebSocket clients in another. Server: the same PostgreSQL settings as the submissions below.",
        "",
        "### Commit to message",
        "",
        "From a submission's commit (its `submitted_at`, set just before the one statement) to the dashboard"
        " delta naming it at a subscribed WebSocket client, through the relay kicked after the commit and the"
        " management API. Alone: each submission waits for its message and the next comes 1.1 s later (no"
        f" coalescing wait). Steady: {STEADY_PER_S} submissions a second for {STEADY_S} s; pushes are coalesced"
        " to one a second per topic, so a submission waits up to a second for the next push.",
        "",
        "| load | submissions | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        f"| alone | {len(latency['sparse'])} | {ms(latency['sparse'], 0.5)} | {ms(latency['sparse'], 0.99)} |"
        f" {ms(latency['sparse'], 1.0)} |",
        f"| steady, {STEADY_PER_S}/s | {len(latency['steady'])} | {ms(latency['steady'], 0.5)} |"
        f" {ms(latency['steady'], 0.99)} | {ms(latency['steady'], 1.0)} |",
        "",
        *(
            [f"{len(latency['steady_missing'])} steady submissions had no message within 10 s.", ""]
            if latency["steady_missing"]
            else []
        ),
        "### Fan-out",
        "",
        f"One dashboard delta to {fan_out['connections']:.0f} subscribed connections: the relay's push as it runs"
        " in Lambda (the subscribers' query, then `post_to_connection` through boto3 on a pool of"
        f" {POOL_SIZE} threads), against the local management endpoint. Three processes share the machine's"
        " cores: the relay's (client CPU: its own, per post), the gateway's (the management API and the WebSocket"
        " server) and the WebSocket clients'. The median of"
        f" {len(rounds)} rounds (until the last client had it: {totals} s);"
        f" load average (1 min) when it ran: {fan_out['load_1min']:.2f}.",
        "",
        "| connections | posting s | until the last client had it, s | posts/s | client CPU ms per post |"
        " gateway CPU ms per post | clients' CPU ms per message | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {fan_out['connections']:.0f} | {fan_out['posting_s']:.2f} | {fan_out['total_s']:.2f} |"
        f" {fan_out['posts_per_s']:.0f} | {fan_out['cpu_ms_per_post']:.2f} | {fan_out['gateway_cpu_ms_per_post']:.2f} |"
        f" {fan_out['receivers_cpu_ms_per_post']:.2f} | under 2 s: {'met' if fan_out['total_s'] < 2 else 'NOT met'} |",
        "",
        "### Summary at scale",
        "",
        f"`GET /api/v1/dashboard/summary`'s statement and model ({SUMMARY_ASSESSMENTS:,} assessments,"
        f" {summary['answers']:,.0f} answers, {SECTORS} sectors, {ENUMERATORS} enumerators, a year of days)"
        " against the same figures computed with GROUP BY over the raw tables (assessments, skill scores, answers"
        f" of the funnel's version), alternating, {SUMMARY_ROUNDS} rounds each, warm cache.",
        "",
        "| read | median ms | p99 ms | ratio |",
        "|---|---:|---:|---:|",
        f"| GROUP BY over the raw tables (baseline) | {summary['group_by_ms']:.1f} | | 1.00 |",
        f"| the summary (totals + pending deltas) | {summary['summary_ms']:.1f} | {summary['summary_p99_ms']:.1f} |"
        f" {ratio:.3f} (1/{1 / ratio:.0f}; target 1/20 or better: {'met' if ratio <= 0.05 else 'NOT met'}) |",
        "",
    ]
    return "\n".join(lines), results
