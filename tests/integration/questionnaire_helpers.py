"""A small questionnaire with every question type and a show-if rule, whose scores are easy to work out
by hand; and helpers to import, publish and read it through the API."""

from __future__ import annotations

from typing import Any

import httpx

from shared.db import Database
from tests.integration.auth_helpers import bearer


def add_test_sectors(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC'), ('agri', 'A', 'A')")


def t(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def small_definition(code: str = "mini") -> dict[str, Any]:
    return {
        "code": code,
        "title": t("Mini assessment"),
        "skills": [{"code": "digital", "label": t("Digital")}, {"code": "numeracy", "label": t("Numeracy")}],
        "questions": [
            {"code": "has_phone", "skill": "digital", "type": "single_choice", "label": t("Do you have a phone?"),
             "options": [{"code": "yes", "label": t("Yes"), "score": 1}, {"code": "no", "label": t("No"), "score": 0}]},
            {"code": "apps", "skill": "digital", "type": "multi_choice", "label": t("Which apps?"), "weight": 2,
             "show_if": {"question": "has_phone", "equals": "yes"},
             "options": [{"code": "whatsapp", "label": t("WhatsApp"), "score": 1},
                         {"code": "email", "label": t("Email"), "score": 2},
                         {"code": "bank", "label": t("Mobile money"), "score": 1}]},
            {"code": "confidence", "skill": "digital", "type": "scale", "label": t("How confident?"), "min": 1,
             "max": 5},
            {"code": "sums", "skill": "numeracy", "type": "numeric", "label": t("Right answers out of 10"), "min": 0,
             "max": 10},
            {"code": "comment", "skill": "numeracy", "type": "text", "label": t("Anything else?"), "required": False,
             "weight": 0},
        ],
        "rubric": {
            "bands": [{"code": "beginner", "label": t("Beginner"), "min": 0, "max": 40},
                      {"code": "intermediate", "label": t("Intermediate"), "min": 40, "max": 70},
                      {"code": "advanced", "label": t("Advanced"), "min": 70, "max": 100}],
            "recommendations": [
                {"skill": s, "band": b, "text": t(f"{s} {b} advice"), "priority": p}
                for s in ("digital", "numeracy") for p, b in enumerate(("beginner", "intermediate", "advanced"), 1)
            ],
        },
    }  # fmt: skip


async def publish_small(api: httpx.AsyncClient, admin_token: str, code: str = "mini") -> dict[str, Any]:
    """Import and publish the small questionnaire; returns {version_id, questions: {code: id}}."""
    imported = await api.post("/api/v1/questionnaires/import", json=small_definition(code), headers=bearer(admin_token))
    assert imported.status_code == 201, imported.text
    body = imported.json()
    published = await api.post(
        f"/api/v1/questionnaires/{body['questionnaire_id']}/versions/{body['version_id']}/publish",
        headers=bearer(admin_token),
    )
    assert published.status_code == 200, published.text
    questions = await api.get("/api/v1/questions", headers=bearer(admin_token))
    assert questions.status_code == 200, questions.text
    return {
        "version_id": body["version_id"],
        "questionnaire_id": body["questionnaire_id"],
        "questions": {q["code"]: q["id"] for q in questions.json()["questions"]},
    }
