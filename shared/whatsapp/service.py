"""WhatsApp use cases: an inbound message, a delivery status, an invitation, closing idle conversations.

An inbound message is one transaction in two round trips (pipeline mode): record the MessageSid, lock the
phone's contact row and read its conversation; then the pure state machine (shared.whatsapp.conversation)
decides; then the new state, the ledger rows and the reply are written with the COMMIT. A completed
questionnaire goes through the shared submission (the document of shared.assessments.service, idempotent by
conversation) in the same transaction, still in two round trips: the statement travels with the COMMIT, together
with the conversation's end and the reply, both worked out beforehand for either outcome (the results from the
scores the document carries); which one it was is read after the COMMIT. The assessment and the conversation's end
commit together or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from psycopg import Connection, Cursor

from shared.assessments import scoring
from shared.assessments import service as assessments
from shared.assessments.models import AnswerIn, RespondentRef, SubmissionCreate
from shared.auth.permissions import sees_only_own_records
from shared.auth.principal import Principal
from shared.errors import Conflict, NotFound
from shared.outbox.service import kick_relay
from shared.questionnaires.content import VersionContent
from shared.questionnaires.service import published_version
from shared.request_context import RequestContext
from shared.runtime import Runtime
from shared.runtime.meter import Component
from shared.whatsapp import conversation as machine
from shared.whatsapp import repository
from shared.whatsapp.models import InboundMessage, Invitation, StatusCallback
from shared.whatsapp.paths import STATUS_PATH
from shared.whatsapp.texts import split_message, text

logger = logging.getLogger(__name__)

REFERENCE_TTL_S = 60  # sectors and the active questionnaire version, per execution environment
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
# A message's status only moves forward; failed and undelivered rank with each other.
STATUS_RANK = {"received": 0, "receiving": 0, "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
               "failed": 4, "undelivered": 4, "canceled": 4, "delivered": 5, "read": 6}  # fmt: skip
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
_ENDED_STAGE = {"completed": "done"}  # a conversation's status -> the stage it ended at
OUTSIDE_WINDOW = 63016
OPTED_OUT = 21610


def session_key(conversation_id: UUID) -> str:
    """The cost ledger's session of a conversation: every request of it counts towards its assessment."""
    return f"whatsapp:{conversation_id}"


def _actor(phone: str) -> str:
    # Pseudonymous: the ledger groups a respondent's requests without holding their phone number.
    return "whatsapp:" + hashlib.sha256(phone.encode()).hexdigest()[:16]


# -- inbound messages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    messages: list[str]  # each one WhatsApp message of the reply (empty: say nothing)
    conversation_id: UUID | None
    repeated: bool  # a MessageSid seen before: the stored reply, nothing changed
    submitted: bool = False  # it completed the questionnaire: an assessment (and its outbox event) was stored


class _Repeated(Exception):
    def __init__(self, received: Received) -> None:
        self.received = received


def _sectors(rt: Runtime) -> tuple[machine.Sector, ...]:
    rows = rt.memo("whatsapp:sectors", REFERENCE_TTL_S, lambda: repository.sectors(rt.db))
    return tuple(machine.Sector(r["code"], r["label_en"], r["label_fr"]) for r in rows)


def _active_version_id(rt: Runtime) -> UUID | None:
    found: UUID | None = rt.memo(
        "whatsapp:active-version", REFERENCE_TTL_S, lambda: repository.active_version_id(rt.db)
    )
    return found


def receive(rt: Runtime, message: InboundMessage, ctx: RequestContext) -> Received:
    """Handle one inbound message and answer its reply. Raises DatabaseUnavailable, ConcurrencyConflict."""
    sectors = _sectors(rt)
    active_version = _active_version_id(rt)
    if active_version is not None:
        published_version(rt, active_version)  # loaded once per environment, outside the message's transaction
    try:
        handled = rt.db.run_pipelined(lambda conn: _receive(rt, conn, message, ctx, sectors, active_version))
    except _Repeated as repeated:  # rolled back: a repeated delivery changes nothing
        received = repeated.received
    else:
        received = _completed(rt, handled) if isinstance(handled, _Completing) else handled
        rt.meter.count(Component.TWILIO_MESSAGE)  # the message in
        if received.submitted:  # committed: the dashboard hears of it now, not at the relay's sweep
            kick_relay(rt, "assessment.submitted")
    rt.meter.count(Component.TWILIO_MESSAGE, len(received.messages))  # the replies out
    if received.conversation_id is not None:
        rt.meter.attribute(session_key=session_key(received.conversation_id), actor=_actor(message.phone))
    else:
        rt.meter.attribute(actor=_actor(message.phone))
    return received


