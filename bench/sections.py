"""BENCHMARKS.md is written by more than one command: ``make bench`` writes the benchmarks, and the commands named
in OTHER_WRITERS each own one ``## `` section, which they replace in place and ``make bench`` carries over."""

from __future__ import annotations

import re
from pathlib import Path

# Section title -> the command that writes it.
OTHER_WRITERS = {
    "Dependency layer": "make layer",
    "Zero-traffic floor": "make cost-floor",
}

_HEADING = re.compile(r"^## (?P<title>.+?)\s*$", re.MULTILINE)


def split_sections(text: str) -> tuple[str, dict[str, str]]:
    """The text before the first ``## `` heading, and each section (heading included) by title, in order."""
    matches = list(_HEADING.finditer(text))
    if not matches:
        return text, {}
    sections = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        sections[match.group("title")] = text[match.start() : end]
    return text[: matches[0].start()], sections


def replace_section(path: Path, title: str, section: str) -> None:
    """Puts ``section`` (starting with ``## {title}``) in place of the section of that title, or at the end."""
    if not section.startswith(f"## {title}\n"):
        raise ValueError(f"the section must start with its heading '## {title}'")
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    head, sections = split_sections(text)
    sections[title] = section
    # One blank line between sections, whatever each one ended with.
    body = "\n\n".join(text.rstrip("\n") for text in sections.values())
    path.write_text(head + body + "\n", encoding="utf-8")


def other_writers_sections(path: Path) -> str:
    """The sections of ``path`` that other commands own, to be written back after the benchmarks."""
    if not path.exists():
        return ""
    _, sections = split_sections(path.read_text(encoding="utf-8"))
    kept = [sections[title].rstrip("\n") + "\n" for title in OTHER_WRITERS if title in sections]
    return "\n".join(kept)
