"""The dashboard summary: what it shows, to whom, and that it is exact. A property test drives random submissions
(concurrent ones and rolled-back ones among them), abandoned conversations, the relay delivering or parking their
events (which folds them), super-admins sending parked events again, and folds of the abandoned conversations,
and compares the summary with the same figures recomputed from the raw tables."""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.assessments import repository as assessments
from shared.assessments import scoring, service
from shared.assessments.models import SubmissionCreate
from shared.auth.permissions import Role
from shared.dashboard import repository as dashboard
from shared.dashboard.service import mean, summary
from shared.db import Database
from shared.db.migrate import migrate
from shared.outbox import repository as outbox
from shared.outbox.relay import Relay
from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.repository import load_version
from shared.questionnaires.service import import_definition
from shared.realtime.broadcast import DASHBOARD_EVENTS, DashboardTopic
from shared.request_context import RequestContext
from shared.runtime import Runtime
from tests.integration.auth_helpers import bearer, mint_pair
from tests.integration.questionnaire_helpers import add_test_sectors, small_definition

SECTORS = ("ict", "agri")


@dataclass
class World:
    version: UUID
    questions: dict[str, UUID]
    admin: UUID
    enumerator: UUID
    other_enumerator: UUID
    abandoned: list[tuple[set[UUID], set[UUID]]] = field(default_factory=list)  # (reached, answered) committed


def _user(db: Database, email: str, role: str) -> UUID:
    with db.transaction() as conn:
        row = conn.execute(
            "INSERT INTO users (email, password_hash, role) VALUES (%s, '$argon2id$x', %s) RETURNING id", (email, role)
        ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


@pytest.fixture
def world(db: Database) -> World:
    add_test_sectors(db)
    imported = import_definition(
        db, None, QuestionnaireDef.model_validate(small_definition()), RequestContext(), publish=True
    )
    with db.transaction(read_only=True) as conn:
        questions = {r["code"]: r["id"] for r in conn.execute(
            "SELECT code, id FROM questions WHERE version_id = %s", (imported.version_id,))}  # fmt: skip
    return World(
        imported.version_id, questions, _user(db, "admin@example.org", "super-admin"),
        _user(db, "field@example.org", "enumerator"), _user(db, "field2@example.org", "enumerator"),
    )  # fmt: skip


# -- what a submission is: generated ----------------------------------------------------------------------


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, Any]:
    has_phone = draw(st.sampled_from(["yes", "no"]))
    answers: dict[str, Any] = {
        "has_phone": has_phone,
        "confidence": draw(st.integers(1, 5)),
        "sums": draw(st.integers(0, 10)),
    }
    if has_phone == "yes":  # "apps" is shown only then, and it is required when shown
        answers["apps"] = draw(st.lists(st.sampled_from(["whatsapp", "email", "bank"]), min_size=1, unique=True))
    if draw(st.booleans()):
        answers["comment"] = draw(st.sampled_from(["ok", "=1+1", "merci"]))
    return {
        "answers": answers,
        "who": draw(st.sampled_from(["admin", "enumerator", "other_enumerator"])),
        "sector": draw(st.sampled_from(SECTORS)),
        "channel": draw(st.sampled_from(["web", "whatsapp"])),
    }


def _body(world: World, s: dict[str, Any]) -> SubmissionCreate:
    return SubmissionCreate.model_validate({
        "questionnaire_version_id": str(world.version),
        "channel": s["channel"],
        "respondent": {"phone": f"+2250{uuid.uuid4().int % 10**9:09d}", "name": "R", "sector": s["sector"]},
        "answers": [{"question_id": str(world.questions[c]), "value": v} for c, v in s["answers"].items()],
    })  # fmt: skip


def _caller(world: World, who: str) -> service.Caller:
    user = getattr(world, who)
    role = Role.SUPER_ADMIN if who == "admin" else Role.ENUMERATOR
    return service.Caller(scope=f"user:{user}", user_id=user, role=role)


def _submit(rt: Runtime, world: World, s: dict[str, Any]) -> None:
    outcome = service.submit(rt, _caller(world, s["who"]), str(uuid.uuid4()), _body(world, s), RequestContext())
    assert outcome.status == 201


