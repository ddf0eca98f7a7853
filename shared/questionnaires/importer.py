"""Turns an import request body (JSON or xlsx) into a validated definition, or every problem with it."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed, problem
from shared.questionnaires.definition import QuestionnaireDef

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024

OPENAPI_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/QuestionnaireDef"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def parse(content_type: str, body: bytes) -> QuestionnaireDef:
    """Raises UnsupportedMediaType, PayloadTooLarge, or ValidationFailed listing every problem."""
    media = content_type.split(";")[0].strip().lower()
    if len(body) > MAX_BYTES:
        raise PayloadTooLarge(f"Imports are limited to {MAX_BYTES // (1024 * 1024)} MB.")
    if media == "application/json":
        try:
            definition = QuestionnaireDef.model_validate_json(body)
        except ValidationError as exc:
            raise ValidationFailed(
                "The questionnaire is invalid.",
                details=[problem(["body", *e["loc"]], e["msg"], e["type"]) for e in exc.errors()],
            ) from None  # fmt: skip
        problems = [problem(["body", *p["loc"]], p["message"], p["type"]) for p in definition.problems()]
        if problems:
            raise ValidationFailed("The questionnaire is invalid.", details=problems)
        return definition
    if media == XLSX:
        from shared.questionnaires.xlsx import read_workbook

        parsed, problems = read_workbook(body)
        if problems or parsed is None:
            raise ValidationFailed("The workbook is invalid.", details=problems)
        return parsed
    raise UnsupportedMediaType(f"Send application/json or {XLSX}.")
