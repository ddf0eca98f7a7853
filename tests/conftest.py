"""Test bootstrapping: a PostgreSQL of the suite's own (unless TEST_DATABASE_URL names one), an isolated
database per run with every migration applied, and a clean slate per test (TRUNCATE, no re-migration).

The server starts only when a test asks for a database, so ``pytest tests/unit`` opens no socket.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from local.aws import MotoEndpoint, create_exports_bucket, local_aws_environment, start_moto
from local.postgres import Cluster
from local.secrets import generate_auth_secrets, twilio_development_settings
from local.server import build_local_platform
from shared.config import get_settings
from shared.db import Database
from shared.db.migrate import migrate
from shared.runtime import Runtime, install_runtime
from shared.runtime.aws import S3Storage

# Settings the code under test reads: throwaway auth keys, and a database URL that is never dialled (tests
# hand the code a runtime holding their Database through install_runtime).
for _name, _value in generate_auth_secrets().items():
    os.environ.setdefault(_name, _value)
os.environ.setdefault("DATABASE_URL", "postgresql://tests@127.0.0.1:1/not-used")
# Twilio as make dev runs it: the development token of .env.example, and the local gateway's URL (the api
# fixture's base URL) as the public URL signatures are checked against.
LOCAL_BASE_URL = "http://127.0.0.1:8000"
os.environ.update(twilio_development_settings())
os.environ["TWILIO_WEBHOOK_BASE_URL"] = LOCAL_BASE_URL
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
# Throwaway credentials for the suite's moto server (the endpoint is passed explicitly where it is used, so
# tests that mock AWS in-process are not sent to it).
for _name, _value in local_aws_environment("unused").items():
    if _name != "AWS_ENDPOINT_URL":
        os.environ.setdefault(_name, _value)


@dataclass
class PgServer:
    """A server the suite may create and drop databases on."""

    admin_url: str
    cluster: Cluster | None = None

    def url(self, dbname: str) -> str:
        return make_conninfo(self.admin_url, dbname=dbname)

    def create_database(self, prefix: str = "skills_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        admin = make_conninfo(external, dbname=conninfo_to_dict(external).get("dbname") or "postgres")
        yield PgServer(admin)
        return
    root = Path(tempfile.mkdtemp(prefix="skills-test-pg-"))
    cluster = Cluster(root, fast_and_unsafe=True)
    try:
        cluster.init()
        cluster.start()
        yield PgServer(cluster.url("postgres"), cluster)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(pg_server: PgServer) -> Iterator[str]:
    """A database for this run with every migration applied."""
    name = pg_server.create_database()
    url = pg_server.url(name)
    migrate(url)
    yield url
    pg_server.drop_database(name)


# Reference data the migrations themselves write (the price table): kept between tests.
MIGRATION_DATA = ("schema_migrations", "price_versions", "prices", "shared_capacity")


def _truncate_all(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT tablename = ANY(%s)",
                (list(MIGRATION_DATA),),
            )
        ]
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)
                )
            )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoEndpoint]:
    """moto's server on a free 127.0.0.1 port, standing in for S3, as under ``make dev``."""
    endpoint = start_moto()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def exports_bucket(moto_server: MotoEndpoint) -> str:
    """A bucket of the test's own, made as the stateful stack makes the exports bucket. (Per test: moto's
    in-process mocks of other tests reset the server's state.)"""
    name = f"exports-{secrets.token_hex(6)}"
    create_exports_bucket(moto_server.url, name)
    return name


@pytest.fixture
def runtime(database_url: str, moto_server: MotoEndpoint, exports_bucket: str) -> Iterator[Runtime]:
    """The process's runtime, its database the run's and its exports bucket moto's; every table is emptied
    after the test."""
    rt = Runtime(get_settings())
    database = Database(lambda: database_url, retry_attempts=5, on_statement=rt.meter.on_statement)
    storage = S3Storage(exports_bucket, rt.settings.aws_region, rt.meter, endpoint_url=moto_server.url)
    rt = rt.replace(db=database, storage=storage)
    install_runtime(rt)
    try:
        yield rt
    finally:
        database.close()
        install_runtime(None)
        _truncate_all(database_url)


@pytest.fixture
def db(runtime: Runtime) -> Database:
    """The runtime's Database (the run's database; emptied after the test)."""
    return runtime.db


@pytest.fixture
def fresh_database(pg_server: PgServer) -> Iterator[str]:
    """An empty database (no migrations), dropped after the test."""
    name = pg_server.create_database("skills_fresh")
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL of the test's own, for tests that stop and start the server."""
    root = Path(tempfile.mkdtemp(prefix="skills-test-own-pg-"))
    cluster = Cluster(root, fast_and_unsafe=True)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def api(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the local platform (gateway -> Lambda handlers -> the test database)."""
    platform = build_local_platform(environments=4)
    transport = httpx.ASGITransport(app=platform.app, client=("198.51.100.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=LOCAL_BASE_URL) as client:
        yield client
    platform.stop()


@pytest.fixture
def make_migrations(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write migration files into a folder of the test's own."""

    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / "migrations"
        folder.mkdir(exist_ok=True)
        for name, body in files.items():
            (folder / name).write_text(body)
        return folder

    return write


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How much the API fuzzer did (tests/integration/test_api_fuzz.py), when it ran."""
    fuzz = sys.modules.get("tests.integration.test_api_fuzz")
    stats = getattr(fuzz, "STATS", None)
    if stats and stats["requests"]:
        terminalreporter.write_line(f"schemathesis: {stats['requests']} requests in {stats['seconds']:.0f} s")