def _submit_rolled_back(rt: Runtime, world: World, s: dict[str, Any], database_url: str) -> None:
    """The whole statement runs, then its transaction is rolled back: it must leave no trace in any figure."""
    document = service.statement_document(rt, _caller(world, s["who"]), str(uuid.uuid4()), _body(world, s),
                                          RequestContext())  # fmt: skip
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("BEGIN")
        result = conn.execute(assessments.SUBMIT, service.statement_parameters(document)).fetchone()
        assert result is not None
        assert result[0]["outcome"] == "created"
        conn.execute("ROLLBACK")


def _abandon(world: World, reached: list[str], answered_count: int, commit: bool, database_url: str) -> None:
    ids = [world.questions[c] for c in reached]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("BEGIN")
        dashboard.record_abandoned(conn, version_id=world.version, channel="whatsapp", reached=ids,
                                   answered=ids[:answered_count])  # fmt: skip
        conn.execute("COMMIT" if commit else "ROLLBACK")
    if commit:
        world.abandoned.append((set(ids), set(ids[:answered_count])))


def _deliver(rt: Runtime) -> None:
    """The relay pushes the dashboard's events (nobody is subscribed: no posts) and takes them off its list."""
    Relay(direct={}, topics=(DashboardTopic(),), every_s=0.0).run(rt, budget_s=30.0)


def _park(db: Database, how_many: int) -> None:
    """The relay gives up on some due events after their last attempt."""
    with db.transaction() as conn:
        events = outbox.claim(conn, DASHBOARD_EVENTS, of_types=True, limit=how_many)
        outbox.mark_failed(conn, [e.id for e in events], "GoneException", delay_s=0.0, max_attempts=1)


def _send_parked_again(db: Database) -> None:
    """A super-admin sends every parked event again: due once more, and already counted."""
    with db.transaction() as conn:
        for row in conn.execute("SELECT id FROM outbox WHERE parked_at IS NOT NULL").fetchall():
            assert outbox.unpark(conn, row["id"]) is not None


# -- the same figures from the raw tables ------------------------------------------------------------------


def _recomputed(db: Database, world: World, only: UUID | None) -> dict[str, Any]:
    with db.transaction(read_only=True) as conn:
        rows = conn.execute(
            "SELECT a.id, a.sector, a.channel, a.submitted_at, r.name FROM assessments a"
            " JOIN respondents r ON r.id = a.respondent_id"
            " WHERE %(only)s::uuid IS NULL OR a.enumerator_id = %(only)s ORDER BY a.submitted_at DESC, a.id DESC",
            {"only": only},
        ).fetchall()
        ids = [r["id"] for r in rows]
        scores = conn.execute(
            "SELECT k.code, s.score FROM skill_scores s JOIN skills k ON k.id = s.skill_id"
            " WHERE s.assessment_id = ANY(%s)",
            (ids,),
        ).fetchall()
        answers = conn.execute(
            "SELECT assessment_id, question_id, value FROM answers WHERE assessment_id = ANY(%s)", (ids,)
        ).fetchall()
    with db.transaction(read_only=True) as conn:
        version = load_version(conn, world.version)
    assert version is not None
    by_assessment: dict[Any, list[tuple[UUID, Any]]] = defaultdict(list)
    for a in answers:
        by_assessment[a["assessment_id"]].append((a["question_id"], a["value"]))
    reached: Counter[UUID] = Counter()
    answered: Counter[UUID] = Counter()
    for assessment_id in ids:
        given = by_assessment[assessment_id]
        reached.update(scoring.score(version, given).reached)  # what the respondent was shown
        answered.update(q for q, _ in given)
    if only is None:
        for was_reached, was_answered in world.abandoned:
            reached.update(was_reached)
            answered.update(was_answered)
    sums: dict[str, list[Decimal]] = defaultdict(list)
    for s in scores:
        sums[s["code"]].append(Decimal(s["score"]))
    today = datetime.now(UTC).date()
    days = [r["submitted_at"].astimezone(UTC).date() for r in rows]
    week = sum(d > today - timedelta(days=7) for d in days)
    return {
        "totals": {"today": sum(d == today for d in days), "last_7_days": week, "all_time": len(rows)},
        "by_sector": dict(Counter(r["sector"] for r in rows)),
        "by_channel": dict(Counter(r["channel"] for r in rows)),
        "skills": {code: (len(v), mean(sum(v), len(v))) for code, v in sums.items()},
        "funnel": {q.code: (reached[q.id], answered[q.id]) for q in version.questions},
        "latest": [r["id"] for r in rows[:20]],
    }  # fmt: skip