@dataclass(frozen=True)
class _Completing:
    """A completing message, committed: the submission statement's cursor (read now that the pipeline is synced)
    and the reply for each of its outcomes."""

    statement: Cursor[Any]
    conversation_id: UUID
    stored: list[str]
    refused: list[str]


def _completed(rt: Runtime, completing: _Completing) -> Received:
    row = completing.statement.fetchone()
    assert row is not None
    result = row["result"]
    if result["outcome"] not in ("created", "replayed"):
        logger.error(
            "a completed WhatsApp questionnaire was refused by the submission; an enumerator follows up",
            extra={"conversation_id": str(completing.conversation_id), "outcome": result["outcome"]},
        )
        return Received(completing.refused, completing.conversation_id, repeated=False)
    rt.meter.attribute(assessment_id=result["response"]["assessment_id"])
    return Received(
        completing.stored, completing.conversation_id, repeated=False, submitted=result["outcome"] == "created"
    )


def _receive(
    rt: Runtime,
    conn: Connection[Any],
    message: InboundMessage,
    ctx: RequestContext,
    sectors: tuple[machine.Sector, ...],
    active_version: UUID | None,
) -> Received | _Completing:
    now = rt.clock.now()
    phone = message.phone
    claimed = repository.claim(conn, message.message_sid, phone, ctx.invocation_id, now)
    if not claimed.inserted:
        # Nothing to keep: the ROLLBACK goes with the pipeline's closing sync (no third round trip).
        conn.execute("ROLLBACK")
        raise _Repeated(Received(claimed.stored_reply or [], claimed.stored_conversation, repeated=True))

    row = claimed.conversation
    active = row if row is not None and row["status"] == "active" else None
    state = machine.State.from_json(active["state"]) if active else None
    version_id = (active["version_id"] if active else None) or active_version
    version = published_version(rt, version_id, conn) if version_id is not None else None
    paused = active is not None and now - active["updated_at"] > timedelta(
        minutes=rt.settings.whatsapp_resume_after_minutes
    )
    step = machine.step(
        state,
        machine.Message(message.body, has_media=message.num_media > 0, after_pause=paused),
        machine.Survey(version, sectors),
        opted_out=claimed.opted_out,
        last_ended=_ENDED_STAGE.get(row["status"], row["status"]) if row is not None and active is None else None,
        language="fr" if claimed.language == "fr" else "en",
    )

    conversation_id: UUID | None = active["id"] if active else (uuid.uuid4() if step.state is not None else None)
    replies = [part for part in step.replies if part]
    final = step.state
    status = "active"
    if final is not None:
        status = {"done": "completed", "declined": "declined", "followup": "followup"}.get(final.stage, "active")
    completed = next((e for e in step.events if isinstance(e, machine.Completed)), None)
    completing: _Completing | None = None
    if completed is not None and final is not None and version is not None and active is not None:
        completing = _complete(rt, conn, ctx, message, active, final, version, completed, claimed, replies, now)
        if completing is None:  # refused before the statement: an enumerator takes over, the respondent is told so
            final = replace(final, stage="followup")
            status = "followup"
            replies.append(text(final.language, "followup_end", name=final.name or ""))

    messages = _messages(replies)
    if completing is None and final is not None and conversation_id is not None:
        question = final.question if final.stage == "question" else None
        repository.queue_conversation(
            conn,
            repository.ConversationRow(
                id=conversation_id, phone=phone, status=status,
                version_id=version.id if version is not None else None,
                state=final.to_json(), current_question_id=question, answered=len(final.answers),
                invited_by=active["invited_by"] if active else None,
                respondent_id=active["respondent_id"] if active else None,
            ),
            new=active is None, now=now,
        )  # fmt: skip
    if completing is None:
        repository.queue_reply(conn, message.message_sid, conversation_id if final is not None else None, messages)
    if conversation_id is not None and (status == "followup" or completing is not None):
        repository.queue_dropoff(conn, [conversation_id])  # ended without an assessment: the funnel counts it
    language = final.language if final is not None else claimed.language
    if (language, step.opted_out) != (claimed.language, claimed.opted_out):
        repository.queue_contact(conn, phone, language, step.opted_out, now)
    for event in step.events:
        match event:
            case machine.ConsentEvent(event=kind):
                ledger_conversation = conversation_id if final is not None else None
                repository.queue_consent(conn, phone, ledger_conversation, kind, "respondent", message.message_sid)
            case machine.FollowUp(question_id=qid, reason=reason) if conversation_id is not None:
                repository.queue_followup(conn, conversation_id, qid, reason)
            case machine.FollowUpAnswered(question_id=qid) if conversation_id is not None:
                repository.queue_followup_answered(conn, conversation_id, qid, now)
    if completing is not None:
        return completing
    return Received(messages, conversation_id if final is not None else None, repeated=False)


