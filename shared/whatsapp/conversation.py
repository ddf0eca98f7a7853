"""The WhatsApp conversation as a pure state machine: (state, message) -> (state, replies, events).

No I/O, no clock: the service loads the state under a row lock, calls ``step``, then stores the new state, the
events (consent ledger rows, follow-ups, the completed submission) and the replies in the same transaction.

Stages: consent -> name -> sector -> question (one at a time, show-if rules applied) -> done (submitted) or
followup (a required answer is left to an enumerator); declined ends at consent; restart waits for a
confirmation. Keywords, in either language, by precedence STOP > HELP > RESTART > BACK > the rest (STATUS,
LANG, START/HI, CONTINUE, SKIP) > an answer. Opting out (STOP) belongs to the phone, not the conversation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from uuid import UUID

from shared.assessments.scoring import MAX_TEXT, is_shown
from shared.i18n import Lang, pick, pick_from
from shared.questionnaires.content import Question, VersionContent
from shared.whatsapp.texts import ENGLISH_WORDS, FRENCH_WORDS, KEYWORDS, text

Stage = Literal["consent", "name", "sector", "question", "restart", "done", "declined", "followup"]
ENDED: frozenset[str] = frozenset({"done", "declined", "followup"})
MAX_NAME = 200
MAX_ATTEMPTS = 3  # a hint, then the question again, then skip it or leave it to an enumerator


@dataclass(frozen=True)
class Sector:
    code: str
    label_en: str
    label_fr: str

    def label(self, lang: str) -> str:
        return pick(lang, self.label_en, self.label_fr)


@dataclass(frozen=True)
class Survey:
    """What the conversation asks: the pinned questionnaire version (None: none is published) and the sectors."""

    version: VersionContent | None
    sectors: tuple[Sector, ...]


@dataclass(frozen=True)
class State:
    stage: Stage = "consent"
    language: Lang = "en"
    name: str | None = None
    sector: str | None = None
    question: str | None = None  # the current question's id, at stage "question"
    answers: dict[str, Any] = field(default_factory=dict)  # question id -> value, as submissions take it
    attempts: int = 0  # invalid replies to the current prompt
    skipped: tuple[str, ...] = ()
    followups: tuple[str, ...] = ()  # required questions left to an enumerator
    back_to: Stage | None = None  # stage "restart": where NO returns

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage, "language": self.language, "name": self.name, "sector": self.sector,
            "question": self.question, "answers": self.answers, "attempts": self.attempts,
            "skipped": list(self.skipped), "followups": list(self.followups), "back_to": self.back_to,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        return cls(
            stage=data["stage"], language=data.get("language", "en"), name=data.get("name"),
            sector=data.get("sector"), question=data.get("question"), answers=dict(data.get("answers") or {}),
            attempts=int(data.get("attempts", 0)), skipped=tuple(data.get("skipped") or ()),
            followups=tuple(data.get("followups") or ()), back_to=data.get("back_to"),
        )  # fmt: skip


@dataclass(frozen=True)
class Message:
    text: str
    has_media: bool = False
    after_pause: bool = False  # the conversation sat idle longer than the resume threshold


# -- what a step asks the service to record -------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentEvent:
    event: Literal["consent_given", "consent_declined", "opted_out", "opted_in"]


@dataclass(frozen=True)
class FollowUp:
    question_id: str
    reason: str


@dataclass(frozen=True)
class FollowUpAnswered:
    question_id: str


@dataclass(frozen=True)
class Completed:
    """Submit these answers (question id, value), in questionnaire order."""

    answers: tuple[tuple[str, Any], ...]


Event = ConsentEvent | FollowUp | FollowUpAnswered | Completed


@dataclass(frozen=True)
class Step:
    state: State | None  # None: no conversation (nothing to store)
    replies: tuple[str, ...]  # sent as one message (split when too long); empty: say nothing
    events: tuple[Event, ...] = ()
    opted_out: bool = False  # the phone's opt-out after this message


# -- reading a message ----------------------------------------------------------------------------------------


def normalized(raw: str) -> str:
    """Lower case, no accents, single spaces, no surrounding punctuation: how keywords and options are matched."""
    decomposed = unicodedata.normalize("NFKD", raw)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(plain.split()).strip(" .!?¡¿,;:'\"*_~")


def keyword(raw: str) -> tuple[str | None, str]:
    """The keyword a message is (by its first word, the rest must be short), and what follows it."""
    words = normalized(raw).split(" ")
    if not words or len(words) > 2:
        return None, ""
    for name, spellings in KEYWORDS.items():
        if words[0] in spellings:
            return name, words[1] if len(words) > 1 else ""
    return None, ""


def language_of(word: str, current: Lang) -> Lang:
    """The language a word names or is written in (bonjour, francais, english...), else ``current``."""
    if word in FRENCH_WORDS or word in ("fr", "francais"):
        return "fr"
    if word in ENGLISH_WORDS or word in ("en", "english"):
        return "en"
    return current


# -- the questionnaire, one question at a time ----------------------------------------------------------------


def _given(version: VersionContent, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers by question code, as show-if rules name them."""
    return {version.by_id[UUID(qid)].code: value for qid, value in answers.items() if UUID(qid) in version.by_id}


