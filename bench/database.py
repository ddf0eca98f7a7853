"""A throwaway PostgreSQL for benchmarks, started and removed like the test suite's."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local.postgres import Cluster
from shared.config import get_settings
from shared.db import Database
from shared.db.migrate import migrate
from shared.runtime import Runtime, install_runtime

# A server sized like a database host rather than PostgreSQL's defaults (128 MB of buffers, a checkpoint at
# every 1 GB of WAL): both pgbench and the platform's statements run on it. Durability stays on (fsync,
# synchronous commit, full page writes), as in production.
SERVER_SETTINGS = {"shared_buffers": "'2GB'", "max_wal_size": "'8GB'", "checkpoint_timeout": "'30min'"}


@contextmanager
def bench_database() -> Iterator[tuple[Database, Cluster]]:
    root = Path(tempfile.mkdtemp(prefix="skills-bench-pg-"))
    cluster = Cluster(root, fast_and_unsafe=False, settings=SERVER_SETTINGS)
    try:
        cluster.init()
        cluster.start()
        url = cluster.url("postgres")
        migrate(url)
        runtime = Runtime(get_settings())
        database = Database(lambda: url, on_statement=runtime.meter.on_statement)
        install_runtime(runtime.replace(db=database))
        yield database, cluster
    finally:
        install_runtime(None)
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