def _messages(replies: list[str]) -> list[str]:
    """The reply as WhatsApp messages: its parts in one message, split when too long; none when empty."""
    return [m for part in ("\n\n".join(replies),) if part for m in split_message(part)]


def _complete(
    rt: Runtime,
    conn: Connection[Any],
    ctx: RequestContext,
    message: InboundMessage,
    active: dict[str, Any],
    state: machine.State,
    version: VersionContent,
    completed: machine.Completed,
    claimed: repository.Claimed,
    replies: list[str],
    now: datetime,
) -> _Completing | None:
    """Queue the shared submission with the conversation's end and the reply, to travel with the COMMIT (the
    message's second round trip); None when the answers are refused before it (logged: an enumerator follows
    up)."""
    conversation_id: UUID = active["id"]
    answers = [(UUID(qid), value) for qid, value in completed.answers]
    problems = scoring.validate(version, answers)
    if problems:  # what the submission would refuse, found without asking the database
        logger.error(
            "a completed WhatsApp questionnaire was refused by the submission; an enumerator follows up",
            extra={"conversation_id": str(conversation_id), "problems": problems},
        )
        return None
    invited = active["respondent_id"]
    respondent_id = invited or claimed.respondent_id or uuid.uuid4()
    repository.queue_respondent(
        conn,
        {"id": respondent_id, "name": state.name, "phone": message.phone, "sector": state.sector,
         "language": state.language, "conversation_id": conversation_id, "now": now},
    )  # fmt: skip
    body = SubmissionCreate(
        questionnaire_version_id=version.id,
        respondent=RespondentRef(id=respondent_id),
        answers=[AnswerIn(question_id=q, value=value) for q, value in answers],
        channel="whatsapp",
        # An invitation may open a conversation before the version it ends with was published.
        started_at=max((d for d in (active["started_at"], version.published_at) if d), default=None),
    )
    # Idempotent by conversation: its id is the key, in the conversation's own scope.
    caller = assessments.Caller(scope=session_key(conversation_id))
    document = assessments.statement_document(rt, caller, str(conversation_id), body, ctx)
    (parameter,) = assessments.statement_parameters(document)
    # A replay (the same conversation's answers, hence the same scores) and a creation both answer with the results.
    stored = _messages([*replies, machine.results(state, version, document["response"])])
    refused = _messages([*replies, text(state.language, "followup_end", name=state.name or "")])
    statement = repository.queue_completion(
        conn,
        parameter,
        repository.Completion(
            conversation_id=conversation_id, sid=message.message_sid, version_id=version.id,
            answered=len(state.answers), stored_state=state.to_json(), stored_reply=stored,
            refused_state=replace(state, stage="followup").to_json(), refused_reply=refused,
        ),
        now,
    )  # fmt: skip
    return _Completing(statement, conversation_id, stored, refused)