def _shown(version: VersionContent, answers: dict[str, Any]) -> list[Question]:
    given = _given(version, answers)
    return [q for q in version.questions if is_shown(q, given)]


def next_question(version: VersionContent, answers: dict[str, Any], after: int = -1) -> Question | None:
    """The first question after position ``after`` that the answers so far show."""
    given = _given(version, answers)
    return next((q for q in version.questions if q.position > after and is_shown(q, given)), None)


def previous_question(version: VersionContent, answers: dict[str, Any], before: int) -> Question | None:
    given = _given(version, answers)
    earlier = [q for q in version.questions if q.position < before and is_shown(q, given)]
    return earlier[-1] if earlier else None


def progress(version: VersionContent, answers: dict[str, Any], current: Question) -> tuple[int, int]:
    """(number, total) for "Q3/20": the current question's place among those shown, and how many can still be
    shown (a question whose rule depends on one not answered yet is counted)."""
    given = _given(version, answers)
    by_code = {q.code: q for q in version.questions}
    number = 1 + sum(1 for q in version.questions if q.position < current.position and is_shown(q, given))

    def may_show(q: Question) -> bool:
        source = by_code.get(q.show_if["question"]) if q.show_if else None
        if source is not None and source.code not in given and source.position >= current.position:
            return True
        return is_shown(q, given)

    later = sum(1 for q in version.questions if q.position > current.position and may_show(q))
    return number, number + later


def _number_text(value: Decimal) -> str:
    text_ = f"{value:f}"
    return text_.rstrip("0").rstrip(".") if "." in text_ else text_


def _answer_text(question: Question, value: Any, lang: Lang) -> str:
    if question.type == "single_choice":
        return next((pick_from(o, lang) for o in question.options if o.code == value), "")
    if question.type == "multi_choice":
        labels = {o.code: pick_from(o, lang) for o in question.options}
        return ", ".join(labels.get(v, v) for v in value)
    return str(value)


def question_prompt(version: VersionContent, state: State, question: Question) -> str:
    lang = state.language
    number, total = progress(version, state.answers, question)
    lines = [f"Q{number}/{total} {question.label(lang)}"]
    lines += [f"{i}. {pick_from(o, lang)}" for i, o in enumerate(question.options, 1)]
    if question.type == "single_choice":
        lines.append(text(lang, "reply_single", count=len(question.options)))
    elif question.type == "multi_choice":
        lines.append(text(lang, "reply_multi"))
    elif question.type in ("scale", "numeric"):
        assert question.min is not None
        assert question.max is not None
        lines.append(text(lang, "reply_number", min=_number_text(question.min), max=_number_text(question.max)))
    else:
        lines.append(text(lang, "reply_text"))
    if not question.required:
        lines.append(text(lang, "reply_skip"))
    previous = state.answers.get(str(question.id))
    if previous is not None:
        lines.append(text(lang, "your_answer", answer=_answer_text(question, previous, lang)))
    return "\n".join(lines)


def _option_by_word(question: Question, word: str) -> str | None:
    for option in question.options:
        if word in (normalized(option.code), normalized(option.label_en), normalized(option.label_fr)):
            return option.code
    return None


def parse_answer(question: Question, raw: str) -> Any | None:
    """The value a reply gives ``question`` (as a submission takes it), or None when it is not a valid answer."""
    reply = raw.strip()
    count = len(question.options)
    if question.type == "single_choice":
        if reply.isdigit() and 1 <= int(reply) <= count:
            return question.options[int(reply) - 1].code
        return _option_by_word(question, normalized(reply))
    if question.type == "multi_choice":
        tokens = [t for t in re.split(r"[\s,;/+&]+|\bet\b|\band\b", normalized(reply)) if t]
        if tokens and all(t.isdigit() for t in tokens):
            if not all(1 <= int(t) <= count for t in tokens):
                return None
            return [question.options[i - 1].code for i in dict.fromkeys(int(t) for t in tokens)]
        single = _option_by_word(question, normalized(reply))
        return [single] if single else None
    if question.type in ("scale", "numeric"):
        assert question.min is not None
        assert question.max is not None
        candidate = reply.replace(",", ".", 1) if question.type == "numeric" and reply.count(",") == 1 else reply
        if not re.fullmatch(r"[+-]?\d{1,9}(\.\d{1,6})?", candidate):
            return None
        try:
            number = Decimal(candidate)
        except InvalidOperation:
            return None
        if not question.min <= number <= question.max:
            return None
        if number == number.to_integral_value():
            return int(number)
        return None if question.type == "scale" else float(number)
    if not reply or len(reply) > MAX_TEXT:
        return None
    return reply


