"""The completing message, through the local gateway as Twilio calls it: the shared submission, the conversation's
end and the reply commit together or not at all, the submission is idempotent by conversation, and a submission
that is refused leaves the respondent to an enumerator, told so."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.db import Database
from tests.integration.auth_helpers import bearer, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.whatsapp_helpers import WhatsAppUser, new_sid

PHONE = "+254700000021"
BEFORE_THE_LAST = ("hi", "yes", "Awa", "1", "1", "2 3", "4", "7")  # the last question (optional text) comes next
RESULTS = (
    "Thank you, Awa! Your results:\nDigital: 81.25/100 (Advanced)\nNumeracy: 70/100 (Advanced)\n\n"
    "Our advice:\n1. digital advanced advice\n2. numeracy advanced advice"
)


@pytest.fixture
async def admin(api: httpx.AsyncClient, db: Database) -> str:
    add_test_sectors(db)
    token = str((await login_tokens(api, await signup_first(api)))["access_token"])
    await publish_small(api, token)
    return token


def rows(db: Database, sql: str, *params: Any) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(sql, params).fetchall()


def stored(db: Database) -> dict[str, int]:
    """What a completion writes, counted (its dashboard delta aside: the relay folds it at any moment)."""
    counts = rows(
        db,
        "SELECT (SELECT count(*) FROM assessments) AS assessments, (SELECT count(*) FROM answers) AS answers,"
        " (SELECT count(*) FROM outbox WHERE event_type = 'assessment.submitted') AS events,"
        " (SELECT count(*) FROM idempotency_keys) AS keys,"
        " (SELECT count(*) FROM whatsapp_conversations WHERE status = 'completed') AS completed,"
        " (SELECT count(*) FROM whatsapp_messages) AS messages",
    )[0]
    return {k: int(v) for k, v in counts.items()}


async def before_the_last(api: httpx.AsyncClient) -> WhatsAppUser:
    user = WhatsAppUser(api, PHONE)
    for message in BEFORE_THE_LAST:
        await user.send(message)
    return user


@pytest.fixture
def failing_completion(db: Database) -> Iterator[None]:
    """The conversation's end fails after the submission's writes, within the same statement (a full disk, say)."""
    with db.transaction() as conn:
        conn.execute(
            "CREATE FUNCTION test_fail_completion() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'could not extend file'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER test_fail_completion BEFORE UPDATE ON whatsapp_conversations FOR EACH ROW"
            " WHEN (NEW.status = 'completed') EXECUTE FUNCTION test_fail_completion()"
        )
    try:
        yield
    finally:
        with db.transaction() as conn:
            conn.execute("DROP TRIGGER IF EXISTS test_fail_completion ON whatsapp_conversations")
            conn.execute("DROP FUNCTION IF EXISTS test_fail_completion()")


async def test_a_completion_that_fails_leaves_nothing_and_its_redelivery_completes_once(
    api: httpx.AsyncClient, db: Database, admin: str, failing_completion: None
) -> None:
    user = await before_the_last(api)
    before = stored(db)
    sid = new_sid()
    failed = await user.post("fine", sid=sid)
    assert failed.status_code == 500
    assert stored(db) == before  # not the assessment, nor its event or key, nor the MessageSid
    with db.transaction() as conn:
        conn.execute("DROP TRIGGER test_fail_completion ON whatsapp_conversations")

    assert await user.send("fine", sid=sid) == RESULTS  # Twilio delivers it again
    after = stored(db)
    assert {k: after[k] - before[k] for k in after} == {
        "assessments": 1, "answers": 5, "events": 1, "keys": 1, "completed": 1, "messages": 1,
    }  # fmt: skip
    assert await user.send("fine", sid=sid) == RESULTS
    assert stored(db) == after


async def test_a_conversation_submitted_already_ends_with_that_assessment(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    """Idempotent by conversation: should a conversation whose assessment is stored ever complete again, the
    submission replays the stored one instead of storing a second."""
    user = await before_the_last(api)
    (pending,) = rows(db, "SELECT id, state FROM whatsapp_conversations WHERE phone = %s", PHONE)
    assert await user.send("fine") == RESULTS
    (first,) = rows(db, "SELECT id FROM assessments")
    with db.transaction() as conn:  # the conversation as it was before its last message
        conn.execute(
            "UPDATE whatsapp_conversations SET status = 'active', ended_at = NULL, assessment_id = NULL,"
            " state = %s::jsonb WHERE id = %s",
            (json.dumps(pending["state"]), pending["id"]),
        )
    counts = stored(db)

    assert await user.send("fine") == RESULTS
    assert rows(db, "SELECT id FROM assessments") == [first]
    (conversation,) = rows(db, "SELECT status, assessment_id FROM whatsapp_conversations")
    assert (conversation["status"], conversation["assessment_id"]) == ("completed", first["id"])
    after = stored(db)
    assert {k: after[k] - counts[k] for k in after} == {
        "assessments": 0, "answers": 0, "events": 0, "keys": 0, "completed": 1, "messages": 1,
    }  # fmt: skip


async def test_a_completion_the_submission_refuses_is_left_to_an_enumerator_and_counted_in_the_funnel(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    user = await before_the_last(api)
    (conversation,) = rows(db, "SELECT id FROM whatsapp_conversations WHERE phone = %s", PHONE)
    key = str(conversation["id"])
    with db.transaction() as conn:  # the conversation's key, taken by another body: the submission refuses
        conn.execute(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)"
            " VALUES (%s, %s, %s, 201, '{}')",
            (f"whatsapp:{key}", key, secrets.token_bytes(32)),
        )
    sid = new_sid()
    reply = await user.send("fine", sid=sid)
    assert reply.startswith("Thank you, Awa! Some answers need an enumerator")
    assert await user.send("fine", sid=sid) == reply
    assert rows(db, "SELECT count(*) AS n FROM assessments") == [{"n": 0}]
    (ended,) = rows(db, "SELECT status, assessment_id, ended_at, state FROM whatsapp_conversations")
    assert (ended["status"], ended["assessment_id"], ended["state"]["stage"]) == ("followup", None, "followup")
    assert ended["ended_at"] is not None
    version = rows(db, "SELECT id FROM questionnaire_versions")[0]["id"]
    summary = await api.get(f"/api/v1/dashboard/summary?questionnaire_version_id={version}", headers=bearer(admin))
    assert summary.status_code == 200, summary.text
    assert summary.json()["totals"]["all_time"] == 0
    assert {f["code"]: (f["reached"], f["answered"]) for f in summary.json()["funnel"]} == dict.fromkeys(
        ("has_phone", "apps", "confidence", "sums", "comment"), (1, 1)
    )
    assert (await user.send("thanks")).startswith("You have completed the assessment")
