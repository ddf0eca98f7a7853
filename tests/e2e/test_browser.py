"""The SPA in a real browser against the real local platform.

Starts the local platform (gateway, Lambda handlers, the test PostgreSQL, the built SPA) on a free port and
runs the Playwright suite (frontend/e2e/run.mjs, playwright-core driving Debian's Chromium) against it:
first sign-up, 2FA enrolment and sign-in with a code, invitations, an enumerator finishing an assessment
offline and syncing it, finance kept out of users, the dashboard taking a submission made through the API and
one made on the WhatsApp simulator page over its WebSocket without a reload, an export with its progress bar, its
download and a share link. Screenshots of every page land in docs/screenshots.
``make test`` builds the SPA and installs Chromium before it runs this.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import uvicorn
from openpyxl import load_workbook

from local.seed import seed
from local.server import build_local_platform, server_config
from shared.db import Database

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
# build/ (ignored) unless asked: a test run leaves the tracked docs/screenshots alone (`make screenshots`).
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "build" / "screenshots")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SAMPLE_XLSX = ROOT / "shared" / "questionnaires" / "samples" / "skills_baseline.xlsx"


@pytest.fixture
def live_platform(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The local platform served over real HTTP and WebSocket on a free port, with the reference data of
    ``make dev``: the relay posts to the browser's WebSocket through the gateway's management endpoint."""
    needed = (FRONTEND / "dist" / "index.html", FRONTEND / "node_modules", Path(CHROMIUM))
    missing = [p for p in needed if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(map(str, missing))}: `make test` builds the SPA and installs Chromium first")
    # boto3 signs its management API calls: throwaway credentials, as make dev gives it.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    seed(database_url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    platform = build_local_platform(environments=4, base_url=base_url)
    platform.start()
    server = uvicorn.Server(server_config(platform.app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the local platform did not start")
        time.sleep(0.02)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        platform.stop()
        sock.close()


@pytest.fixture
def workbook_with_mistakes(tmp_path: Path) -> Path:
    """The sample questionnaire with an unknown question type and an option of an unknown question."""
    book = load_workbook(SAMPLE_XLSX)
    questions = book["questions"]
    type_column = [c.value for c in questions[1]].index("type") + 1
    questions.cell(row=3, column=type_column, value="yesno")
    options = book["options"]
    options.cell(row=2, column=1, value="no_such_question")
    path = tmp_path / "questionnaire-with-mistakes.xlsx"
    book.save(path)
    return path


@pytest.mark.timeout(400)
def test_the_spa_end_to_end_in_chromium(
    live_platform: str, database_url: str, workbook_with_mistakes: Path, tmp_path: Path
) -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "BASE_URL": live_platform,
        "SCREENSHOT_DIR": str(SCREENSHOTS),
        "IMPORT_XLSX": str(workbook_with_mistakes),
        "RESULT_FILE": str(result_file),
        "CHROMIUM": CHROMIUM,
    }
    try:
        run = subprocess.run(
            ["node", "e2e/run.mjs"], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=240, check=False
        )
    except subprocess.TimeoutExpired as stuck:
        pytest.fail(f"the browser run took over 240 s:\n{stuck.stdout!s}\n{stuck.stderr!s}")
    assert run.returncode == 0, f"the browser run failed:\n{run.stdout}\n{run.stderr}"

    # What the browser saw through the API, checked once more in the database: the enumerator's offline
    # assessment is stored exactly once, however often the page synced.
    facts = json.loads(result_file.read_text())
    assert facts["enumerator"]["assessments"] == 1
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM assessments a JOIN users u ON u.id = a.enumerator_id WHERE u.email = %s",
            (facts["enumerator"]["email"],),
        ).fetchone()
    assert row == (1,)
    # The export the browser ran and downloaded, and its share link: one download counted, then revoked.
    export = facts["export"]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT status, rows, bytes FROM exports WHERE id = %s", (export["id"],)).fetchone()
        links = conn.execute(
            "SELECT downloads, revoked_at IS NOT NULL FROM export_links WHERE export_id = %s", (export["id"],)
        ).fetchall()
    assert stored == ("ready", export["rows"], export["bytes"])
    assert links == [(1, True)]
    # The README shows each of these.
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"docs/screenshots/([a-z0-9-]+\.png)", readme))
    taken = {p.name for p in SCREENSHOTS.glob("*.png")}
    assert shown == taken
    assert shown == {p.name for p in DOCS_SCREENSHOTS.glob("*.png")}