def _hint(question: Question, lang: Lang) -> str:
    minimum = _number_text(question.min) if question.min is not None else ""
    maximum = _number_text(question.max) if question.max is not None else ""
    key = {"single_choice": "hint_single", "multi_choice": "hint_multi", "scale": "hint_scale",
           "numeric": "hint_numeric"}.get(question.type, "hint_text")  # fmt: skip
    return text(lang, key, count=len(question.options), min=minimum, max=maximum)


# -- the machine ------------------------------------------------------------------------------------------


def begin(language: Lang = "en", *, name: str | None = None, sector: str | None = None) -> State:
    """A new conversation, at consent (an invited respondent's name and sector are already known)."""
    return State(stage="consent", language=language, name=name, sector=sector)


def _current(survey: Survey, state: State) -> Question | None:
    if state.stage != "question" or state.question is None or survey.version is None:
        return None
    return survey.version.by_id.get(UUID(state.question))


def prompt(survey: Survey, state: State) -> str:
    """What the conversation is waiting for, asked again."""
    lang = state.language
    match state.stage:
        case "consent":
            return text(lang, "consent")
        case "name":
            return text(lang, "name")
        case "sector":
            options = "\n".join(f"{i}. {s.label(lang)}" for i, s in enumerate(survey.sectors, 1))
            return text(lang, "sector", options=options)
        case "question":
            question = _current(survey, state)
            assert survey.version is not None
            assert question is not None
            return question_prompt(survey.version, state, question)
        case "restart":
            return text(lang, "restart_confirm")
    return ""


def _status(survey: Survey, state: State) -> str:
    question = _current(survey, state)
    if question is None or survey.version is None:
        return text(state.language, "status_start")
    number, total = progress(survey.version, state.answers, question)
    return text(state.language, "status_question", number=number, total=total, answered=len(state.answers))


def _resume(survey: Survey, state: State) -> Step:
    question = _current(survey, state)
    if question is not None and survey.version is not None:
        number, total = progress(survey.version, state.answers, question)
        line = text(state.language, "resume_question", number=number, total=total)
    else:
        line = text(state.language, "resume_start")
    return Step(state, (line, prompt(survey, state)))


def _ask(survey: Survey, state: State, *before: str, events: tuple[Event, ...] = ()) -> Step:
    return Step(state, (*before, prompt(survey, state)), events)


def _first_question_or_end(survey: Survey, state: State, *before: str) -> Step:
    """Go to the first question shown after the current one (the first of all from sector), or finish."""
    version = survey.version
    if version is None:
        return Step(replace(state, stage="sector"), (*before, text(state.language, "unavailable")))
    current = _current(survey, state)
    after = current.position if current is not None else -1
    following = next_question(version, state.answers, after)
    if following is not None:
        moved = replace(state, stage="question", question=str(following.id), attempts=0)
        return _ask(survey, moved, *before)
    return _finish(survey, replace(state, attempts=0), *before)


def _finish(survey: Survey, state: State, *before: str) -> Step:
    version = survey.version
    assert version is not None
    shown = _shown(version, state.answers)
    shown_ids = {str(q.id) for q in shown}
    open_followups = tuple(q for q in state.followups if q in shown_ids and q not in state.answers)
    lang = state.language
    missing = next(
        (q for q in shown if q.required and str(q.id) not in state.answers and str(q.id) not in open_followups), None
    )
    if missing is not None:  # shown by an answer changed on the way back, and never asked: ask it now
        return _ask(survey, replace(state, stage="question", question=str(missing.id), attempts=0), *before)
    if open_followups:
        ended = replace(state, stage="followup", question=None, followups=open_followups)
        return Step(ended, (*before, text(lang, "followup_end", name=state.name or "")))
    answers = tuple((str(q.id), state.answers[str(q.id)]) for q in shown if str(q.id) in state.answers)
    done = replace(state, stage="done", question=None, followups=())
    # The service adds the results (scores and advice) to the replies once the submission is stored.
    return Step(done, before, (Completed(answers),))


