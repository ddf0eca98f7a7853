"""The WhatsApp conversation as a pure state machine: one message in, the new state, the replies and what to
record out. No database, no clock: a questionnaire version built in memory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from shared.questionnaires.content import Band, Option, Question, Recommendation, Skill, VersionContent
from shared.questionnaires.definition import QuestionnaireDef
from shared.whatsapp import conversation as machine
from shared.whatsapp.texts import MAX_MESSAGE_CHARS, split_message
from tests.integration.questionnaire_helpers import small_definition


def content_of(definition: dict[str, Any]) -> VersionContent:
    """A published version of a definition, in memory."""
    d = QuestionnaireDef.model_validate(definition)
    skills = [Skill(uuid.uuid4(), s.code, s.label.en, s.label.fr, i) for i, s in enumerate(d.skills)]
    skill_ids = {s.code: s.id for s in skills}
    questions = tuple(
        Question(
            uuid.uuid4(), q.code, skill_ids[q.skill], q.skill, q.type, q.required, q.min, q.max, q.weight, q.label.en,
            q.label.fr, i, q.show_if.dump() if q.show_if else None,
            tuple(Option(uuid.uuid4(), o.code, o.label.en, o.label.fr, o.score) for o in q.options),
        )
        for i, q in enumerate(d.questions)
    )  # fmt: skip
    return VersionContent(
        uuid.uuid4(), uuid.uuid4(), d.code, 1, "published", d.title.en, d.title.fr, None, tuple(skills), questions,
        tuple(Band(b.code, b.label.en, b.label.fr, b.min, b.max) for b in d.rubric.bands),
        tuple(Recommendation(skill_ids[r.skill], r.band, r.text.en, r.text.fr, r.priority)
              for r in d.rubric.recommendations),
    )  # fmt: skip


VERSION = content_of(small_definition())
QID = {q.code: str(q.id) for q in VERSION.questions}
SURVEY = machine.Survey(
    VERSION, (machine.Sector("ict", "ICT", "TIC"), machine.Sector("agri", "Farming", "Agriculture"))
)


@dataclass
class Phone:
    """A respondent's side of the conversation: sends messages, keeps what the platform would store."""

    state: machine.State | None = None
    opted_out: bool = False
    last_ended: str | None = None
    steps: list[machine.Step] = field(default_factory=list)

    def send(self, text: str, **message: Any) -> str:
        step = machine.step(
            self.state, machine.Message(text, **message), SURVEY, opted_out=self.opted_out, last_ended=self.last_ended
        )
        self.steps.append(step)
        self.opted_out = step.opted_out
        if step.state is not None and step.state.stage in machine.ENDED:
            self.last_ended, self.state = step.state.stage, None
        else:
            self.state = step.state
        return "\n\n".join(step.replies)

    @property
    def events(self) -> list[machine.Event]:
        return [e for s in self.steps for e in s.events]


def at_first_question() -> Phone:
    phone = Phone()
    phone.send("hi")
    phone.send("YES")
    phone.send("Awa Diallo")
    phone.send("1")
    return phone


def test_an_unknown_number_is_asked_consent_name_sector_then_the_first_question() -> None:
    phone = Phone()
    assert "Reply YES to begin or NO to stop" in phone.send("Hello")
    assert phone.send("yes") == "What is your name?"
    sector = phone.send("Awa Diallo")
    assert "1. ICT" in sector
    assert "2. Farming" in sector
    first = phone.send("1")
    assert first.startswith("Q1/5 Do you have a phone?\n1. Yes\n2. No\nReply with one number (1-2).")
    assert phone.state is not None
    assert (phone.state.name, phone.state.sector) == ("Awa Diallo", "ict")
    assert phone.events == [machine.ConsentEvent("consent_given")]


def test_no_to_consent_ends_and_is_recorded() -> None:
    phone = Phone()
    phone.send("hi")
    assert "nothing more will be asked" in phone.send("no")
    assert phone.state is None
    assert phone.last_ended == "declined"
    assert phone.events == [machine.ConsentEvent("consent_declined")]


def test_options_scale_range_and_multi_choice_forms() -> None:
    phone = at_first_question()
    apps = phone.send("1")
    assert apps.startswith("Q2/5 Which apps?\n1. WhatsApp\n2. Email\n3. Mobile money")
    assert "e.g. 1,3 or 1 3" in apps
    assert "Reply a number 1-5." in phone.send("1 3")
    assert phone.state is not None
    assert phone.state.answers[QID["apps"]] == ["whatsapp", "bank"]
    phone.send("BACK")
    phone.send("1,2")
    assert phone.state.answers[QID["apps"]] == ["whatsapp", "email"]


