"""Demo reference data for a local platform: sectors (and, as modules land, the sample questionnaire).

Never user accounts: the first signup creates the super-admin. Every step is idempotent, so running it
on each ``make dev`` only fills what is missing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import psycopg

logger = logging.getLogger("local.seed")
SEED_DIR = Path(__file__).with_name("seed_data")
SAMPLE = Path(__file__).resolve().parent.parent / "shared" / "questionnaires" / "samples" / "skills_baseline.json"


def seed(conninfo: str) -> dict[str, int]:
    """Insert missing reference rows; returns how many rows each step added."""
    sectors = json.loads((SEED_DIR / "sectors.json").read_text(encoding="utf-8"))
    with (
        psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn,
        conn.transaction(),
        conn.cursor() as cur,
    ):
        cur.executemany(
            "INSERT INTO sectors (code, label_en, label_fr, sort_order)"
            " VALUES (%(code)s, %(label_en)s, %(label_fr)s, %(sort_order)s)"
            " ON CONFLICT (code) DO NOTHING",
            [{**s, "sort_order": i} for i, s in enumerate(sectors)],
            returning=False,
        )
        added = cur.rowcount
    return {"sectors": max(added, 0), "questionnaires": seed_sample_questionnaire(conninfo)}


def seed_sample_questionnaire(conninfo: str) -> int:
    """Import and publish the sample questionnaire unless a questionnaire with its code exists."""
    from shared.db import Database
    from shared.questionnaires.definition import QuestionnaireDef
    from shared.questionnaires.service import import_definition
    from shared.request_context import RequestContext

    definition = QuestionnaireDef.model_validate_json(SAMPLE.read_text(encoding="utf-8"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM questionnaires WHERE code = %s", (definition.code,)).fetchone():
            return 0
    database = Database(lambda: conninfo)
    try:
        import_definition(database, None, definition, RequestContext(), publish=True)
    finally:
        database.close()
    return 1