def _shown(db: Database, world: World, viewer: UUID, role: Role) -> dict[str, Any]:
    got = summary(db, viewer, role, world.version, "en")
    return {
        "totals": got.totals.model_dump(),
        "by_sector": {s.sector: s.count for s in got.by_sector},
        "by_channel": {c.channel: c.count for c in got.by_channel},
        "skills": {k.skill: (k.count, k.mean) for k in got.skills},
        "funnel": {f.code: (f.reached, f.answered) for f in got.funnel},
        "latest": [item.id for item in got.latest],
    }


def _assert_exact(db: Database, world: World) -> None:
    assert _shown(db, world, world.admin, Role.SUPER_ADMIN) == _recomputed(db, world, None)
    assert _shown(db, world, world.enumerator, Role.ENUMERATOR) == _recomputed(db, world, world.enumerator)


def _reset(database_url: str, world: World) -> None:
    world.abandoned.clear()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE assessments, respondents, outbox, idempotency_keys, dashboard_deltas,"
            " dashboard_counts, dashboard_days, dashboard_skills, dashboard_funnel CASCADE"
        )


OPERATIONS = st.one_of(
    st.tuples(st.just("submit"), submissions()),
    st.tuples(st.just("rolled back"), submissions()),
    st.tuples(st.just("together"), st.lists(submissions(), min_size=2, max_size=6)),
    st.tuples(st.just("fold"), st.none()),
    st.tuples(st.just("deliver"), st.none()),
    st.tuples(st.just("park"), st.integers(1, 4)),
    st.tuples(st.just("send parked again"), st.none()),
    st.tuples(st.just("abandon"), st.tuples(
        st.lists(st.sampled_from(["has_phone", "apps", "confidence", "sums", "comment"]), min_size=1, unique=True),
        st.integers(0, 5), st.booleans())),
)  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=12))
def test_the_summary_is_exact_after_any_mix_of_submissions_and_folds(
    operations: list[tuple[str, Any]], runtime: Runtime, db: Database, world: World, database_url: str
) -> None:
    _reset(database_url, world)
    for kind, argument in operations:
        match kind:
            case "submit":
                _submit(runtime, world, argument)
            case "rolled back":
                _submit_rolled_back(runtime, world, argument, database_url)
            case "together":  # each its own environment (thread, connection), a fold and the relay among them
                threads = [threading.Thread(target=_submit, args=(runtime, world, s)) for s in argument]
                threads.append(threading.Thread(target=dashboard.fold, args=(db,)))
                threads.append(threading.Thread(target=_deliver, args=(runtime,)))
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            case "fold":
                dashboard.fold(db)
            case "deliver":
                _deliver(runtime)
            case "park":
                _park(db, argument)
            case "send parked again":
                _send_parked_again(db)
            case "abandon":
                reached, answered, commit = argument
                _abandon(world, reached, min(answered, len(reached)), commit, database_url)
        _assert_exact(db, world)
    dashboard.fold(db)
    _deliver(runtime)
    _assert_exact(db, world)
    with db.transaction(read_only=True) as conn:  # everything is in the totals now
        assert conn.execute("SELECT count(*) AS n FROM dashboard_deltas").fetchone() == {"n": 0}
        assert conn.execute("SELECT count(*) AS n FROM dashboard_delta_submissions").fetchone() == {"n": 0}


# -- through the API ------------------------------------------------------------------------------------