def _go_back(survey: Survey, state: State) -> Step:
    lang = state.language
    match state.stage:
        case "question":
            question = _current(survey, state)
            assert survey.version is not None
            assert question is not None
            earlier = previous_question(survey.version, state.answers, question.position)
            if earlier is None:
                return _ask(survey, replace(state, stage="sector", question=None, attempts=0))
            return _ask(survey, replace(state, question=str(earlier.id), attempts=0))
        case "sector":
            return _ask(survey, replace(state, stage="name", attempts=0))
    return Step(state, (text(lang, "back_none"), prompt(survey, state)))


def _invalid(survey: Survey, state: State, hint: str) -> Step:
    """An answer that does not fit: a hint, then the question again, then skip it or leave it to an enumerator."""
    attempts = state.attempts + 1
    question = _current(survey, state)
    if question is None or attempts < MAX_ATTEMPTS:
        tried = replace(state, attempts=attempts)
        if attempts == 1:
            return Step(tried, (hint,))
        return _ask(survey, tried, text(state.language, "try_again"))
    if question.required:
        followed = replace(state, followups=(*state.followups, str(question.id)))
        step = _first_question_or_end(survey, followed, text(state.language, "follow_up"))
        return replace(step, events=(FollowUp(str(question.id), "no valid answer on WhatsApp"), *step.events))
    return _skip(survey, state, text(state.language, "skipped"))


def _skip(survey: Survey, state: State, *before: str) -> Step:
    question = _current(survey, state)
    assert question is not None
    qid = str(question.id)
    answers = {k: v for k, v in state.answers.items() if k != qid}
    skipped = replace(state, answers=answers, skipped=(*[s for s in state.skipped if s != qid], qid))
    return _first_question_or_end(survey, skipped, *before)


def _answer(survey: Survey, state: State, message: Message, word: str | None, argument: str) -> Step:
    lang = state.language
    match state.stage:
        case "consent":
            if word == "yes":
                consented = replace(state, stage="name", attempts=0)
                if state.name and state.sector:  # invited: already known
                    welcome = text(lang, "welcome_named", name=state.name)
                    step = _first_question_or_end(survey, replace(consented, stage="sector"), welcome)
                else:
                    step = _ask(survey, consented)
                return replace(step, events=(ConsentEvent("consent_given"), *step.events))
            if word == "no":
                return Step(
                    replace(state, stage="declined"), (text(lang, "declined"),), (ConsentEvent("consent_declined"),)
                )
            return _consent_retry(survey, state)
        case "name":
            name = " ".join(message.text.split())
            if not name or len(name) > MAX_NAME or not name.isprintable():
                return Step(state, (text(lang, "name_hint"),))
            return _ask(survey, replace(state, stage="sector", name=name, attempts=0))
        case "sector":
            chosen = _sector_of(survey, message.text)
            if chosen is None:
                return _invalid(survey, state, text(lang, "sector_hint", count=len(survey.sectors)))
            return _first_question_or_end(survey, replace(state, sector=chosen, attempts=0))
        case "restart":
            if word == "yes":
                fresh = State(stage="name", language=lang)
                return _ask(survey, fresh, text(lang, "restarted"))
            if word in ("no", "continue"):
                return _ask(survey, replace(state, stage=state.back_to or "name", back_to=None))
            return Step(state, (text(lang, "restart_confirm"),))
        case "question":
            question = _current(survey, state)
            assert question is not None
            if word == "skip":
                if question.required:
                    return _invalid(survey, state, text(lang, "hint_required"))
                return _skip(survey, state)
            value = parse_answer(question, message.text)
            if value is None:
                return _invalid(survey, state, _hint(question, lang))
            qid = str(question.id)
            answered = replace(
                state, answers={**state.answers, qid: value}, skipped=tuple(s for s in state.skipped if s != qid),
                followups=tuple(f for f in state.followups if f != qid),
            )  # fmt: skip
            step = _first_question_or_end(survey, answered)
            if qid in state.followups:
                return replace(step, events=(FollowUpAnswered(qid), *step.events))
            return step
    return Step(state, ())


def _consent_retry(survey: Survey, state: State) -> Step:
    tried = replace(state, attempts=state.attempts + 1)
    if tried.attempts == 1:
        return Step(tried, (text(state.language, "consent_hint"),))
    return _ask(survey, tried)


def _sector_of(survey: Survey, raw: str) -> str | None:
    reply = normalized(raw)
    if reply.isdigit() and 1 <= int(reply) <= len(survey.sectors):
        return survey.sectors[int(reply) - 1].code
    for sector in survey.sectors:
        if reply in (normalized(sector.code), normalized(sector.label_en), normalized(sector.label_fr)):
            return sector.code
    return None


