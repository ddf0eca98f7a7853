"""`make dev` seeds reference data and the sample questionnaire once, and never user accounts."""

from __future__ import annotations

import psycopg

from local.seed import seed
from shared.db.migrate import migrate


def test_seed_fills_reference_data_once_and_creates_no_accounts(fresh_database: str) -> None:
    migrate(fresh_database)
    first = seed(fresh_database)
    second = seed(fresh_database)
    assert first == {"sectors": 10, "questionnaires": 1}
    assert second == {"sectors": 0, "questionnaires": 0}
    with psycopg.connect(fresh_database) as conn:
        row = conn.execute(
            "SELECT v.status, count(q.*) FROM questionnaire_versions v JOIN questions q ON q.version_id = v.id"
            " GROUP BY v.status"
        ).fetchall()
        users = conn.execute("SELECT count(*) FROM users").fetchone()
    assert row == [("published", 27)]
    assert users == (0,)