async def _submit_http(api: httpx.AsyncClient, token: str, world: World, s: dict[str, Any]) -> str:
    response = await api.post(
        "/api/v1/assessments/submit",
        json=_body(world, s).model_dump(mode="json"),
        headers={**bearer(token), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["assessment_id"])


async def test_the_summary_through_the_api_for_each_role(
    api: httpx.AsyncClient, db: Database, world: World, runtime: Runtime
) -> None:
    admin = mint_pair(db, str(world.admin))["access"]
    field_token = mint_pair(db, str(world.enumerator))["access"]
    finance_token = mint_pair(db, str(_user(db, "money@example.org", "finance")))["access"]
    base = {"answers": {"has_phone": "no", "confidence": 5, "sums": 10}, "who": "admin", "channel": "web"}
    first = await _submit_http(api, admin, world, {**base, "sector": "ict"})
    await _submit_http(api, admin, world, {**base, "sector": "agri", "channel": "whatsapp"})
    theirs = await _submit_http(api, field_token, world, {**base, "sector": "ict"})

    everything = await api.get("/api/v1/dashboard/summary", headers=bearer(admin))
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["scope"] == "all"
    assert body["totals"] == {"today": 3, "last_7_days": 3, "all_time": 3}
    assert {s["sector"]: (s["label"], s["count"]) for s in body["by_sector"]} == {"ict": ("ICT", 2), "agri": ("A", 1)}
    assert {c["channel"]: c["count"] for c in body["by_channel"]} == {"web": 2, "whatsapp": 1}
    assert {k["skill"]: (k["label"], k["mean"], k["count"]) for k in body["skills"]} == {
        "digital": ("Digital", 50.0, 3), "numeracy": ("Numeracy", 100.0, 3)}  # fmt: skip
    assert body["funnel_version_id"] == str(world.version)
    funnel = {f["code"]: (f["reached"], f["answered"]) for f in body["funnel"]}
    # "apps" is shown only to those with a phone: nobody reached it; "comment" is optional: reached, not answered
    assert funnel == {"has_phone": (3, 3), "apps": (0, 0), "confidence": (3, 3), "sums": (3, 3), "comment": (3, 0)}
    assert [item["id"] for item in body["latest"]][-1] == first
    assert body["latest"][0]["respondent_name"] == "R"

    own = (await api.get("/api/v1/dashboard/summary?lang=fr", headers=bearer(field_token))).json()
    assert own["scope"] == "own"
    assert own["totals"]["all_time"] == 1
    assert [item["id"] for item in own["latest"]] == [theirs]
    assert own["skills"][0]["label"] == "Digital (fr)"

    refused = await api.get("/api/v1/dashboard/summary", headers=bearer(finance_token))
    assert refused.status_code == 403
    bad = await api.get("/api/v1/dashboard/summary?questionnaire_version_id=nope", headers=bearer(admin))
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["path"] == "query.questionnaire_version_id"


def test_days_count_in_utc_and_the_week_is_today_and_the_six_before(
    db: Database, world: World, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    with db.transaction() as conn:
        respondent = conn.execute(
            "INSERT INTO respondents (name, phone, sector) VALUES ('R', '+22507000001', 'ict') RETURNING id"
        ).fetchone()
        assert respondent is not None
        for days_ago in (0, 6, 7, 30):
            at = now - timedelta(days=days_ago)
            conn.execute(
                "WITH a AS (INSERT INTO assessments (respondent_id, version_id, channel, sector, started_at,"
                " submitted_at) VALUES (%s, %s, 'web', 'ict', %s, %s) RETURNING id)"
                " INSERT INTO outbox (event_type, aggregate_id, payload)"
                " SELECT 'assessment.submitted', id::text, '{}' FROM a",
                (respondent["id"], world.version, at, at),
            )
    before = summary(db, world.admin, Role.SUPER_ADMIN, None, "en").totals
    _deliver(runtime)
    with db.transaction(read_only=True) as conn:
        assert conn.execute("SELECT count(*) AS n FROM dashboard_delta_submissions").fetchone() == {"n": 0}
    after = summary(db, world.admin, Role.SUPER_ADMIN, None, "en").totals
    assert before == after
    assert after.model_dump() == {"today": 1, "last_7_days": 2, "all_time": 4}


def test_an_abandoned_conversation_counts_in_the_funnel_and_a_wrong_one_is_refused(
    db: Database, world: World, database_url: str
) -> None:
    _abandon(world, ["has_phone", "apps", "confidence"], 2, True, database_url)
    shown = summary(db, world.admin, Role.SUPER_ADMIN, world.version, "en")
    funnel = {f.code: (f.reached, f.answered) for f in shown.funnel}
    assert funnel == {"has_phone": (1, 1), "apps": (1, 1), "confidence": (1, 0), "sums": (0, 0), "comment": (0, 0)}
    assert shown.totals.all_time == 0  # a conversation abandoned is no submission
    q = world.questions
    for reached, answered in (([uuid.uuid4()], []), ([q["sums"]], [q["apps"]])):  # not of the version; not reached
        with psycopg.connect(database_url, autocommit=True) as conn, pytest.raises(psycopg.errors.CheckViolation):
            dashboard.record_abandoned(
                conn, version_id=world.version, channel="whatsapp", reached=reached, answered=answered
            )


# -- a submission's event is its delta (migration 0042) ----------------------------------------------------


def _counted(db: Database) -> dict[str, int]:
    with db.transaction(read_only=True) as conn:
        row = conn.execute(
            "SELECT (SELECT coalesce(sum(submissions), 0) FROM dashboard_counts)::int AS folded,"
            " (SELECT count(*) FROM dashboard_delta_submissions)::int AS unfolded"
        ).fetchone()
    assert row is not None
    return dict(row)


def test_an_event_is_folded_once_as_it_leaves_the_relays_list_and_kept_until_then(
    db: Database, world: World, runtime: Runtime, database_url: str
) -> None:
    _submit(runtime, world, {"answers": {"has_phone": "no", "confidence": 3, "sums": 4}, "who": "admin",
                             "sector": "ict", "channel": "web"})  # fmt: skip
    assert _counted(db) == {"folded": 0, "unfolded": 1}
    with psycopg.connect(database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="not counted in the dashboard yet"):
            conn.execute("DELETE FROM outbox")
        with pytest.raises(psycopg.errors.CheckViolation, match="outbox_unfolded_is_due"):
            conn.execute(
                "INSERT INTO outbox (event_type, aggregate_id, payload, dispatched_at)"
                " SELECT 'assessment.submitted', id::text, '{}', now() FROM assessments"
            )
    assert _counted(db) == {"folded": 0, "unfolded": 1}

    _deliver(runtime)
    assert _counted(db) == {"folded": 1, "unfolded": 0}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for change in ("folded_at = NULL", "folded_at = now() + interval '1 second'",
                       "aggregate_id = gen_random_uuid()::text"):  # fmt: skip
            with pytest.raises(psycopg.errors.CheckViolation, match="its fold cannot change"):
                conn.execute(f"UPDATE outbox SET {change}")
        # Sent again by a super-admin (or delivered twice): delivered again, not counted again.
        conn.execute("UPDATE outbox SET dispatched_at = NULL")
    assert _counted(db) == {"folded": 1, "unfolded": 0}
    _deliver(runtime)
    assert _counted(db) == {"folded": 1, "unfolded": 0}
    _assert_exact(db, world)


def test_submissions_stored_before_the_event_was_the_delta_are_counted_once(fresh_database: str) -> None:
    from local.seed import seed

    migrate(fresh_database, through=41)  # the schema as it was before migration 0042
    seed(fresh_database)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        version = conn.execute("SELECT id FROM questionnaire_versions WHERE status = 'published'").fetchone()
        assert version is not None
        conn.execute("INSERT INTO respondents (id, name, phone, sector) VALUES (%s, 'R', '+22507000009', 'ict')",
                     (respondent := uuid.uuid4(),))  # fmt: skip
        for dispatched in ("now()", "NULL", "NULL"):  # one delivered, two still due; none folded
            assessment = uuid.uuid4()
            conn.execute(
                "INSERT INTO assessments (id, respondent_id, version_id, channel, sector, status, started_at,"
                " submitted_at) VALUES (%s, %s, %s, 'web', 'ict', 'submitted', now(), now())",
                (assessment, respondent, version[0]),
            )
            conn.execute("INSERT INTO dashboard_deltas (assessment_id) VALUES (%s)", (assessment,))
            conn.execute(
                "INSERT INTO outbox (event_type, aggregate_id, payload, dispatched_at)"
                f" VALUES ('assessment.submitted', %s, '{{}}', {dispatched})",
                (str(assessment),),
            )
        conn.execute("SELECT dashboard_fold(1)")  # one of them was folded already

    migrate(fresh_database)

    counted = Database(lambda: fresh_database)
    try:
        assert _counted(counted) == {"folded": 3, "unfolded": 0}
        with psycopg.connect(fresh_database, autocommit=True) as conn:
            conn.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")  # the relay, later
            assert conn.execute("SELECT count(*) FROM outbox WHERE folded_at IS NULL").fetchone() == (0,)
        assert _counted(counted) == {"folded": 3, "unfolded": 0}
    finally:
        counted.close()
