"""WhatsApp SQL. No decisions here (the completion's statement picks between two ends the service worked out).

The webhook's transaction runs in pipeline mode (``Database.run_pipelined``): ``claim`` sends its statements
together and reads their results once (one round trip); the ``queue_*`` functions only queue their writes, which
travel with the COMMIT (the second), and ``queue_completion``'s result is read after it. Statements still run one
after another on the server, each with a fresh snapshot: the conversation is read after the contact's row lock is
granted, so it is the latest committed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.types.json import Jsonb

from shared.db import Database

# Recorded first: a MessageSid seen before returns the stored reply (a delivery still in flight is waited for
# by the unique index, then read). DO UPDATE, not DO NOTHING, so that the stored row comes back.
_CLAIM_MESSAGE = """
INSERT INTO whatsapp_messages (sid, direction, phone, kind, request_id, status)
VALUES (%(sid)s, 'in', %(phone)s, 'message', %(request_id)s, 'received')
ON CONFLICT (sid) DO UPDATE SET sid = EXCLUDED.sid
RETURNING (xmax = 0) AS inserted, reply, conversation_id
"""

# The row every message of a phone locks: messages of one respondent are handled one at a time.
_LOCK_CONTACT = """
INSERT INTO whatsapp_contacts AS c (phone, last_inbound_at) VALUES (%(phone)s, %(now)s)
ON CONFLICT (phone) DO UPDATE SET last_inbound_at = EXCLUDED.last_inbound_at, template_only_since = NULL
RETURNING c.language, c.opted_out_at
"""

_CONVERSATION_COLUMNS = "id, status, version_id, state, started_at, updated_at, invited_by, respondent_id"
_LATEST_CONVERSATION = f"""
SELECT {_CONVERSATION_COLUMNS} FROM whatsapp_conversations
WHERE phone = %(phone)s ORDER BY status = 'active' DESC, started_at DESC LIMIT 1
"""

# The channel's own respondent of this phone (no user entered it): a phone is one person to WhatsApp.
_RESPONDENT_BY_PHONE = "SELECT id FROM respondents WHERE created_by IS NULL AND phone = %(phone)s"


@dataclass(frozen=True)
class Claimed:
    inserted: bool  # False: a repeated delivery
    stored_reply: list[str] | None
    stored_conversation: UUID | None
    language: str
    opted_out: bool
    conversation: dict[str, Any] | None  # the phone's active conversation, else its latest one
    respondent_id: UUID | None


def claim(conn: Connection[Any], sid: str, phone: str, request_id: str | None, now: datetime) -> Claimed:
    """Record the MessageSid, lock the phone's contact row, read its conversation and respondent: one round
    trip in pipeline mode."""
    params = {"sid": sid, "phone": phone, "request_id": request_id, "now": now}
    message = conn.execute(_CLAIM_MESSAGE, params)
    contact = conn.execute(_LOCK_CONTACT, params)
    conversation = conn.execute(_LATEST_CONVERSATION, params)
    respondent = conn.execute(_RESPONDENT_BY_PHONE, params)
    m, c, conv, r = message.fetchone(), contact.fetchone(), conversation.fetchone(), respondent.fetchone()
    assert m is not None
    assert c is not None
    return Claimed(
        inserted=bool(m["inserted"]), stored_reply=m["reply"], stored_conversation=m["conversation_id"],
        language=c["language"], opted_out=c["opted_out_at"] is not None, conversation=conv,
        respondent_id=r["id"] if r else None,
    )  # fmt: skip


_INSERT_CONVERSATION = """
INSERT INTO whatsapp_conversations (id, phone, status, version_id, state, current_question_id, answered, invited_by,
                                    respondent_id, assessment_id, started_at, updated_at, ended_at)
VALUES (%(id)s, %(phone)s, %(status)s, %(version_id)s, %(state)s, %(current_question_id)s, %(answered)s,
        %(invited_by)s, %(respondent_id)s, %(assessment_id)s, %(now)s, %(now)s,
        CASE WHEN %(status)s = 'active' THEN NULL ELSE %(now)s END)
"""

_UPDATE_CONVERSATION = """
UPDATE whatsapp_conversations
SET status = %(status)s, version_id = %(version_id)s, state = %(state)s, current_question_id = %(current_question_id)s,
    answered = %(answered)s, assessment_id = %(assessment_id)s, updated_at = %(now)s,
    ended_at = CASE WHEN %(status)s = 'active' THEN NULL ELSE %(now)s END
