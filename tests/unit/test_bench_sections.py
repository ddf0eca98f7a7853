"""BENCHMARKS.md has several writers: each replaces its own section and leaves the others as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.sections import OTHER_WRITERS, other_writers_sections, replace_section, split_sections

DOCUMENT = """# Benchmarks

Written by `make bench`.

## Cold import time

| a | b |
|---|---|
| 1 | 2 |

## Dependency layer

old layer figures
"""


def test_a_section_is_replaced_in_place_and_the_others_are_untouched(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(DOCUMENT)
    replace_section(path, "Dependency layer", "## Dependency layer\n\nnew layer figures\n")
    head, sections = split_sections(path.read_text())
    assert head == "# Benchmarks\n\nWritten by `make bench`.\n\n"
    assert list(sections) == ["Cold import time", "Dependency layer"]
    assert sections["Cold import time"] == "## Cold import time\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    assert sections["Dependency layer"] == "## Dependency layer\n\nnew layer figures\n"


def test_a_new_section_goes_at_the_end_after_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(DOCUMENT)
    replace_section(path, "Zero-traffic floor", "## Zero-traffic floor\n\n| lean | 8.19 |")
    text = path.read_text()
    assert text.endswith("old layer figures\n\n## Zero-traffic floor\n\n| lean | 8.19 |\n")
    replace_section(path, "Zero-traffic floor", "## Zero-traffic floor\n\n| lean | 8.19 |")
    assert path.read_text() == text  # idempotent


def test_a_section_must_start_with_its_own_heading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must start with its heading"):
        replace_section(tmp_path / "B.md", "Dependency layer", "## Something else\n")


def test_make_bench_carries_over_only_the_sections_other_commands_write(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(DOCUMENT)
    kept = other_writers_sections(path)
    assert kept == "## Dependency layer\n\nold layer figures\n"
    assert "Cold import time" not in kept
    assert set(OTHER_WRITERS) == {"Dependency layer", "Zero-traffic floor"}
    assert other_writers_sections(tmp_path / "missing.md") == ""
