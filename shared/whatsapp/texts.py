"""Every system text of the WhatsApp conversation, in English and French, and the keywords in both languages.
Pure data and formatting."""

from __future__ import annotations

from shared.i18n import Lang, pick

TEXTS: dict[str, dict[Lang, str]] = {
    "consent": {
        "en": "Hello! This is the skills assessment: about 25 short questions, then your score for each skill and "
        "advice. Your answers are stored to give you your results and to plan training.\n"
        "Do you agree? Reply YES to begin or NO to stop.\n(En français : répondez LANG)",
        "fr": "Bonjour ! Voici l'évaluation des compétences : environ 25 questions courtes, puis votre score pour "
        "chaque compétence et des conseils. Vos réponses sont enregistrées pour vous donner vos résultats et "
        "planifier des formations.\nÊtes-vous d'accord ? Répondez OUI pour commencer ou NON pour arrêter.\n"
        "(In English: reply LANG)",
    },
    "consent_hint": {
        "en": "Please reply YES to begin or NO to stop.",
        "fr": "Veuillez répondre OUI pour commencer ou NON pour arrêter.",
    },
    "declined": {
        "en": "Understood: nothing more will be asked. Reply START at any time if you change your mind.",
        "fr": "Entendu : rien d'autre ne vous sera demandé. Répondez COMMENCER à tout moment si vous changez d'avis.",
    },
    "name": {"en": "What is your name?", "fr": "Quel est votre nom ?"},
    "name_hint": {
        "en": "Please reply with your name (up to 200 characters).",
        "fr": "Veuillez répondre avec votre nom (200 caractères au plus).",
    },
    "welcome_named": {"en": "Welcome, {name}!", "fr": "Bienvenue, {name} !"},
    "sector": {
        "en": "Which sector do you work in, or want to work in? Reply with a number:\n{options}",
        "fr": "Dans quel secteur travaillez-vous, ou voulez-vous travailler ? Répondez avec un numéro :\n{options}",
    },
    "sector_hint": {
        "en": "Please reply with one number from 1 to {count}.",
        "fr": "Veuillez répondre avec un numéro de 1 à {count}.",
    },
    "reply_single": {"en": "Reply with one number (1-{count}).", "fr": "Répondez avec un numéro (1-{count})."},
    "reply_multi": {
        "en": "Reply with the numbers of all that apply, e.g. 1,3 or 1 3.",
        "fr": "Répondez avec les numéros de tout ce qui s'applique, par ex. 1,3 ou 1 3.",
    },
    "reply_number": {"en": "Reply a number {min}-{max}.", "fr": "Répondez un nombre de {min} à {max}."},
    "reply_text": {"en": "Reply in your own words.", "fr": "Répondez avec vos propres mots."},
    "reply_skip": {"en": "Reply SKIP to skip this question.", "fr": "Répondez PASSER pour passer cette question."},
    "your_answer": {"en": "Your answer was: {answer}", "fr": "Votre réponse était : {answer}"},
    "hint_single": {
        "en": "That is not one of the options. Please reply with one number from 1 to {count}.",
        "fr": "Ce n'est pas une des options. Veuillez répondre avec un numéro de 1 à {count}.",
    },
    "hint_multi": {
        "en": "Please reply with numbers from 1 to {count}, separated by commas or spaces, e.g. 1,3.",
        "fr": "Veuillez répondre avec des numéros de 1 à {count}, séparés par des virgules ou des espaces, "
        "par ex. 1,3.",
    },
    "hint_scale": {
        "en": "Please reply a whole number from {min} to {max}.",
        "fr": "Veuillez répondre un nombre entier de {min} à {max}.",
    },
    "hint_numeric": {
        "en": "Please reply a number from {min} to {max}.",
        "fr": "Veuillez répondre un nombre de {min} à {max}.",
    },
    "hint_text": {
        "en": "Please reply with some text (2000 characters at most).",
        "fr": "Veuillez répondre avec du texte (2000 caractères au plus).",
    },
    "hint_required": {
        "en": "This question is needed for your results; it cannot be skipped.",
        "fr": "Cette question est nécessaire pour vos résultats ; elle ne peut pas être passée.",
    },
    "try_again": {"en": "Let's try again:", "fr": "Essayons encore :"},
    "skipped": {"en": "We skipped this question.", "fr": "Nous avons passé cette question."},
    "follow_up": {
        "en": "No problem: an enumerator will follow up with you on this question.",
        "fr": "Pas de souci : un enquêteur reviendra vers vous pour cette question.",
    },
    "back_none": {
        "en": "You are at the first step: there is nothing to go back to.",
        "fr": "Vous êtes à la première étape : il n'y a rien avant.",
    },
    "help": {
        "en": "Commands: BACK previous question - STATUS your progress - LANG English/French - RESTART start over - "
        "SKIP skip an optional question - STOP stop all messages. Otherwise, reply to the question.",
        "fr": "Commandes : RETOUR question précédente - STATUT votre progression - LANGUE français/anglais - "
        "RECOMMENCER tout reprendre - PASSER passer une question facultative - STOP arrêter les messages. Sinon, "
        "répondez à la question.",
    },
    "status_question": {
        "en": "You're on Q{number}/{total}: {answered} answered so far.",
        "fr": "Vous êtes à la Q{number}/{total} : {answered} réponses jusqu'ici.",
    },
    "status_start": {
        "en": "You have not reached the questions yet.",
        "fr": "Vous n'êtes pas encore arrivé aux questions.",
    },
    "resume_question": {
        "en": "Welcome back! You're on Q{number}/{total}. Reply CONTINUE or RESTART.",
        "fr": "Bon retour ! Vous êtes à la Q{number}/{total}. Répondez CONTINUER ou RECOMMENCER.",
    },
    "resume_start": {
        "en": "Welcome back! Reply CONTINUE to go on or RESTART to start over.",
        "fr": "Bon retour ! Répondez CONTINUER pour reprendre ou RECOMMENCER pour tout reprendre.",
    },
    "restart_confirm": {
        "en": "Start over? Your answers so far will be deleted. Reply YES to start over or NO to continue.",
        "fr": "Tout reprendre ? Vos réponses seront effacées. Répondez OUI pour reprendre ou NON pour continuer.",
    },
    "restarted": {"en": "Let's start over.", "fr": "On reprend depuis le début."},
    "stopped": {
        "en": "You will receive no more messages from us. Reply START to opt back in.",
        "fr": "Vous ne recevrez plus de messages de notre part. Répondez COMMENCER pour vous réabonner.",
    },
    "opted_in": {
        "en": "You are subscribed again.",
        "fr": "Vous êtes de nouveau abonné.",
    },
    "media": {
        "en": "Sorry, we can only read text messages here. Please reply with text.",
        "fr": "Désolé, nous ne pouvons lire que des messages texte ici. Veuillez répondre par écrit.",
    },
    "language_set": {"en": "Language: English.", "fr": "Langue : français."},
    "unavailable": {
        "en": "There is no assessment open at the moment. We will message you when there is one.",
        "fr": "Aucune évaluation n'est ouverte pour le moment. Nous vous écrirons quand il y en aura une.",
    },
    "already_done": {
        "en": "You have completed the assessment, thank you! Reply START to take it again.",
        "fr": "Vous avez terminé l'évaluation, merci ! Répondez COMMENCER pour la refaire.",
    },
    "results_title": {"en": "Thank you, {name}! Your results:", "fr": "Merci, {name} ! Vos résultats :"},
    "results_line": {"en": "{skill}: {score}/100 ({band})", "fr": "{skill} : {score}/100 ({band})"},
    "results_advice": {"en": "Our advice:", "fr": "Nos conseils :"},
    "followup_end": {
        "en": "Thank you, {name}! Some answers need an enumerator, who will follow up with you; your results will "
        "come after that.",
        "fr": "Merci, {name} ! Certaines réponses demandent un enquêteur, qui reviendra vers vous ; vos résultats "
        "suivront.",
    },
    "invitation": {
        "en": "Hello {name}! You are invited to take the skills assessment on WhatsApp: about 25 short questions, "
        "then your results and advice. Reply YES to begin or NO to decline.",
        "fr": "Bonjour {name} ! Vous êtes invité à passer l'évaluation des compétences sur WhatsApp : environ 25 "
        "questions courtes, puis vos résultats et des conseils. Répondez OUI pour commencer ou NON pour refuser.",
    },
    "reminder": {
        "en": "Hello {name}! Your skills assessment is waiting for you: {progress}. Reply CONTINUE to go on.",
        "fr": "Bonjour {name} ! Votre évaluation des compétences vous attend : {progress}. Répondez CONTINUER pour "
        "reprendre.",
    },
}