def twiml(messages: list[str], status_callback: str | None) -> str:
    """The webhook's answer: one <Message> per reply message (Twilio posts their delivery status to
    ``status_callback``), an empty <Response/> when there is nothing to say."""
    from twilio.twiml.messaging_response import MessagingResponse

    if not messages:
        return EMPTY_TWIML
    response = MessagingResponse()
    for body in messages:
        response.message(body, action=status_callback, method="POST" if status_callback else None)
    return str(response.to_xml(xml_declaration=True))


def status_callback_url(rt: Runtime, ctx: RequestContext) -> str:
    """Where Twilio reports the delivery of this request's replies; the request id lets their real price reach
    this request's ledger row (the URL, query included, is what Twilio signs)."""
    base = rt.twilio.webhook_url(STATUS_PATH)
    return f"{base}?request={ctx.invocation_id}" if ctx.invocation_id else base


# -- delivery status ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resend:
    conversation_id: UUID
    phone: str
    kind: str


def record_status(rt: Runtime, callback: StatusCallback, request_ref: str | None) -> None:
    """A delivery status: it only moves forward; the real price reaches the sending request's ledger row; 21610
    (the recipient opted out) stops every message to them; 63016 (outside the 24-hour window) switches the phone
    to templates and sends a refused invitation or reminder again as one. Idempotent."""
    now = rt.clock.now()

    def work(conn: Connection[Any]) -> _Resend | None:
        row = repository.message_for_update(conn, callback.message_sid)
        if row is None:  # a TwiML reply, first heard of here
            if callback.recipient is None:
                return None
            repository.insert_outbound(
                conn, sid=callback.message_sid, phone=callback.recipient.removeprefix("whatsapp:"),
                conversation_id=None, kind="reply", template=False, request_id=request_ref, status=None,
            )  # fmt: skip
            row = repository.message_for_update(conn, callback.message_sid)
            assert row is not None
        forward = STATUS_RANK.get(callback.status, 0) > STATUS_RANK.get(row["status"] or "", -1)
        price = abs(callback.price) if callback.price is not None and (callback.price_unit or "USD") == "USD" else None
        new_price = price is not None and row["price_usd"] is None
        repository.update_status(
            conn, callback.message_sid, callback.status if forward else None,
            callback.error_code if forward else None, price if new_price else None,
        )  # fmt: skip
        if new_price and row["request_id"]:
            repository.add_actual_twilio_cost(conn, row["request_id"])
        if not forward:
            return None
        phone = row["phone"]
        if callback.error_code == OPTED_OUT and repository.opt_out(conn, phone, now):
            repository.queue_consent(conn, phone, row["conversation_id"], "opted_out", "twilio", callback.message_sid)
        if callback.error_code == OUTSIDE_WINDOW:
            repository.templates_only(conn, phone, now)
            if row["kind"] in ("invitation", "reminder") and not row["template"] and row["conversation_id"]:
                return _Resend(row["conversation_id"], phone, row["kind"])
        return None

    resend = rt.db.run_in_transaction(work)
    if resend is not None:
        _resend_as_template(rt, resend, request_ref)


def _resend_as_template(rt: Runtime, resend: _Resend, request_ref: str | None) -> None:
    def work(conn: Connection[Any]) -> tuple[dict[str, Any], machine.State] | None:
        row = repository.conversation(conn, resend.conversation_id)
        if row is None or row["status"] != "active":
            return None
        return row, machine.State.from_json(row["state"])

    found = rt.db.run_in_transaction(work, read_only=True)
    if found is None:
        return
    row, state = found
    _send(rt, resend.phone, resend.conversation_id, state, row["version_id"], template=True, request_id=request_ref)


# -- invitations and reminders --------------------------------------------------------------------------------


def _progress_text(rt: Runtime, state: machine.State, version_id: UUID | None) -> str:
    version = published_version(rt, version_id) if version_id else None
    question = version.by_id.get(UUID(state.question)) if version and state.question else None
    if version is None or question is None:
        return text(state.language, "status_start")
    number, total = machine.progress(version, state.answers, question)
    return f"Q{number}/{total}"