def test_a_show_if_rule_skips_a_hidden_question_and_the_count_follows() -> None:
    phone = at_first_question()
    assert phone.send("2").startswith("Q2/4 How confident?")  # "No phone": the apps question is not shown
    phone.send("BACK")
    assert phone.send("yes").startswith("Q2/5 Which apps?")  # an option's label answers too


@pytest.mark.parametrize(
    ("code", "reply"), [("has_phone", "3"), ("confidence", "6"), ("confidence", "2.5"), ("sums", "eleven")]
)
def test_an_invalid_answer_gets_a_hint_first(code: str, reply: str) -> None:
    phone = at_first_question()
    if code != "has_phone":
        phone.send("2")  # to "confidence"
    if code == "sums":
        phone.send("3")
    before = phone.state
    hint = phone.send(reply)
    assert hint.startswith(("That is not one of the options", "Please reply"))
    assert phone.state is not None
    assert before is not None
    assert (phone.state.question, phone.state.answers) == (before.question, before.answers)


def test_invalid_answers_escalate_to_the_question_again_then_an_enumerator_for_a_required_one() -> None:
    phone = at_first_question()
    phone.send("2")
    assert phone.send("9").startswith("Please reply a whole number from 1 to 5.")
    again = phone.send("nine")
    assert again.startswith("Let's try again:\n\nQ2/4 How confident?")
    third = phone.send("lots")
    assert third.startswith("No problem: an enumerator will follow up with you on this question.")
    assert "Q3/4 Right answers out of 10" in third
    assert phone.events[-1] == machine.FollowUp(QID["confidence"], "no valid answer on WhatsApp")
    phone.send("7")
    last = phone.send("-")  # text: any text answers
    assert "enumerator, who will follow up" in last
    assert phone.last_ended == "followup"
    assert not any(isinstance(e, machine.Completed) for e in phone.events)


def test_an_optional_question_is_skipped_after_three_invalid_answers_or_on_skip() -> None:
    phone = at_first_question()
    for reply in ("2", "4", "7"):
        phone.send(reply)
    assert "Reply SKIP to skip this question." in phone.steps[-1].replies[-1]
    phone.send("SKIP")
    completed = [e for e in phone.events if isinstance(e, machine.Completed)]
    assert completed == [machine.Completed(((QID["has_phone"], "no"), (QID["confidence"], 4), (QID["sums"], 7)))]


def test_skip_is_refused_for_a_required_question() -> None:
    phone = at_first_question()
    assert phone.send("skip").startswith("This question is needed for your results")
    assert phone.state is not None
    assert phone.state.question == QID["has_phone"]


def test_a_whole_questionnaire_completes_with_its_answers_in_order() -> None:
    phone = at_first_question()
    for reply in ("1", "1,2", "4", "7"):
        phone.send(reply)
    assert phone.send("All good") == ""  # the service adds the results once stored
    assert phone.last_ended == "done"
    assert phone.events[-1] == machine.Completed(
        ((QID["has_phone"], "yes"), (QID["apps"], ["whatsapp", "email"]), (QID["confidence"], 4), (QID["sums"], 7),
         (QID["comment"], "All good"))
    )  # fmt: skip


def test_answers_to_a_question_hidden_later_are_not_submitted() -> None:
    phone = at_first_question()
    phone.send("1")
    phone.send("1")  # apps
    phone.send("BACK")
    phone.send("BACK")
    phone.send("2")  # no phone after all: apps is hidden now
    for reply in ("4", "7", "SKIP"):
        phone.send(reply)
    completed = phone.events[-1]
    assert isinstance(completed, machine.Completed)
    assert QID["apps"] not in dict(completed.answers)


def test_back_goes_to_the_previous_question_then_to_sector_and_name() -> None:
    phone = at_first_question()
    phone.send("1")
    back = phone.send("back")
    assert back.startswith("Q1/5 Do you have a phone?")
    assert back.endswith("Your answer was: Yes")
    assert "Reply with a number" in phone.send("BACK")
    assert phone.send("retour") == "What is your name?"
    assert phone.send("back").startswith("You are at the first step")


def test_keywords_take_precedence_stop_help_restart_back_over_an_answer() -> None:
    phone = at_first_question()
    for reply in ("2", "4", "7"):
        phone.send(reply)  # at the free-text question, where any text would be an answer
    assert phone.send("Help").startswith("Commands: BACK")
    assert phone.send("restart").startswith("Start over?")
    assert phone.send("no").startswith("Q4/4")
    assert phone.send("back").startswith("Q3/4")
    assert phone.send("STOP").startswith("You will receive no more messages")
    assert phone.opted_out


