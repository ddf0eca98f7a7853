"""The row rules of respondents and outbox (checked by triggers since migration 0043, by CHECK constraints before):
whatever breaks one is refused on insert and on update, with check_violation, the table and the constraint's name,
and nothing changes."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors

from shared.db import Database

RESPONDENT = {"name": "Awa", "phone": "+22507000001", "sector": "ict", "region": "Abidjan", "language": "fr"}
INSERT_RESPONDENT = """
INSERT INTO respondents (name, phone, sector, region, language)
VALUES (%(name)s, %(phone)s, %(sector)s, %(region)s, %(language)s)
"""
EVENT = {"event_type": "export.ready", "attempts": 0, "dispatched_at": None, "parked_at": None}
INSERT_EVENT = """
INSERT INTO outbox (event_type, aggregate_id, payload, attempts, dispatched_at, parked_at)
VALUES (%(event_type)s, 'x', '{}', %(attempts)s, %(dispatched_at)s::timestamptz, %(parked_at)s::timestamptz)
"""
NOW = "2026-12-05T10:00:00Z"


@pytest.fixture
def conn(db: Database, database_url: str) -> Any:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC')")
        yield conn


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"language": "de"}, "respondents_language"),
        ({"name": "   "}, "respondents_name_length"),
        ({"name": "x" * 201}, "respondents_name_length"),
        ({"phone": "0700000001"}, "respondents_phone_e164"),
        ({"phone": "+0700000001"}, "respondents_phone_e164"),
        ({"phone": "+2250700000001234"}, "respondents_phone_e164"),
        ({"region": "r" * 101}, "respondents_region_length"),
    ],
)
def test_a_respondent_breaking_a_rule_is_refused_on_insert_and_update(
    conn: psycopg.Connection[Any], change: dict[str, str], constraint: str
) -> None:
    conn.execute(INSERT_RESPONDENT, RESPONDENT)  # the valid row is stored

    with pytest.raises(errors.CheckViolation) as inserted:
        conn.execute(INSERT_RESPONDENT, {**RESPONDENT, "phone": "+22507000002", **change})
    column, value = next(iter(change.items()))
    with pytest.raises(errors.CheckViolation) as updated:
        conn.execute(f"UPDATE respondents SET {column} = %s", (value,))

    for refused in (inserted, updated):
        assert refused.value.diag.constraint_name == constraint
        assert refused.value.diag.table_name == "respondents"
        assert constraint in str(refused.value)
    assert conn.execute("SELECT name, phone, region, language FROM respondents").fetchall() == [
        (RESPONDENT["name"], RESPONDENT["phone"], RESPONDENT["region"], RESPONDENT["language"])
    ]


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"attempts": -1}, "outbox_attempts_nonnegative"),
        ({"dispatched_at": NOW, "parked_at": NOW}, "outbox_dispatched_or_parked"),
        ({"event_type": "exportready"}, "outbox_event_type_format"),
        ({"event_type": "Export.Ready"}, "outbox_event_type_format"),
        ({"event_type": "assessment.submitted", "dispatched_at": NOW}, "outbox_unfolded_is_due"),
        ({"event_type": "assessment.submitted", "parked_at": NOW}, "outbox_unfolded_is_due"),
    ],
)
def test_an_outbox_event_breaking_a_rule_is_refused_on_insert_and_update(
    conn: psycopg.Connection[Any], change: dict[str, Any], constraint: str
) -> None:
    conn.execute(INSERT_EVENT, EVENT)  # the valid row is stored

    with pytest.raises(errors.CheckViolation) as inserted:
        conn.execute(INSERT_EVENT, {**EVENT, **change})
    with pytest.raises(errors.CheckViolation) as updated:
        conn.execute(
            "UPDATE outbox SET event_type = %(event_type)s, attempts = %(attempts)s,"
            " dispatched_at = %(dispatched_at)s::timestamptz, parked_at = %(parked_at)s::timestamptz",
            {**EVENT, **change},
        )

    for refused in (inserted, updated):
        assert refused.value.diag.constraint_name == constraint
        assert refused.value.diag.table_name == "outbox"
    assert conn.execute("SELECT event_type, attempts, dispatched_at, parked_at FROM outbox").fetchall() == [
        ("export.ready", 0, None, None)
    ]
