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
    return {"sectors": max(added, 0)}
