"""The platform's two languages: every text a person reads exists in English and French."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "fr"]
LANGUAGES: tuple[Lang, ...] = ("en", "fr")


def pick(lang: str, en: str, fr: str) -> str:
    """The text in ``lang``: French for "fr", English otherwise."""
    return fr if lang == "fr" else en


def pick_from(row: object, lang: str, field: str = "label") -> str:
    """``row.<field>_fr`` or ``row.<field>_en`` (attributes, or keys of a mapping row)."""
    suffix = "fr" if lang == "fr" else "en"
    if isinstance(row, dict):
        return str(row[f"{field}_{suffix}"])
    return str(getattr(row, f"{field}_{suffix}"))
