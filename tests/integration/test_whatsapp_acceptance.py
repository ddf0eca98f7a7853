"""The issue's acceptance scenario, through the local gateway exactly as Twilio would call it: signed form bodies
(twilio's RequestValidator, the documented local URL, the development token of .env.example), a whole
questionnaire with invalid answers, BACK, STOP and START, a repeated MessageSid, two concurrent messages and a
forged signature; at the end exactly one assessment, with the scores worked out by hand."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from shared.db import Database
from tests.integration.auth_helpers import bearer, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.whatsapp_helpers import WhatsAppUser, new_sid, replies

PHONE = "+254700000001"


@pytest.fixture
async def admin(api: httpx.AsyncClient, db: Database) -> str:
    add_test_sectors(db)
    token = str((await login_tokens(api, await signup_first(api)))["access_token"])
    await publish_small(api, token)
    return token


def table_counts(db: Database) -> dict[str, int]:
    tables = ("assessments", "respondents", "whatsapp_messages", "whatsapp_conversations", "consent_ledger")
    with db.transaction(read_only=True) as conn:
        return {t: int(conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]) for t in tables}  # type: ignore[index]


async def test_a_whole_questionnaire_on_whatsapp_stores_exactly_one_assessment_with_the_right_scores(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    user = WhatsAppUser(api, PHONE)

    # A forged signature: 403, nothing stored.
    forged = await user.post("hi", token="not-the-token")
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "forbidden"
    assert table_counts(db) == dict.fromkeys(table_counts(db), 0)

    assert "Reply YES to begin" in await user.send("hi")
    assert await user.send("YES") == "What is your name?"
    assert "2. ICT" in await user.send("Awa Diallo")
    assert (await user.send("2")).startswith("Q1/5 Do you have a phone?")

    # An invalid answer: a hint, the question stays.
    assert (await user.send("7")).startswith("That is not one of the options")
    assert (await user.send("1")).startswith("Q2/5 Which apps?")
    assert "Reply a number 1-5" in await user.send("1,2")

    # BACK, and a different answer.
    assert (await user.send("BACK")).startswith("Q2/5 Which apps?")
    assert (await user.send("2 3")).startswith("Q3/5 How confident?")

    # STOP: the confirmation, then silence (an empty <Response/>) until START, which resumes.
    assert (await user.send("STOP")).startswith("You will receive no more messages")
    silent = await user.post("4")
    assert (silent.status_code, replies(silent)) == (200, [])
    assert silent.text.endswith("<Response/>")
    resumed = await user.send("START")
    assert "You're on Q3/5" in resumed

    # A repeated MessageSid: the same reply, nothing changes.
    sid = new_sid()
    first = await user.send("4", sid=sid)
    assert first.startswith("Q4/5 Right answers out of 10")
    before = table_counts(db)
    assert await user.send("4", sid=sid) == first
    assert table_counts(db) == before

    # Two messages at once: one at a time per respondent, so they answer two questions, never one twice.
    together = await asyncio.gather(user.post("7"), user.post("7"))
    answers = ["\n".join(replies(r)) for r in together]
    assert all(r.status_code == 200 for r in together)
    assert sum("Q5/5 Anything else?" in a for a in answers) == 1
    assert sum("Your results" in a for a in answers) == 1

    # Exactly one assessment, scored by the rubric. digital: has_phone yes (1) x1, apps email+bank (3/4) x2,
    # confidence 4 on 1-5 (3/4) x1: (1 + 1.5 + 0.75) / 4 = 81.25; numeracy: 7 of 10 = 70.00.
    listed = (await api.get("/api/v1/assessments", headers=bearer(admin))).json()["items"]
    assert len(listed) == 1
    assert (listed[0]["channel"], listed[0]["respondent_name"]) == ("whatsapp", "Awa Diallo")
    assert listed[0]["scores"] == {"digital": 81.25, "numeracy": 70.0}
    detail = (await api.get(f"/api/v1/assessments/{listed[0]['id']}", headers=bearer(admin))).json()
    assert {a["code"]: a["value"] for a in detail["answers"]} == {
        "has_phone": "yes", "apps": ["email", "bank"], "confidence": 4, "sums": 7, "comment": "7",
    }  # fmt: skip
    assert detail["respondent"]["phone"] == PHONE
    done = next(a for a in answers if "Your results" in a)
    assert "Digital: 81.25/100 (Advanced)" in done
    assert "Numeracy: 70/100 (Advanced)" in done

    with db.transaction(read_only=True) as conn:
        consent = [r["event"] for r in conn.execute("SELECT event FROM consent_ledger ORDER BY id").fetchall()]
        conversation = conn.execute("SELECT status, assessment_id FROM whatsapp_conversations").fetchall()
    assert consent == ["consent_given", "opted_out", "opted_in"]
    assert [(c["status"], str(c["assessment_id"])) for c in conversation] == [("completed", listed[0]["id"])]


async def test_a_completion_delivered_again_replays_its_results_and_stores_nothing_more(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    user = WhatsAppUser(api, "+254700000002")
    for message in ("hi", "yes", "Kofi", "2", "2", "3", "5"):
        await user.send(message)
    sid = new_sid()
    results = await user.send("fine", sid=sid)
    assert results.startswith("Thank you, Kofi! Your results:")
    counts = table_counts(db)
    assert await user.send("fine", sid=sid) == results
    assert table_counts(db) == counts
    assert counts["assessments"] == 1
    assert (await user.send("thanks")).startswith("You have completed the assessment")


SEEDED_ANSWER_POLICY = {"single_choice": "1", "multi_choice": "1,2", "text": "I repair phones"}


def _reply_for(prompt: str) -> str:
    """An answer to a prompt of the seeded questionnaire: the first option, the first two, the top of a range."""
    if "Reply with one number" in prompt:
        return "1"
    if "numbers of all that apply" in prompt:
        return "1 2"
    found = re.search(r"Reply a number (\d+)-(\d+)\.", prompt)
    if found:
        return found.group(2)
    return SEEDED_ANSWER_POLICY["text"]


async def test_the_seeded_questionnaire_scores_on_whatsapp_as_on_the_web(
    api: httpx.AsyncClient, db: Database, database_url: str
) -> None:
    from local.seed import seed

    seed(database_url)  # what make dev seeds: sectors and the sample questionnaire, published
    token = str((await login_tokens(api, await signup_first(api)))["access_token"])
    user = WhatsAppUser(api, "+254700000003")
    for message in ("hi", "yes", "Awa"):
        await user.send(message)
    prompt = await user.send("4")  # ict
    seen: list[str] = []
    while prompt.startswith("Q"):
        seen.append(prompt.split(" ", 1)[0])
        prompt = await user.send(_reply_for(prompt))
    assert "Your results" in prompt
    assert seen[0] == "Q1/27"
    assert len(seen) == len(set(seen))  # every question once, numbered in order

    listed = (await api.get("/api/v1/assessments", headers=bearer(token))).json()["items"]
    assert len(listed) == 1
    detail = (await api.get(f"/api/v1/assessments/{listed[0]['id']}", headers=bearer(token))).json()
    web: dict[str, Any] = {
        "questionnaire_version_id": detail["questionnaire_version_id"],
        "respondent": {"phone": "+254700000004", "name": "Awa", "sector": "ict"},
        "answers": [{"question_id": a["question_id"], "value": a["value"]} for a in detail["answers"]],
    }
    submitted = await api.post(
        "/api/v1/assessments/submit", json=web, headers={**bearer(token), "Idempotency-Key": "web-twin"}
    )
    assert submitted.status_code == 201, submitted.text
    assert {s["skill"]: s["score"] for s in submitted.json()["scores"]} == listed[0]["scores"]