def _send(
    rt: Runtime,
    phone: str,
    conversation_id: UUID,
    state: machine.State,
    version_id: UUID | None,
    *,
    template: bool,
    request_id: str | None,
) -> Invitation:
    kind: Literal["invitation", "reminder"] = "invitation" if state.stage == "consent" else "reminder"
    name = state.name or ""
    progress = _progress_text(rt, state, version_id) if kind == "reminder" else ""
    callback = rt.twilio.webhook_url(STATUS_PATH)
    if template:
        config = rt.twilio
        content_sid = config.invite_content_sid if kind == "invitation" else config.reminder_content_sid
        if not content_sid:
            raise Conflict(
                "The respondent is outside WhatsApp's 24-hour window and no Content template is configured for "
                f"{kind}s (TWILIO_{kind.upper()}_CONTENT_SID)."
            )
        variables = {"1": name} if kind == "invitation" else {"1": name, "2": progress}
        sent = rt.messages.send(phone, content_sid=content_sid, variables=variables, status_callback=callback)
    else:
        body = text(state.language, kind, name=name, progress=progress)
        sent = rt.messages.send(phone, body=body, status_callback=callback)
    repository.insert_outbound(
        rt.db, sid=sent.sid, phone=phone, conversation_id=conversation_id, kind=kind, template=template,
        request_id=request_id, status=sent.status if sent.status in STATUS_RANK else None,
    )  # fmt: skip
    return Invitation(
        message_sid=sent.sid, status=sent.status, kind=kind, template=template, conversation_id=conversation_id
    )


def invite(rt: Runtime, principal: Principal, respondent_id: UUID, ctx: RequestContext) -> Invitation:
    """Invite a respondent to the WhatsApp assessment, or remind them of the one under way: free-form inside
    WhatsApp's 24-hour window, a Content template outside it. Raises NotFound (no such respondent, or not one
    of an enumerator's own), Conflict (opted out; no template configured), MessageRefused,
    ServiceUnavailable."""
    now = rt.clock.now()

    def work(conn: Connection[Any]) -> tuple[UUID, machine.State, UUID | None, bool, str]:
        found = repository.respondent(conn, respondent_id)
        if found is None or (sees_only_own_records(principal.role) and found["created_by"] != principal.id):
            raise NotFound("No such respondent.")
        contact = repository.lock_contact(conn, found["phone"], found["language"])
        if contact["opted_out_at"] is not None:
            raise Conflict("The respondent opted out of WhatsApp messages; they can opt back in by sending START.")
        row = repository.active_conversation(conn, found["phone"])
        if row is None:
            conversation_id = uuid.uuid4()
            state = machine.begin(found["language"], name=found["name"], sector=found["sector"])
            repository.queue_conversation(
                conn,
                repository.ConversationRow(
                    id=conversation_id, phone=found["phone"], status="active", version_id=None,
                    state=state.to_json(), current_question_id=None, answered=0, invited_by=principal.id,
                    respondent_id=respondent_id,
                ),
                new=True, now=now,
            )  # fmt: skip
            version_id = None
        else:
            conversation_id, state, version_id = row["id"], machine.State.from_json(row["state"]), row["version_id"]
            repository.link_respondent(conn, conversation_id, respondent_id)
        last_in, closed_since = contact["last_inbound_at"], contact["template_only_since"]
        inside = last_in is not None and now - last_in < WINDOW and (closed_since is None or last_in > closed_since)
        return conversation_id, state, version_id, not inside, found["phone"]

    conversation_id, state, version_id, template, phone = rt.db.run_in_transaction(work)
    rt.meter.attribute(session_key=session_key(conversation_id))
    return _send(rt, phone, conversation_id, state, version_id, template=template, request_id=ctx.invocation_id)


# -- idle conversations ---------------------------------------------------------------------------------------


def close_idle(rt: Runtime) -> list[UUID]:
    """Close conversations idle longer than the setting as abandoned; their answers stay for the drop-off
    funnel."""
    now: datetime = rt.clock.now()
    cutoff = now - timedelta(hours=rt.settings.whatsapp_idle_hours)
    return rt.db.run_in_transaction(lambda conn: repository.close_idle(conn, cutoff, now))
