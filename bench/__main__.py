"""``make bench``: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from bench import auth, door, imports, request_path, submissions, whatsapp
from bench.machine import describe
from bench.sections import other_writers_sections

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    logging.disable(logging.INFO)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("DATABASE_URL", "postgresql://bench@127.0.0.1:1/unused")  # the echo path never connects
    sections = []
    from local.secrets import generate_auth_secrets

    for key, value in generate_auth_secrets().items():
        os.environ.setdefault(key, value)
    for name, bench in (
        ("cold imports", imports),
        ("request path", request_path),
        ("the door", door),
        ("sign-in", auth),
        ("submissions", submissions),
        ("whatsapp", whatsapp),
    ):
        sys.stderr.write(f"bench: {name}...\n")
        text, _ = bench.run()
        sections.append(text)
    header = (
        "# Benchmarks\n\nWritten by `make bench`. Every figure is compared with a baseline measured in the same run,"
        " on the same machine.\n\n" + describe() + "\n\n"
    )
    # Sections other commands write (bench/sections.py) are carried over, after the benchmarks.
    kept = other_writers_sections(ROOT / "BENCHMARKS.md")
    (ROOT / "BENCHMARKS.md").write_text(header + "\n".join([*sections, kept] if kept else sections), encoding="utf-8")
    sys.stderr.write("bench: wrote BENCHMARKS.md\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
