"""The outbox relay against a real PostgreSQL: at-least-once delivery, retries with backoff, parking and the
super-admin's retry, a relay stopped mid-batch, coalesced topic pushes, and relays running at once. WebSocket
posts and Lambda invokes are the runtime's edges: recording fakes stand in for them."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest
from psycopg.types.json import Jsonb

from shared.db import Database
from shared.outbox.relay import Relay, start_workers
from shared.realtime.broadcast import DashboardTopic, to_owner
from shared.runtime import Runtime, runtime_with
from tests.fakes import Died, RecordingInvoker, RecordingPoster
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, signup_first

OWNER_EVENTS = {"export.progress": to_owner, "export.ready": to_owner}


def relay(**overrides: Any) -> Relay:
    settings: dict[str, Any] = {"direct": OWNER_EVENTS, "topics": (DashboardTopic(),), "sleep": lambda s: None}
    settings.update(overrides)
    return Relay(**settings)


@pytest.fixture
def user(db: Database) -> str:
    with db.transaction() as conn:
        row = conn.execute(
            "INSERT INTO users (email, password_hash, role) VALUES ('u@example.org', '$argon2id$x', 'analyst')"
            " RETURNING id"
        ).fetchone()
    assert row is not None
    return str(row["id"])


def connect(db: Database, user_id: str, connection_id: str, *topics: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO ws_connections (connection_id, user_id, role, topics)"
            " SELECT %s, id, role, %s FROM users WHERE id = %s",
            (connection_id, list(topics), user_id),
        )


def add_events(db: Database, event_type: str, payloads: list[dict[str, Any]]) -> list[str]:
    with db.transaction() as conn:
        return [
            str(row["id"])
            for p in payloads
            for row in conn.execute(
                "INSERT INTO outbox (event_type, aggregate_id, payload) VALUES (%s, %s, %s) RETURNING id",
                (event_type, str(uuid.uuid4()), Jsonb(p)),
            )
        ]


def states(db: Database) -> dict[str, dict[str, Any]]:
    with db.transaction() as conn:
        rows = conn.execute(
            "SELECT id::text, attempts, last_error, dispatched_at, parked_at, next_attempt_at > now() AS later"
            " FROM outbox"
        ).fetchall()
    return {r["id"]: r for r in rows}


def progress(user_id: str, n: int) -> list[dict[str, Any]]:
    return [{"export_id": f"e{i}", "owner_id": user_id, "done": i, "total": n} for i in range(n)]


def test_each_event_reaches_every_connection_of_its_owner_and_is_marked(
    db: Database, user: str, runtime: Runtime
) -> None:
    connect(db, user, "conn-a")
    connect(db, user, "conn-b", "dashboard")
    ids = add_events(db, "export.progress", progress(user, 3))

    poster = RecordingPoster()
    with runtime_with(sockets=poster) as rt:
        report = relay().run(rt, budget_s=10)

    assert report.dispatched == 3
    assert sorted(c for c, _ in poster.posts) == ["conn-a"] * 3 + ["conn-b"] * 3
    assert {m["done"] for m in poster.messages("conn-a")} == {0, 1, 2}
    assert all(m["event_id"] in ids and m["type"] == "export.progress" for m in poster.messages())
    assert all(s["dispatched_at"] and s["attempts"] == 1 and not s["last_error"] for s in states(db).values())


def test_a_failed_delivery_is_retried_with_backoff_recorded_then_parked(
    db: Database, user: str, runtime: Runtime
) -> None:
    connect(db, user, "conn-a")
    (event_id,) = add_events(db, "export.ready", [{"export_id": "e", "owner_id": user}])
    failing = RecordingPoster(failing={"conn-a"})
    with runtime_with(sockets=failing) as rt:
        relay(max_attempts=3).run(rt, budget_s=10)
        first = states(db)[event_id]
        assert (first["attempts"], first["dispatched_at"], first["parked_at"]) == (1, None, None)
        assert "LimitExceededException" in first["last_error"]
        assert first["later"], "the next attempt waits for its backoff"

        relay(max_attempts=3).run(rt, budget_s=10)  # not due yet: untouched
        assert states(db)[event_id]["attempts"] == 1

        reports = []
        for _ in range(2):
            _make_due(db)
            reports.append(relay(max_attempts=3).run(rt, budget_s=10))
    assert [r.parked for r in reports] == [0, 1]  # what the parked-events alarm counts
    assert reports[0].oldest_pending_s > 0
    assert reports[1].oldest_pending_s == 0  # parked is no longer pending
    parked = states(db)[event_id]
    assert parked["attempts"] == 3
    assert parked["parked_at"] is not None
    assert parked["dispatched_at"] is None


def _make_due(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE outbox SET next_attempt_at = now() WHERE dispatched_at IS NULL")


def test_the_backoff_grows_and_is_capped() -> None:
    r = Relay(direct={}, base_delay_s=10, max_delay_s=100)
    waits = [r.backoff_s(n) for n in range(6)]
    assert 5 <= waits[0] <= 10
    assert 20 <= waits[2] <= 40
    assert all(50 <= w <= 100 for w in waits[4:])


def test_an_event_nothing_consumes_is_kept_and_shown_not_lost(db: Database, runtime: Runtime) -> None:
    (event_id,) = add_events(db, "thing.happened", [{}])
    relay(max_attempts=1).run(runtime, budget_s=10)
    state = states(db)[event_id]
    assert state["parked_at"] is not None
    assert "no consumer for event type thing.happened" in state["last_error"]


def test_a_relay_stopped_mid_batch_leaves_every_event_to_the_next_sweep(
    db: Database, user: str, runtime: Runtime
) -> None:
    connect(db, user, "conn-a")
    ids = add_events(db, "export.progress", progress(user, 5))
    dying = RecordingPoster(die_after=2)
    with runtime_with(sockets=dying) as rt, pytest.raises(Died):
        relay().run(rt, budget_s=10)
    assert len(dying.posts) == 2
    assert all(s["dispatched_at"] is None and s["attempts"] == 0 for s in states(db).values())

    healthy = RecordingPoster()
    with runtime_with(sockets=healthy) as rt:
        relay().run(rt, budget_s=10)  # the next sweep
    assert sorted(m["event_id"] for m in healthy.messages()) == sorted(ids)
    assert all(s["dispatched_at"] for s in states(db).values())


def test_a_broadcast_stopped_mid_way_is_pushed_again_in_full(db: Database, user: str, runtime: Runtime) -> None:
    for n in range(4):
        connect(db, user, f"conn-{n}", "dashboard")
    add_events(db, "assessment.submitted", [{"assessment_id": f"a{i}", "sector": "ict", "channel": "web"}
                                            for i in range(3)])  # fmt: skip
    with runtime_with(sockets=RecordingPoster(die_after=1)) as rt, pytest.raises(Died):
        relay().run(rt, budget_s=10)
    healthy = RecordingPoster()
    with runtime_with(sockets=healthy) as rt:
        relay().run(rt, budget_s=10)
    assert len(healthy.posts) == 4
    assert all(m["submissions"] == 3 for m in healthy.messages())


def test_dashboard_pushes_are_coalesced_to_one_a_second(db: Database, user: str, runtime: Runtime) -> None:
    connect(db, user, "conn-a", "dashboard")
    waits: list[float] = []
    fake = RecordingPoster()
    event = {"sector": "ict", "channel": "web"}
    with runtime_with(sockets=fake) as rt:
        add_events(db, "assessment.submitted", [{**event, "assessment_id": "a1"}])
        relay(sleep=waits.append).run(rt, budget_s=10)
        add_events(db, "assessment.submitted", [{**event, "assessment_id": f"b{i}"} for i in range(3)])
        relay(sleep=waits.append).run(rt, budget_s=10)
    first, second = fake.messages("conn-a")
    assert [a["assessment_id"] for a in first["assessments"]] == ["a1"]
    assert sorted(a["assessment_id"] for a in second["assessments"]) == ["b0", "b1", "b2"]
    assert second["submissions"] == 3
    assert len(waits) == 1, "the second push waited for its slot, the first did not"
    assert 0.5 < waits[0] <= 1.0


def test_a_push_after_waiting_for_its_slot_carries_what_was_committed_meanwhile(
    db: Database, user: str, runtime: Runtime
) -> None:
    connect(db, user, "conn-a", "dashboard")
    fake = RecordingPoster()
    event = {"sector": "ict", "channel": "web"}

    def committed_while_waiting(seconds: float) -> None:
        # Another environment's submission (its own thread, so its own connection) commits during the wait.
        other = threading.Thread(
            target=add_events, args=(db, "assessment.submitted", [{**event, "assessment_id": "during"}])
        )
        other.start()
        other.join()

    with runtime_with(sockets=fake) as rt:
        add_events(db, "assessment.submitted", [{**event, "assessment_id": "first"}])
        relay().run(rt, budget_s=10)
        add_events(db, "assessment.submitted", [{**event, "assessment_id": "before"}])
        relay(sleep=committed_while_waiting).run(rt, budget_s=10)
    pushed = [sorted(a["assessment_id"] for a in m["assessments"]) for m in fake.messages()]
    assert pushed == [["first"], ["before", "during"]]


def test_a_topic_another_relay_is_pushing_is_left_to_it(db: Database, user: str, database_url: str) -> None:
    import psycopg

    connect(db, user, "conn-a", "dashboard")
    add_events(db, "assessment.submitted", [{"assessment_id": "a", "sector": "ict", "channel": "web"}])
    fake = RecordingPoster()
    with psycopg.connect(database_url, autocommit=True) as other, runtime_with(sockets=fake) as rt:
        other.execute("BEGIN")
        other.execute("SELECT pg_advisory_xact_lock(hashtextextended('ws-topic' || chr(31) || 'dashboard', 0))")
        relay().run(rt, budget_s=10)
        assert fake.posts == []  # the holder pushes, and checks again once it lets go
        other.execute("COMMIT")
        relay().run(rt, budget_s=10)
    assert len(fake.posts) == 1


def test_relays_running_at_once_deliver_each_event_once(db: Database, user: str, runtime: Runtime) -> None:
    connect(db, user, "conn-a")
    ids = add_events(db, "export.progress", progress(user, 300))
    fake = RecordingPoster()
    with runtime_with(sockets=fake) as rt:
        threads = [threading.Thread(target=relay(batch=20).run, args=(rt, 30)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(m["event_id"] for m in fake.messages()) == sorted(ids)
    assert all(s["attempts"] == 1 for s in states(db).values())


def test_an_event_starts_the_jobs_its_type_triggers(db: Database, runtime: Runtime) -> None:
    (event_id,) = add_events(db, "export.requested", [{"export_id": "x"}])
    invoker = RecordingInvoker()
    with runtime_with(invoker=invoker) as rt:
        relay(direct=start_workers({"export.requested": ("exports-worker",)})).run(rt, budget_s=10)
    ((job, payload),) = invoker.invokes
    assert job == "exports-worker"
    assert payload["event"]["id"] == event_id
    assert payload["event"]["payload"] == {"export_id": "x"}
    assert states(db)[event_id]["dispatched_at"]


async def test_super_admins_see_failed_events_and_send_them_again(
    api: httpx.AsyncClient, db: Database, runtime: Runtime
) -> None:
    root = await signup_first(api)
    admin = bearer((await login_tokens(api, root))["access_token"])
    (failed_id,) = add_events(db, "thing.happened", [{"k": 1}])
    pending_id = add_events(db, "thing.pending", [{}])[0]
    with runtime_with(sockets=RecordingPoster()) as rt:
        relay(max_attempts=1, direct={}).run(rt, budget_s=10)
    with db.transaction() as conn:  # one event still pending, not yet tried
        conn.execute("UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now() + interval '1 hour'"
                      " WHERE id = %s", (pending_id,))  # fmt: skip

    listed = await api.get("/api/v1/admin/outbox?status=failed", headers=admin)
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert (item["id"], item["status"], item["attempts"]) == (failed_id, "failed", 1)
    assert "no consumer" in item["last_error"]
    pending = (await api.get("/api/v1/admin/outbox?status=pending", headers=admin)).json()["items"]
    assert [p["id"] for p in pending] == [pending_id]

    retried = await api.post(f"/api/v1/admin/outbox/{failed_id}/retry", headers=admin)
    assert retried.status_code == 202, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    again = await api.post(f"/api/v1/admin/outbox/{failed_id}/retry", headers=admin)
    assert again.status_code == 409
    missing = await api.post(f"/api/v1/admin/outbox/{uuid.uuid4()}/retry", headers=admin)
    assert missing.status_code == 404
    with db.transaction() as conn:
        audited = conn.execute("SELECT target_id FROM audit_log WHERE action = 'outbox.retry'").fetchall()
    assert [a["target_id"] for a in audited] == [failed_id]

    analyst = await invite_and_signup(api, admin["Authorization"].split()[1], "a@example.org", "analyst")
    analyst_headers = bearer((await login_tokens(api, analyst))["access_token"])
    assert (await api.get("/api/v1/admin/outbox", headers=analyst_headers)).status_code == 403


async def test_the_outbox_list_pages_with_a_cursor(api: httpx.AsyncClient, db: Database, runtime: Runtime) -> None:
    root = await signup_first(api)
    admin = bearer((await login_tokens(api, root))["access_token"])
    ids = add_events(db, "thing.happened", [{"n": n} for n in range(5)])
    seen: list[str] = []
    cursor = None
    while True:
        query = "status=pending&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await api.get(f"/api/v1/admin/outbox?{query}", headers=admin)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    bad = await api.get("/api/v1/admin/outbox?cursor=bm90LWEtY3Vyc29y", headers=admin)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["path"] == "query.cursor"