# Keywords, matched case-insensitively and without accents, in either language.
KEYWORDS: dict[str, frozenset[str]] = {
    "stop": frozenset({"stop", "stopall", "unsubscribe", "quit", "arret", "arreter", "desabonner"}),
    "start": frozenset({"start", "unstop", "commencer", "demarrer", "reprendre"}),
    "hi": frozenset({"hi", "hello", "hey", "bonjour", "salut"}),
    "help": frozenset({"help", "aide", "info"}),
    "restart": frozenset({"restart", "recommencer"}),
    "back": frozenset({"back", "previous", "retour", "precedent"}),
    "status": frozenset({"status", "statut", "progress", "progression"}),
    "lang": frozenset({"lang", "langue", "language", "english", "anglais", "french", "francais"}),
    "continue": frozenset({"continue", "continuer"}),
    "skip": frozenset({"skip", "passer"}),
    "yes": frozenset({"yes", "y", "ok", "oui", "d'accord", "daccord"}),
    "no": frozenset({"no", "n", "non"}),
}
FRENCH_WORDS = frozenset({"bonjour", "salut", "commencer", "demarrer", "oui", "non", "francais", "french"})
ENGLISH_WORDS = frozenset({"english", "anglais"})
MAX_MESSAGE_CHARS = 1600  # Twilio's limit for one message body


def text(lang: str, key: str, **values: object) -> str:
    """The system text ``key`` in ``lang`` (English for anything else), filled in."""
    entry = TEXTS[key]
    template = pick(lang, entry["en"], entry["fr"])
    return template.format(**values) if values else template


def split_message(message: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A reply as messages of at most ``limit`` characters: cut at a line break, else at a space, else anywhere."""
    parts: list[str] = []
    rest = message.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
