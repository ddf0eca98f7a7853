"""Questionnaire use cases: import, publish, new drafts, editing drafts, and the questions clients show."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth.principal import Principal
from shared.db import Database
from shared.db.errors import register_constraint
from shared.errors import Conflict, NotFound, ValidationFailed, problem
from shared.i18n import pick, pick_from
from shared.questionnaires import repository
from shared.questionnaires.content import VersionContent
from shared.questionnaires.definition import QuestionDef, QuestionnaireDef
from shared.questionnaires.models import (
    ImportResult,
    OptionPublic,
    QuestionnaireList,
    QuestionnairePublic,
    QuestionnaireRef,
    QuestionPublic,
    QuestionsPublic,
    SectorList,
    SectorPublic,
)
from shared.request_context import RequestContext
from shared.runtime import Runtime

register_constraint("published_version_immutable", Conflict, "A published version cannot change; make a new draft.")
register_constraint(
    "questionnaire_versions_one_draft", Conflict, "This questionnaire already has a draft; publish or edit it."
)
register_constraint("questions_code_unique", Conflict, "A question with this code already exists in the version.")


# Published versions never change (the database refuses it), so an execution environment keeps the ones it used;
# the time only bounds how long one nobody asks for stays in memory.
PUBLISHED_TTL_S = 3600


def _published(content: VersionContent | None) -> bool:
    return content is not None and content.status == "published"


def published_version(rt: Runtime, version_id: UUID, conn: Connection[Any] | None = None) -> VersionContent | None:
    """A published version, from this environment's memo once loaded; None when there is no such version or it
    is not published. Read in ``conn`` when the caller is in a transaction, else in a read-only one of its own."""

    def load() -> VersionContent | None:
        if conn is not None:
            return repository.load_version(conn, version_id)
        with rt.db.transaction(read_only=True) as own:
            return repository.load_version(own, version_id)

    found = rt.memo(f"published-version:{version_id}", PUBLISHED_TTL_S, load, keep=_published)
    return found if _published(found) else None


def _invalid(problems: list[dict[str, Any]]) -> ValidationFailed:
    return ValidationFailed("The questionnaire is invalid.", details=problems)


def import_definition(
    db: Database, actor: Principal | None, definition: QuestionnaireDef, ctx: RequestContext, *, publish: bool = False
) -> ImportResult:
    """Store a definition as a new draft (a new questionnaire, or the next version of one with its code).

    Validated in full before anything is written. Raises ValidationFailed, Conflict (a draft exists)."""
    problems = definition.problems()
    if problems:
        raise _invalid(problems)
    actor_id = actor.id if actor else None

    def work(conn: Connection[Any]) -> ImportResult:
        questionnaire_id = repository.questionnaire_by_code(conn, definition.code, for_update=True)
        if questionnaire_id is None:
            questionnaire_id = repository.insert_questionnaire(conn, definition.code, actor_id)
        number = repository.next_version_number(conn, questionnaire_id)
        version_id = repository.insert_version(conn, questionnaire_id, number, definition)
        if publish:
            repository.publish(conn, version_id)
        audit.record(
            conn,
            AuditEntry(action="questionnaire.import", actor_id=actor_id, actor_email=actor.email if actor else None,
                       target_type="questionnaire_version", target_id=str(version_id),
                       details={"code": definition.code, "version": number, "published": publish}),
            ctx,
        )  # fmt: skip
        return ImportResult(
            questionnaire_id=questionnaire_id, version_id=version_id, version=number,
            status="published" if publish else "draft", skills=len(definition.skills),
            questions=len(definition.questions),
        )  # fmt: skip

    return db.run_in_transaction(work)


def _version_of(conn: Connection[Any], questionnaire_id: UUID, version_id: UUID) -> VersionContent:
    content = repository.load_version(conn, version_id)
    if content is None or content.questionnaire_id != questionnaire_id:
        raise NotFound("No such questionnaire version.")
    return content


def publish(
    db: Database, actor: Principal, questionnaire_id: UUID, version_id: UUID, ctx: RequestContext
) -> ImportResult:
    """Publish a draft; from then on it is immutable. Raises NotFound, Conflict, ValidationFailed."""

    def work(conn: Connection[Any]) -> ImportResult:
        head = repository.version_head(conn, version_id, for_update=True)
        if head is None or head["questionnaire_id"] != questionnaire_id:
            raise NotFound("No such questionnaire version.")
        if head["status"] == "published":
            raise Conflict("This version is already published.")
        content = _version_of(conn, questionnaire_id, version_id)
        try:
            problems = content.to_definition().problems()
        except ValueError as exc:  # pydantic: e.g. no questions left in the draft
            problems = [problem([], str(exc), "definition")]
        if problems:
            raise _invalid(problems)
        repository.publish(conn, version_id)
        audit.record(
            conn,
            AuditEntry(action="questionnaire.publish", actor_id=actor.id, actor_email=actor.email,
                       target_type="questionnaire_version", target_id=str(version_id)),
            ctx,
        )  # fmt: skip
        return ImportResult(
            questionnaire_id=questionnaire_id, version_id=version_id, version=content.version, status="published",
            skills=len(content.skills), questions=len(content.questions),
        )  # fmt: skip

    return db.run_in_transaction(work)


def new_draft(
    db: Database, actor: Principal, questionnaire_id: UUID, version_id: UUID, ctx: RequestContext
) -> ImportResult:
    """A new draft copied from a published version. Raises NotFound, Conflict (not published, draft exists)."""

    def work(conn: Connection[Any]) -> ImportResult:
        content = _version_of(conn, questionnaire_id, version_id)
        if content.status != "published":
            raise Conflict("Make drafts from published versions; edit the draft itself instead.")
        number = repository.next_version_number(conn, questionnaire_id)
        new_id = repository.insert_version(conn, questionnaire_id, number, content.to_definition(), version_id)
        audit.record(
            conn,
            AuditEntry(action="questionnaire.draft", actor_id=actor.id, actor_email=actor.email,
                       target_type="questionnaire_version", target_id=str(new_id),
                       details={"from_version": content.version}),
            ctx,
        )  # fmt: skip
        return ImportResult(
            questionnaire_id=questionnaire_id, version_id=new_id, version=number, status="draft",
            skills=len(content.skills), questions=len(content.questions),
        )  # fmt: skip

    return db.run_in_transaction(work)


def _draft_for_edit(conn: Connection[Any], version_id: UUID) -> VersionContent:
    head = repository.version_head(conn, version_id, for_update=True)
    if head is None:
        raise NotFound("No such questionnaire version.")
    if head["status"] != "draft":
        raise Conflict("A published version cannot change; make a new draft.")
    content = repository.load_version(conn, version_id)
    assert content is not None
    return content


def _check_edit(content: VersionContent, questions: list[QuestionDef], index: int) -> None:
    base = content.to_definition()
    problems = base.model_copy(update={"questions": questions}).problems()
    problems = [
        problem(["body", "question", *p["loc"][2:]], p["message"], p["type"])
        if p["loc"][:2] == ["questions", index]
        else p
        for p in problems
    ]
    if problems:
        raise _invalid(problems)


def add_question(db: Database, version_id: UUID, question: QuestionDef, position: int | None) -> QuestionPublic:
    """Add a question to a draft. Raises NotFound, Conflict (published), ValidationFailed."""

    def work(conn: Connection[Any]) -> QuestionPublic:
        content = _draft_for_edit(conn, version_id)
        questions = [q for q in content.to_definition().questions]
        at = len(questions) if position is None else min(position, len(questions))
        questions.insert(at, question)
        _check_edit(content, questions, at)
        skill_id = next(s.id for s in content.skills if s.code == question.skill)
        repository.shift_positions(conn, version_id, at)
        question_id = repository.insert_question(conn, version_id, skill_id, question, at)
        added = repository.load_version(conn, version_id)
        assert added is not None
        return _public(added.by_id[question_id], "en", scoring=True)

    return db.run_in_transaction(work)


def update_question(db: Database, question_id: UUID, question: QuestionDef) -> QuestionPublic:
    def work(conn: Connection[Any]) -> QuestionPublic:
        head = repository.question_head(conn, question_id)
        if head is None:
            raise NotFound("No such question.")
        content = _draft_for_edit(conn, head["version_id"])
        questions = content.to_definition().questions
        index = [q.id for q in content.questions].index(question_id)
        questions[index] = question
        _check_edit(content, questions, index)
        skill_id = next(s.id for s in content.skills if s.code == question.skill)
        repository.update_question(conn, question_id, skill_id, question)
        updated = repository.load_version(conn, head["version_id"])
        assert updated is not None
        return _public(updated.by_id[question_id], "en", scoring=True)

    return db.run_in_transaction(work)


def delete_question(db: Database, question_id: UUID) -> None:
    def work(conn: Connection[Any]) -> None:
        head = repository.question_head(conn, question_id)
        if head is None:
            raise NotFound("No such question.")
        content = _draft_for_edit(conn, head["version_id"])
        code = content.by_id[question_id].code
        dependants = [q.code for q in content.questions if q.show_if and q.show_if.get("question") == code]
        if dependants:
            raise Conflict(f"Questions {', '.join(dependants)} are shown depending on this one.")
        repository.delete_question(conn, question_id)

    db.run_in_transaction(work)


def _public(q: Any, lang: str, scoring: bool) -> QuestionPublic:
    return QuestionPublic(
        id=q.id, code=q.code, skill=q.skill_code, type=q.type, label=q.label(lang), required=q.required,
        min=q.min, max=q.max,
        options=[OptionPublic(code=o.code, label=pick(lang, o.label_en, o.label_fr), score=o.score if scoring else None)
                 for o in q.options],
        show_if=q.show_if, weight=q.weight if scoring else None,
    )  # fmt: skip


def questions(
    db: Database, questionnaire_id: UUID | None, version: int | None, lang: str, *, scoring: bool = False
) -> QuestionsPublic:
    """The active published version's questions, or those of the version asked for; with ``scoring``, the
    weights and option scores too (for an editor, who gives them again when a question is edited). Raises
    NotFound."""
    with db.transaction(read_only=True) as conn:
        version_id = repository.active_version_id(conn, questionnaire_id, version)
        content = repository.load_version(conn, version_id) if version_id else None
    if content is None:
        raise NotFound("No published questionnaire matches." if version is None else "No such version.")
    return QuestionsPublic(
        questionnaire=QuestionnaireRef(
            id=content.questionnaire_id,
            version_id=content.id,
            title=content.title(lang),
            version=content.version,
            status=content.status,  # type: ignore[arg-type]
        ),
        questions=[_public(q, lang, scoring) for q in content.questions],
    )


def list_questionnaires(db: Database) -> QuestionnaireList:
    with db.transaction(read_only=True) as conn:
        rows = repository.list_questionnaires(conn)
    return QuestionnaireList(items=[QuestionnairePublic.model_validate(r) for r in rows])


def get_questionnaire(db: Database, questionnaire_id: UUID) -> QuestionnairePublic:
    with db.transaction(read_only=True) as conn:
        rows = repository.list_questionnaires(conn, questionnaire_id)
    if not rows:
        raise NotFound("No such questionnaire.")
    return QuestionnairePublic.model_validate(rows[0])


def sectors(db: Database, lang: str) -> SectorList:
    with db.transaction(read_only=True) as conn:
        rows = repository.list_sectors(conn)
    return SectorList(items=[SectorPublic(label=pick_from(r, lang), **r) for r in rows])