WHERE id = %(id)s
"""


@dataclass(frozen=True)
class ConversationRow:
    id: UUID
    phone: str
    status: str
    version_id: UUID | None
    state: dict[str, Any]
    current_question_id: str | None
    answered: int
    assessment_id: UUID | None = None
    invited_by: UUID | None = None
    respondent_id: UUID | None = None


def queue_conversation(conn: Connection[Any], row: ConversationRow, *, new: bool, now: datetime) -> None:
    params = {**row.__dict__, "state": Jsonb(row.state), "now": now}
    conn.execute(_INSERT_CONVERSATION if new else _UPDATE_CONVERSATION, params)


# The completing message's writes in one statement: the shared submission (submit_assessment, idempotent by
# conversation) and, by its outcome, the conversation's end and the reply kept for a repeated delivery. Stored
# (created, or replayed): completed, with its assessment and the results; refused: left to an enumerator. Both
# answers are worked out beforehand (the results come from the scores the submission's document carries), so the
# statement travels with the COMMIT and its outcome is read after it.
_COMPLETE = """
WITH submitted AS MATERIALIZED (
    SELECT submit_assessment(%(document)s::jsonb) AS result
), outcome AS (
    SELECT result, result->>'outcome' IN ('created', 'replayed') AS stored FROM submitted
), conversation AS (
    UPDATE whatsapp_conversations c
    SET status = CASE WHEN o.stored THEN 'completed' ELSE 'followup' END,
        state = CASE WHEN o.stored THEN %(stored_state)s ELSE %(refused_state)s END,
        version_id = %(version_id)s, current_question_id = NULL, answered = %(answered)s,
        assessment_id = CASE WHEN o.stored THEN (o.result->'response'->>'assessment_id')::uuid END,
        updated_at = %(now)s, ended_at = %(now)s
    FROM outcome o
    WHERE c.id = %(id)s
    RETURNING c.id
), reply AS (
    UPDATE whatsapp_messages m
    SET conversation_id = %(id)s, reply = CASE WHEN o.stored THEN %(stored_reply)s ELSE %(refused_reply)s END,
        updated_at = now()
    FROM outcome o
    WHERE m.sid = %(sid)s
    RETURNING m.sid
)
SELECT o.result, (SELECT count(*) FROM conversation) AS conversations, (SELECT count(*) FROM reply) AS replies
FROM outcome o
"""


@dataclass(frozen=True)
class Completion:
    """The two ends a completing message may have; the submission's outcome picks one."""

    conversation_id: UUID
    sid: str
    version_id: UUID
    answered: int
    stored_state: dict[str, Any]
    stored_reply: list[str]
    refused_state: dict[str, Any]
    refused_reply: list[str]


def queue_completion(conn: Connection[Any], document: Jsonb, completion: Completion, now: datetime) -> Cursor[Any]:
    """Queue the submission (``document``: its statement's parameter) with the conversation's end and the reply;
    the returned cursor's row (``result``: the submission's outcome) is read once the pipeline is synced."""
    c = completion
    params = {
        "document": document, "id": c.conversation_id, "sid": c.sid, "version_id": c.version_id,
        "answered": c.answered, "now": now, "stored_state": Jsonb(c.stored_state),
        "refused_state": Jsonb(c.refused_state), "stored_reply": Jsonb(c.stored_reply),
        "refused_reply": Jsonb(c.refused_reply),
    }  # fmt: skip
    return conn.execute(_COMPLETE, params)


# What conversations that ended without an assessment reached and answered (the whatsapp_dropoff view), counted
# once in the dashboard's funnel by the statement that ends them (see migration 0011).
_RECORD_DROPOFF = """
SELECT dashboard_record_abandoned(version_id, 'whatsapp', array_agg(question_id),
                                  coalesce(array_agg(question_id) FILTER (WHERE answered), '{}'), ended_at)
FROM whatsapp_dropoff
WHERE conversation_id = ANY(%(ids)s) AND version_id IS NOT NULL
GROUP BY conversation_id, version_id, ended_at
"""


def queue_dropoff(conn: Connection[Any], conversation_ids: list[UUID]) -> None:
    """Count these conversations, if they ended without an assessment (abandoned, or left to an enumerator), in
    the funnel; in the transaction that ends them, after the statement that does, so that each counts once."""
    conn.execute(_RECORD_DROPOFF, {"ids": conversation_ids})