def test_after_stop_nothing_is_sent_until_start_which_resumes_where_they_were() -> None:
    phone = at_first_question()
    phone.send("1")
    phone.send("stop")
    before = phone.state
    for message in ("2", "help", "hi", "BACK"):
        assert phone.send(message) == ""
    assert phone.state == before
    resumed = phone.send("START")
    assert resumed.startswith("You are subscribed again.\n\nWelcome back! You're on Q2/5. Reply CONTINUE or RESTART.")
    assert "Q2/5 Which apps?" in resumed
    assert [e for e in phone.events if isinstance(e, machine.ConsentEvent)][-2:] == [
        machine.ConsentEvent("opted_out"),
        machine.ConsentEvent("opted_in"),
    ]
    phone.send("2")
    assert phone.state is not None
    assert phone.state.answers[QID["apps"]] == ["email"]


def test_stop_without_a_conversation_opts_the_phone_out() -> None:
    phone = Phone()
    assert phone.send("STOP").startswith("You will receive no more messages")
    assert (phone.opted_out, phone.state) == (True, None)
    assert phone.send("hello") == ""
    assert "Reply YES to begin" in phone.send("start")


def test_restart_asks_first_then_starts_over_from_the_name() -> None:
    phone = at_first_question()
    phone.send("1")
    assert phone.send("RESTART").startswith("Start over? Your answers so far will be deleted.")
    assert phone.send("yes") == "Let's start over.\n\nWhat is your name?"
    assert phone.state is not None
    assert phone.state.answers == {}


def test_status_tells_the_progress() -> None:
    phone = at_first_question()
    phone.send("1")
    assert phone.send("status").startswith("You're on Q2/5: 1 answered so far.")


def test_lang_switches_every_text_to_french_and_keeps_the_answers() -> None:
    phone = at_first_question()
    phone.send("1")
    switched = phone.send("LANG")
    assert switched.startswith("Langue : français.\n\nQ2/5 Which apps? (fr)\n1. WhatsApp (fr)")
    assert "Répondez avec les numéros" in switched
    assert phone.state is not None
    assert phone.state.answers == {QID["has_phone"]: "yes"}
    assert phone.send("aide").startswith("Commandes : RETOUR")
    assert phone.send("lang en").startswith("Language: English.")


def test_a_french_greeting_starts_in_french() -> None:
    phone = Phone()
    assert phone.send("Bonjour").startswith("Bonjour ! Voici l'évaluation")
    assert phone.send("oui") == "Quel est votre nom ?"


def test_coming_back_after_a_pause_offers_continue_or_restart() -> None:
    phone = at_first_question()
    phone.send("1")
    resumed = phone.send("2", after_pause=True)
    assert resumed.startswith("Welcome back! You're on Q2/5. Reply CONTINUE or RESTART.")
    assert phone.state is not None
    assert QID["apps"] not in phone.state.answers  # not taken as an answer
    assert phone.send("continue").startswith("Q2/5 Which apps?")


def test_media_gets_a_text_only_reply_and_changes_nothing() -> None:
    phone = at_first_question()
    before = phone.state
    assert phone.send("", has_media=True).startswith("Sorry, we can only read text messages")
    assert phone.state == before


def test_after_completion_a_message_is_answered_and_start_begins_again() -> None:
    phone = Phone(last_ended="done")
    assert phone.send("thanks!").startswith("You have completed the assessment")
    assert phone.state is None
    assert "Reply YES to begin" in phone.send("START")
    assert phone.state is not None


def test_an_invited_respondent_goes_from_consent_to_the_first_question() -> None:
    phone = Phone(state=machine.begin("en", name="Kofi", sector="agri"))
    assert phone.send("yes").startswith("Welcome, Kofi!\n\nQ1/5 Do you have a phone?")


def test_the_state_survives_its_json_form() -> None:
    phone = at_first_question()
    phone.send("1")
    assert phone.state is not None
    assert machine.State.from_json(phone.state.to_json()) == phone.state


def test_results_name_each_skill_and_the_top_advice_in_the_respondents_language() -> None:
    state = machine.State(stage="done", language="fr", name="Awa")
    advice = [("numeracy", "numeracy advanced advice"), ("digital", "digital advanced advice")]
    outcome = {
        "scores": [{"skill": "digital", "score": 81.25, "band": "advanced"},
                   {"skill": "numeracy", "score": 70.0, "band": "advanced"}],
        "recommendations": [{"skill": s, "band": "advanced", "priority": 3, "text": t} for s, t in advice],
    }  # fmt: skip
    assert machine.results(state, VERSION, outcome) == (
        "Merci, Awa ! Vos résultats :\nDigital (fr) : 81.25/100 (Advanced (fr))\nNumeracy (fr) : 70/100 (Advanced (fr))"
        "\n\nNos conseils :\n1. digital advanced advice (fr)\n2. numeracy advanced advice (fr)"
    )


def test_long_replies_are_split_at_1600_characters_on_line_breaks() -> None:
    lines = [f"{i}. " + "x" * 95 for i in range(40)]
    parts = split_message("\n".join(lines))
    assert all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert split_message("y" * 3300) == ["y" * 1600, "y" * 1600, "y" * 100]
