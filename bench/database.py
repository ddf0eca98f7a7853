"""A throwaway PostgreSQL for benchmarks, started and removed like the test suite's."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local.postgres import Cluster
from shared.db import Database, set_database
from shared.db.migrate import migrate


@contextmanager
def bench_database() -> Iterator[tuple[Database, Cluster]]:
    root = Path(tempfile.mkdtemp(prefix="skills-bench-pg-"))
    cluster = Cluster(root, fast_and_unsafe=False)
    try:
        cluster.init()
        cluster.start()
        url = cluster.url("postgres")
        migrate(url)
        database = Database(lambda: url)
        set_database(database)
        yield database, cluster
    finally:
        set_database(None)
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