def queue_reply(conn: Connection[Any], sid: str, conversation_id: UUID | None, reply: list[str]) -> None:
    conn.execute(
        "UPDATE whatsapp_messages SET conversation_id = %(c)s, reply = %(r)s, updated_at = now() WHERE sid = %(s)s",
        {"c": conversation_id, "r": Jsonb(reply), "s": sid},
    )


def queue_contact(conn: Connection[Any], phone: str, language: str, opted_out: bool, now: datetime) -> None:
    conn.execute(
        "UPDATE whatsapp_contacts SET language = %(l)s,"
        " opted_out_at = CASE WHEN %(o)s THEN coalesce(opted_out_at, %(now)s) END WHERE phone = %(p)s",
        {"l": language, "o": opted_out, "now": now, "p": phone},
    )


_CONSENT = """
INSERT INTO consent_ledger (channel, phone, conversation_id, event, source, message_sid)
VALUES ('whatsapp', %(phone)s, %(conversation_id)s, %(event)s, %(source)s, %(sid)s)
"""


def queue_consent(
    conn: Connection[Any], phone: str, conversation_id: UUID | None, event: str, source: str, sid: str | None
) -> None:
    params = {"phone": phone, "conversation_id": conversation_id, "event": event, "source": source, "sid": sid}
    conn.execute(_CONSENT, params)


def queue_followup(conn: Connection[Any], conversation_id: UUID, question_id: str, reason: str) -> None:
    conn.execute(
        "INSERT INTO whatsapp_followups (conversation_id, question_id, reason) VALUES (%s, %s, %s)"
        " ON CONFLICT (conversation_id, question_id) DO UPDATE SET resolved_at = NULL",
        (conversation_id, question_id, reason),
    )


def queue_followup_answered(conn: Connection[Any], conversation_id: UUID, question_id: str, now: datetime) -> None:
    conn.execute(
        "UPDATE whatsapp_followups SET resolved_at = %s WHERE conversation_id = %s AND question_id = %s",
        (now, conversation_id, question_id),
    )


# The invited respondent, or the channel's own (created here: no user entered it); with what the respondent told
# the conversation, and when they consented (the consent ledger says when). Channel respondents are created only
# here, under the phone's contact lock: two cannot be created for one phone.
_UPSERT_RESPONDENT = """
INSERT INTO respondents (id, name, phone, sector, language, consent_at)
VALUES (%(id)s, %(name)s, %(phone)s, %(sector)s, %(language)s, coalesce(
    (SELECT max(recorded_at) FROM consent_ledger
     WHERE conversation_id = %(conversation_id)s AND event = 'consent_given'), %(now)s))
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, sector = EXCLUDED.sector, language = EXCLUDED.language,
    consent_at = coalesce(respondents.consent_at, EXCLUDED.consent_at)
"""


def queue_respondent(conn: Connection[Any], values: dict[str, Any]) -> None:
    """The respondent ``values["id"]`` (invited, or the channel's own of this phone), created if new."""
    conn.execute(_UPSERT_RESPONDENT, values)


def sectors(db: Database) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute("SELECT code, label_en, label_fr FROM sectors ORDER BY sort_order, code").fetchall()


def active_version_id(db: Database) -> UUID | None:
    """The newest published questionnaire version."""
    row = db.fetch_one(
        "SELECT id FROM questionnaire_versions WHERE status = 'published' ORDER BY published_at DESC, version DESC"
        " LIMIT 1"
    )
    return row["id"] if row else None


# -- delivery status ------------------------------------------------------------------------------------------


def message_for_update(conn: Connection[Any], sid: str) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT sid, direction, phone, conversation_id, kind, template, request_id, status, error_code, price_usd"
        " FROM whatsapp_messages WHERE sid = %s FOR UPDATE",
        (sid,),
    ).fetchone()


def insert_outbound(
    conn: Connection[Any] | Database,
    *,
    sid: str,
    phone: str,
    conversation_id: UUID | None,
    kind: str,
    template: bool,
    request_id: str | None,
    status: str | None,
) -> None:
    """An outbound message (a REST send, or a TwiML reply first heard of by its status callback); a sid already
    recorded is left as it is."""
    sql = (
        "INSERT INTO whatsapp_messages (sid, direction, phone, conversation_id, kind, template, request_id, status)"
        " VALUES (%(sid)s, 'out', %(phone)s, %(conversation_id)s, %(kind)s, %(template)s, %(request_id)s, %(status)s)"
        " ON CONFLICT (sid) DO NOTHING RETURNING sid"
    )
    params = {"sid": sid, "phone": phone, "conversation_id": conversation_id, "kind": kind, "template": template,
              "request_id": request_id, "status": status}  # fmt: skip
    if isinstance(conn, Database):
        conn.run_statement(sql, params, idempotent=True)
    else:
        conn.execute(sql, params)


