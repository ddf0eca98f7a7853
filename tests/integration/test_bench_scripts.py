"""The benchmarks' own parts: the "write alone" pgbench script speaks the submission statement's current
document shape, and the network relay carries the PostgreSQL protocol both ways."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.relay import Relay
from bench.submissions import WITHOUT, _definition, _server_only_script
from shared.db import Database
from shared.questionnaires.service import import_definition
from shared.request_context import RequestContext
from tests.integration.questionnaire_helpers import add_test_sectors


def test_the_write_alone_script_stores_one_whole_submission(db: Database) -> None:
    add_test_sectors(db)
    imported = import_definition(db, None, _definition(), RequestContext(), publish=True)
    with db.transaction(read_only=True) as conn:
        questions = {
            r["code"]: r["id"]
            for r in conn.execute("SELECT code, id FROM questions WHERE version_id = %s", (imported.version_id,))
        }
        skills = [
            r["id"]
            for r in conn.execute(
                "SELECT id FROM skills WHERE version_id = %s ORDER BY position", (imported.version_id,)
            )
        ]
    script = Path(_server_only_script(imported.version_id, questions, skills))
    statement = script.read_text()
    shutil.rmtree(script.parent)

    row = db.run_statement(statement, idempotent=False)

    assert row is not None
    assert row["submit_assessment"]["outcome"] == "created"
    with db.transaction(read_only=True) as conn:
        counted = conn.execute(
            "SELECT (SELECT count(*) FROM assessments) AS assessments, (SELECT count(*) FROM answers) AS answers,"
            " (SELECT count(*) FROM skill_scores) AS scores, (SELECT count(*) FROM outbox) AS events,"
            " (SELECT count(*) FROM dashboard_delta_submissions) AS unfolded"
        ).fetchone()
    assert counted == {"assessments": 1, "answers": len(questions), "scores": len(skills), "events": 1, "unfolded": 1}


def test_each_part_the_breakdown_leaves_out_is_in_the_submission_statement_once(db: Database) -> None:
    """The breakdown's variants cut a part out of submit_assessment's source by pattern; a pattern that no
    longer matches would measure nothing, so the bench refuses it, and so does this test, first."""
    import re

    with db.transaction(read_only=True) as conn:
        row = conn.execute("SELECT pg_get_functiondef('submit_assessment(jsonb)'::regprocedure) AS source").fetchone()
    assert row is not None
    for part, pattern in WITHOUT.items():
        assert len(re.findall(pattern, row["source"], flags=re.S)) == 1, part


def test_the_relay_carries_a_session_both_ways(database_url: str) -> None:
    params = conninfo_to_dict(database_url)
    if params.get("host") not in ("127.0.0.1", "localhost") or not params.get("port"):
        pytest.skip("the relay forwards to a local TCP port")
    with (
        Relay(int(str(params["port"])), round_trip_s=0.001) as relay,
        psycopg.connect(make_conninfo(database_url, port=str(relay.port))) as conn,
    ):
        rows = conn.execute("SELECT n FROM generate_series(1, 3) AS n").fetchall()
    assert rows == [(1,), (2,), (3,)]
