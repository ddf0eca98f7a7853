"""Regenerates skills_baseline.xlsx from skills_baseline.json: `python -m shared.questionnaires.samples.build_xlsx`."""

from __future__ import annotations

from pathlib import Path

from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.xlsx import write_workbook

HERE = Path(__file__).parent
SOURCE = HERE / "skills_baseline.json"
TARGET = HERE / "skills_baseline.xlsx"


def main() -> None:
    definition = QuestionnaireDef.model_validate_json(SOURCE.read_text(encoding="utf-8"))
    problems = definition.problems()
    if problems:
        raise SystemExit(f"{SOURCE.name} is invalid: {problems}")
    TARGET.write_bytes(write_workbook(definition))


if __name__ == "__main__":
    main()
