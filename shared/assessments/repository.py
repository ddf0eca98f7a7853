"""Assessment SQL. The submission is one statement, the function submit_assessment (migrations 0012, 0041 and
0042): one round trip takes the idempotency key's lock, reads what it stored, checks the version, and writes the
respondent, the assessment with its answers and scores in its row, the outbox event (which is also the
dashboard's delta) and the idempotency record (an assessment's recommendations are its rubric's, read through a
view)."""

from __future__ import annotations

from typing import Any

from shared.db import Database

_REFERENCES = """
SELECT
    EXISTS (SELECT 1 FROM sectors WHERE code = %(sector)s) AS sector_known,
    (SELECT jsonb_build_object('id', id, 'created_by', created_by)
     FROM respondents WHERE id = %(respondent_id)s::uuid) AS respondent
"""

# The statement itself lives in the database (migration 0041): one jsonb document in, one out.
SUBMIT = "SELECT submit_assessment(%s::jsonb) AS result"


def references(db: Database, sector: str | None, respondent_id: Any) -> dict[str, Any]:
    """Whether the sector exists, and the respondent (id, created_by) if it does: for error reports."""
    row = db.fetch_one(_REFERENCES, {"sector": sector, "respondent_id": respondent_id})
    assert row is not None
    return row
