"""The SPA: the JavaScript of the initial route, gzipped (target 200 KB or less), and the time until the
dashboard shows its figures on localhost, in Debian's Chromium against the local platform.

The SPA is built from the current sources first. The platform runs in a process of its own (bench/dashboard.py's
Gateway) on a fresh database holding one published questionnaire and a few hundred submissions; the browser half
(frontend/e2e/bench.mjs) opens /dashboard as a signed-in super-admin, cold (a new profile: no HTTP cache, no
service worker) and warm (the same tab again), and reports what it fetched and when the figures showed. Sizes are
those of the files as built, gzipped here at zlib's default level (what a server compresses them with).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.database import bench_database
from bench.machine import describe
from bench.stats import percentile

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SUBMISSIONS = 300
ROUNDS = 10
TARGET_KB = 200


def _build() -> None:
    subprocess.run(["npx", "vite", "build"], cwd=FRONTEND, check=True, capture_output=True, timeout=600)


def _gzipped(urls: list[str]) -> dict[str, int]:
    """Each distinct script's gzipped size in bytes, by its path."""
    sizes = {}
    for url in dict.fromkeys(urls):
        path = urlsplit(url).path
        sizes[path] = len(gzip.compress((DIST / path.lstrip("/")).read_bytes(), compresslevel=6))
    return sizes


def _seed(gateway: Any, db: Any, url: str) -> str:
    """A published questionnaire, a super-admin and SUBMISSIONS submissions through the API; answers the
    browser's session (localStorage ``skills.session``) for the super-admin."""
    import time

    import httpx

    from bench.dashboard import _submission
    from bench.submissions import seed_questionnaire
    from shared.auth import repository
    from shared.auth.common import issue_pair
    from shared.runtime import current_runtime

    version = seed_questionnaire(db, url)
    with db.transaction() as conn:
        user = repository.insert_user(conn, "bench@example.org", "Bench Admin", "$argon2id$bench", "super-admin")
        pair = issue_pair(conn, current_runtime().tokens, user.id)
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    with httpx.Client(base_url=gateway.base_url, timeout=30, headers=headers) as http:
        for n in range(SUBMISSIONS):
            key = {"Idempotency-Key": str(uuid.uuid4())}
            response = http.post("/api/v1/assessments/submit", json=_submission(version, n), headers=key)
            assert response.status_code == 201, response.text
        me = http.get("/api/v1/auth/me").json()
    session = {
        "accessToken": pair.access_token,
        "accessExpiresAt": int((time.time() + pair.expires_in) * 1000),
        "refreshToken": pair.refresh_token,
        "user": me,
    }
    return json.dumps(session)


def _browser(base_url: str, session: str) -> dict[str, list[dict[str, Any]]]:
    env = {**os.environ, "BASE_URL": base_url, "SESSION": session, "ROUNDS": str(ROUNDS), "CHROMIUM": CHROMIUM}
    run = subprocess.run(
        ["node", "e2e/bench.mjs"], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if run.returncode != 0:
        raise RuntimeError(f"the browser run failed:\n{run.stdout}\n{run.stderr}")
    result: dict[str, list[dict[str, Any]]] = json.loads(run.stdout)
    return result


def run() -> tuple[str, dict[str, float]]:
    from bench.dashboard import Gateway

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")  # boto3 signs the management API's requests
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    _build()
    with bench_database() as (db, cluster):
        url = cluster.url("postgres")
        with Gateway(url) as gateway:
            session = _seed(gateway, db, url)
            loads = _browser(gateway.base_url, session)

    first = loads["cold"][0]
    initial = _gzipped(first["scriptsBeforeData"])
    everything = _gzipped(first["scriptsAll"])
    later = {path: size for path, size in everything.items() if path not in initial}
    initial_kb = sum(initial.values()) / 1024
    later_kb = sum(later.values()) / 1024
    found = re.search(r'<script type="module"[^>]* src="([^"]+)"', (DIST / "index.html").read_text())
    entry = found.group(1) if found else "?"

    def ms(key: str, kind: str, q: float | None = None) -> float:
        values = [float(x[key]) for x in loads[kind] if x[key] is not None]
        return statistics.median(values) if q is None else percentile(values, q)

    results = {
        "initial_js_gzip_kb": initial_kb,
        "later_js_gzip_kb": later_kb,
        "cold_ms_to_data_p50": ms("msToData", "cold"),
        "warm_ms_to_data_p50": ms("msToData", "warm"),
    }
    machine = describe().splitlines()[1].removeprefix("- Machine: ")
    rows = [f"| `{Path(p).name}` | {s / 1024:.1f} |" for p, s in sorted(initial.items(), key=lambda x: -x[1])]
    lines = [
        "## SPA",
        "",
        f"Machine: {machine}. The SPA built from the current sources (`vite build`); the local platform in a"
        f" process of its own with {SUBMISSIONS} submissions; Debian's Chromium (playwright-core) opening"
        " `/dashboard` signed in as a super-admin, on localhost.",
        "",
        "### JavaScript of the initial route",
        "",
        "Every script the browser fetched for `/dashboard` before its figures showed (the entry, its"
        " preloaded chunks, the dashboard route's chunks), gzipped at zlib's default level. The charting"
        " library's chunk is fetched after the figures show, while the charts' placeholders are on screen.",
        "",
        "| script | gzipped KB |",
        "|---|---:|",
        *rows,
        f"| **initial route, {len(initial)} scripts** | **{initial_kb:.1f}** (target {TARGET_KB} KB or less:"
        f" {'met' if initial_kb <= TARGET_KB else 'NOT met'}) |",
        f"| then: the charts ({', '.join(f'`{Path(p).name}`' for p in later)}) | {later_kb:.1f} |",
        "",
        f"The entry (`{Path(entry).name}`) holds React, React DOM, React Router and the app's shell; each page is a"
        " chunk of its own, fetched when its route is opened.",
        "",
        "### Time until the dashboard shows data",
        "",
        "From navigation start until the totals show the summary's figures (`performance.now()` in the page);"
        f" {ROUNDS} loads each. Cold: a new browser profile (no HTTP cache, no service worker), as a first visit."
        " Warm: the same tab loaded again (the hashed assets from cache, the service worker in place). Beside"
        " them, in the same loads: `DOMContentLoaded`, and the summary request's own duration. One load before"
        " them warms the platform (its functions' first invocations import their modules) and is not counted.",
        "",
        "| load | to data, p50 ms | to data, p90 ms | DOMContentLoaded p50 ms | summary request p50 ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {kind} | {ms('msToData', kind):.0f} | {ms('msToData', kind, 0.9):.0f} |"
            f" {ms('domContentLoaded', kind):.0f} | {ms('summaryMs', kind):.0f} |"
            for kind in ("cold", "warm")
        ),
        "",
    ]
    return "\n".join(lines), results
