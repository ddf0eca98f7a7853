"""``make openapi``: write the OpenAPI document of every manifest route (offline, no server needed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from local.gateway import manifest_openapi


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "build/openapi.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest_openapi(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
