"""``make bench``: run every benchmark and write BENCHMARKS.md; ``make bench ONLY="submissions dashboard"`` runs
those alone and replaces only their sections of BENCHMARKS.md, leaving the others as they were."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import ModuleType

from bench import auth, dashboard, door, exports, imports, request_path, spa, submissions, whatsapp
from bench.machine import describe
from bench.sections import other_writers_sections, replace_section

ROOT = Path(__file__).resolve().parent.parent
BENCHES: dict[str, ModuleType] = {
    "imports": imports,
    "request-path": request_path,
    "door": door,
    "sign-in": auth,
    "submissions": submissions,
    "whatsapp": whatsapp,
    "dashboard": dashboard,
    "exports": exports,
    "spa": spa,
}


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        sys.stderr.write(f"bench: unknown {unknown}; known: {sorted(BENCHES)}\n")
        return 2
    logging.disable(logging.INFO)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("DATABASE_URL", "postgresql://bench@127.0.0.1:1/unused")  # the echo path never connects
    sections = []
    from local.secrets import generate_auth_secrets

    for key, value in generate_auth_secrets().items():
        os.environ.setdefault(key, value)
    for name in names or list(BENCHES):
        sys.stderr.write(f"bench: {name}...\n")
        text, _ = BENCHES[name].run()
        sections.append(text)
    target = ROOT / "BENCHMARKS.md"
    if names:
        when = describe().splitlines()[0].removeprefix("- Date: ")
        for section in sections:
            title, _, rest = section.partition("\n")
            stamped = f"{title}\n\n_Measured {when} (`make bench ONLY=...`)._\n{rest}"
            replace_section(target, title.removeprefix("## "), stamped)
    else:
        header = (
            "# Benchmarks\n\nWritten by `make bench`. Every figure is compared with a baseline measured in the same"
            " run, on the same machine.\n\n" + describe() + "\n\n"
        )
        # Sections other commands write (bench/sections.py) are carried over, after the benchmarks.
        kept = other_writers_sections(target)
        target.write_text(header + "\n".join([*sections, kept] if kept else sections), encoding="utf-8")
    sys.stderr.write("bench: wrote BENCHMARKS.md\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
