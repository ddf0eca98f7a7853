"""The benchmark's "write alone" pgbench script speaks the submission statement's current document shape."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.submissions import _definition, _server_only_script
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
            " (SELECT count(*) FROM skill_scores) AS scores, (SELECT count(*) FROM outbox) AS events"
        ).fetchone()
    assert counted == {"assessments": 1, "answers": len(questions), "scores": len(skills), "events": 1}