def step(
    state: State | None,
    message: Message,
    survey: Survey,
    *,
    opted_out: bool,
    last_ended: Stage | str | None = None,
    language: Lang = "en",
) -> Step:
    """One inbound message. ``state`` is the active conversation (None: there is none); ``last_ended`` how the
    phone's previous conversation ended ("done", "declined", "abandoned"...), if it had one; ``language`` the
    phone's last language, for a new conversation."""
    word, argument = keyword(message.text)
    if opted_out:
        if word != "start":
            return Step(state, (), opted_out=True)  # nothing is ever sent to an opted-out phone
        opted_in = (ConsentEvent("opted_in"),)
        lang = state.language if state else language_of(normalized(message.text), language)
        if state is None:
            fresh = begin(lang)
            return Step(fresh, (text(lang, "opted_in"), prompt(survey, fresh)), opted_in)
        resumed = _resume(survey, state)
        return replace(resumed, replies=(text(lang, "opted_in"), *resumed.replies), events=opted_in)
    if state is None:
        return _without_conversation(message, survey, word, last_ended, language)
    lang = state.language
    if message.has_media:
        return Step(state, (text(lang, "media"),))
    match word:
        case "stop":
            return Step(state, (text(lang, "stopped"),), (ConsentEvent("opted_out"),), opted_out=True)
        case "help":
            return Step(state, (text(lang, "help"), prompt(survey, state)))
        case "restart" if state.stage in ("name", "sector", "question"):
            return Step(replace(state, stage="restart", back_to=state.stage), (text(lang, "restart_confirm"),))
        case "back" if state.stage != "restart":
            return _go_back(survey, state)
        case "status":
            return Step(state, (_status(survey, state), prompt(survey, state)))
        case "lang":
            switched = language_of(argument, "fr" if lang == "en" else "en") if argument else None
            chosen = switched or language_of(normalized(message.text).split(" ")[0], "fr" if lang == "en" else "en")
            moved = replace(state, language=chosen)
            return _ask(survey, moved, text(chosen, "language_set"))
        case "start" | "hi" if state.stage == "consent":
            return _ask(survey, state)
        case "start" | "hi":
            return _resume(survey, state)
        case "continue" if state.stage != "restart":
            return _ask(survey, replace(state, attempts=0))
    if message.after_pause and state.stage in ("name", "sector", "question"):
        return _resume(survey, state)
    return _answer(survey, state, message, word, argument)


def _without_conversation(
    message: Message, survey: Survey, word: str | None, last_ended: str | None, language: Lang
) -> Step:
    lang = language_of(normalized(message.text).split(" ")[0] if message.text.strip() else "", language)
    if word == "stop":
        return Step(None, (text(lang, "stopped"),), (ConsentEvent("opted_out"),), opted_out=True)
    if word == "help":
        return Step(None, (text(lang, "help"),))
    if last_ended in ("done", "followup") and word not in ("start", "hi"):
        return Step(None, (text(lang, "already_done"),))
    if survey.version is None:
        return Step(None, (text(lang, "unavailable"),))
    fresh = begin(lang)
    return Step(fresh, (prompt(survey, fresh),))


TOP_ADVICE = 3


def results(state: State, version: VersionContent, outcome: dict[str, Any]) -> str:
    """The completion reply: each skill's score and band, then the top recommendations, in the respondent's
    language (``outcome`` is the stored submission's response)."""
    lang = state.language
    skills = {s.code: s for s in version.skills}
    bands = {b.code: b for b in version.bands}
    lines = [text(lang, "results_title", name=state.name or "")]
    for score in outcome["scores"]:
        skill, band = skills.get(score["skill"]), bands.get(score["band"])
        skill_label = pick_from(skill, lang) if skill else score["skill"]
        band_label = pick_from(band, lang) if band else score["band"]
        number = _number_text(Decimal(str(score["score"])))
        lines.append(text(lang, "results_line", skill=skill_label, score=number, band=band_label))
    advice = []
    for item in sorted(outcome["recommendations"], key=lambda r: (r["priority"], r["skill"]))[:TOP_ADVICE]:
        skill = skills.get(item["skill"])
        found = version.recommendation_for.get((skill.id, item["band"])) if skill else None
        advice.append(pick_from(found, lang, "text") if found else item["text"])
    if advice:
        lines += ["", text(lang, "results_advice"), *(f"{i}. {a}" for i, a in enumerate(advice, 1))]
    return "\n".join(lines)