def update_status(
    conn: Connection[Any], sid: str, status: str | None, error_code: int | None, price: Decimal | None
) -> None:
    conn.execute(
        "UPDATE whatsapp_messages SET status = coalesce(%(st)s, status), error_code = coalesce(%(e)s, error_code),"
        " price_usd = coalesce(%(p)s, price_usd), updated_at = now() WHERE sid = %(sid)s",
        {"st": status, "e": error_code, "p": price, "sid": sid},
    )


def add_actual_twilio_cost(conn: Connection[Any], request_id: str) -> None:
    """The ledger row of the request that sent messages gets their real prices, as Twilio reported them."""
    conn.execute(
        "UPDATE cost_requests SET twilio_actual_usd ="
        " (SELECT sum(price_usd) FROM whatsapp_messages WHERE request_id = %(r)s AND price_usd IS NOT NULL)"
        " WHERE request_id = %(r)s",
        {"r": request_id},
    )


def opt_out(conn: Connection[Any], phone: str, now: datetime) -> bool:
    """Mark the phone opted out; False when it already was."""
    row = conn.execute(
        "INSERT INTO whatsapp_contacts (phone, opted_out_at) VALUES (%(p)s, %(now)s)"
        " ON CONFLICT (phone) DO UPDATE SET opted_out_at = %(now)s WHERE whatsapp_contacts.opted_out_at IS NULL"
        " RETURNING phone",
        {"p": phone, "now": now},
    ).fetchone()
    return row is not None


def templates_only(conn: Connection[Any], phone: str, now: datetime) -> None:
    conn.execute("UPDATE whatsapp_contacts SET template_only_since = %s WHERE phone = %s", (now, phone))


# -- invitations ----------------------------------------------------------------------------------------------


def respondent(conn: Connection[Any], respondent_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT id, name, phone, sector, language, created_by FROM respondents WHERE id = %s", (respondent_id,)
    ).fetchone()


def lock_contact(conn: Connection[Any], phone: str, language: str) -> dict[str, Any]:
    """The phone's contact row, created if missing, locked for this transaction."""
    row = conn.execute(
        "INSERT INTO whatsapp_contacts AS c (phone, language) VALUES (%(p)s, %(l)s)"
        " ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone"
        " RETURNING c.language, c.opted_out_at, c.last_inbound_at, c.template_only_since",
        {"p": phone, "l": language},
    ).fetchone()
    assert row is not None
    return row


def active_conversation(conn: Connection[Any], phone: str) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {_CONVERSATION_COLUMNS} FROM whatsapp_conversations WHERE phone = %s AND status = 'active'", (phone,)
    ).fetchone()


def link_respondent(conn: Connection[Any], conversation_id: UUID, respondent_id: UUID) -> None:
    """A conversation the respondent started themselves belongs to the respondent someone invites or reminds."""
    conn.execute(
        "UPDATE whatsapp_conversations SET respondent_id = coalesce(respondent_id, %s) WHERE id = %s",
        (respondent_id, conversation_id),
    )


def conversation(conn: Connection[Any], conversation_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {_CONVERSATION_COLUMNS}, phone FROM whatsapp_conversations WHERE id = %s", (conversation_id,)
    ).fetchone()


# -- idle conversations ---------------------------------------------------------------------------------------

# Conversations whose phone is busy with a message right now are left for the next run (SKIP LOCKED): a message
# and the closing never cross.
_CLOSE_IDLE = """
WITH idle AS (
    SELECT k.phone FROM whatsapp_contacts k
    JOIN whatsapp_conversations c ON c.phone = k.phone AND c.status = 'active' AND c.updated_at < %(cutoff)s
    FOR UPDATE OF k SKIP LOCKED
)
UPDATE whatsapp_conversations c
SET status = 'abandoned', ended_at = %(now)s, updated_at = %(now)s
FROM idle
WHERE c.phone = idle.phone AND c.status = 'active' AND c.updated_at < %(cutoff)s
RETURNING c.id
"""


def close_idle(conn: Connection[Any], cutoff: datetime, now: datetime) -> list[UUID]:
    """Close the idle conversations as abandoned and count them in the dashboard's funnel."""
    closed = [r["id"] for r in conn.execute(_CLOSE_IDLE, {"cutoff": cutoff, "now": now}).fetchall()]
    if closed:
        queue_dropoff(conn, closed)
    return closed
