"""Assessments: validation against the questionnaire, scoring, and the atomic, idempotent submission."""
