"""Where ``make dev`` keeps its data between runs (git-ignored), and how to reach its database."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
from psycopg import sql

from local.postgres import Cluster, server_user_can_reach

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_DATABASE = "skills"


def dev_state_root() -> Path:
    """``.local/`` in the checkout, unless the server user cannot enter it (a checkout under a root-only
    folder): then a folder of its own under /var/tmp, named after the checkout so it is reused."""
    inside = REPO_ROOT / ".local"
    if server_user_can_reach(REPO_ROOT):
        return inside
    digest = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"skills-platform-dev-{digest}"


def dev_cluster() -> Cluster:
    return Cluster(dev_state_root() / "postgres")


def ensure_database(cluster: Cluster, name: str) -> str:
    """Create database ``name`` if missing and return its connection string."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return cluster.url(name)
