"""The two ways to run the platform, chosen with ``-c profile=...`` (production is the default).

- ``production``: Aurora never pauses (0.5 ACU floor) and functions reach it through RDS Proxy, which pools their
  connections and survives failovers. A Secrets Manager interface endpoint serves the proxy and the database
  secret's rotation function.
- ``lean``: for an organisation that runs assessments a few weeks a year. Aurora scales to 0 ACU and pauses when no
  connection is open; functions connect to it directly (a proxy would keep it awake and bill 8 ACUs an hour);
  nothing is billed by the hour while it idles.

Both leave the VPC the same way: IPv6 through an egress-only internet gateway (free), S3 through a gateway
endpoint (free), and no NAT gateway. README.md ("Deploying") says how each function reaches what it needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

ProfileName = Literal["production", "lean"]


@dataclass(frozen=True)
class Profile:
    name: ProfileName
    # Aurora Serverless v2 capacity of the writer, in ACUs. A minimum of 0 lets the instance pause.
    min_acu: float
    max_acu: float
    # Idle seconds before a 0-ACU-capable instance pauses (Aurora accepts 300 to 86,400).
    auto_pause_s: int | None
    rds_proxy: bool
    # Availability zones given an interface endpoint for Secrets Manager; 0: none.
    secrets_endpoint_azs: int
    # The cluster's max_connections, set in its parameter group so that the budget below is a fact, not an
    # estimate. Aurora's own default for a 4-ACU maximum is about 900 (DBInstanceClassMemory / 9531392).
    max_connections: int
    # Share of max_connections RDS Proxy may open (production); the rest is for operators and rotation.
    proxy_connections_percent: int
    # Connections kept out of the functions' budget when they connect directly (lean).
    admin_connections: int
    # Server-side close of idle sessions (ms): a frozen Lambda environment keeps its connection open, and an open
    # connection keeps Aurora from pausing. None: connections live as long as their environment.
    idle_session_timeout_ms: int | None
    # Reserved concurrency a function gets unless its manifest entry asks for another share.
    default_function_concurrency: int
    # How the database's master secret is rotated: by a Secrets Manager-hosted function in the VPC (needs a
    # route to Secrets Manager: the interface endpoint), or by Aurora itself (needs no route and no function).
    database_rotation: Literal["hosted", "managed"]
    # The shortest interval at which a scheduled job that opens a database connection should run: each run
    # wakes a paused Aurora for idle_session_timeout + auto_pause_s at least. None: no limit.
    database_job_min_interval_s: int | None
    # How long a function waits for a database connection (DB_CONNECT_TIMEOUT_S), and the shortest timeout a
    # function that connects may have: a paused Aurora takes about 15 s to resume on the first connection.
    database_connect_timeout_s: int
    min_function_timeout_s: int

    @property
    def connection_budget(self) -> int:
        """Database connections the functions may hold between them when every one of them is busy."""
        if self.rds_proxy:
            # Through the proxy a function's connection borrows a database connection only while a transaction
            # runs; the budget still holds if every session were pinned.
            return self.max_connections * self.proxy_connections_percent // 100
        return self.max_connections - self.admin_connections

    def job_schedule(self, expression: str) -> str:
        """The schedule a database job should run on in this profile: ``expression`` unless it runs more often
        than the profile allows, then ``rate(<the minimum interval>)``.

        Raises ValueError for an expression other than ``rate(...)`` when the profile limits the interval (a cron
        expression's interval is not checked here: pass a ``rate``).
        """
        if self.database_job_min_interval_s is None:
            return expression
        interval = rate_seconds(expression)
        if interval >= self.database_job_min_interval_s:
            return expression
        return seconds_as_rate(self.database_job_min_interval_s)

    def function_timeout_s(self, wanted_s: int, *, ceiling_s: int | None = None) -> int:
        """The timeout of a function that connects to the database: ``wanted_s``, raised to the profile's minimum
        (a resuming database), and never above ``ceiling_s`` (API Gateway's integration timeout for routes)."""
        timeout = max(wanted_s, self.min_function_timeout_s)
        return min(timeout, ceiling_s) if ceiling_s is not None else timeout


PRODUCTION = Profile(
    name="production",
    min_acu=0.5,
    max_acu=4,
    auto_pause_s=None,
    rds_proxy=True,
    secrets_endpoint_azs=2,
    # Under Aurora's own default for the 4-ACU maximum (about 900), with room for every function's share.
    max_connections=700,
    proxy_connections_percent=90,
    admin_connections=0,
    idle_session_timeout_ms=None,
    default_function_concurrency=8,
    database_rotation="hosted",
    database_job_min_interval_s=None,
    database_connect_timeout_s=5,
    min_function_timeout_s=0,
)

LEAN = Profile(
    name="lean",
    min_acu=0,
    max_acu=4,
    auto_pause_s=300,
    rds_proxy=False,
    secrets_endpoint_azs=0,
    max_connections=400,
    proxy_connections_percent=0,
    admin_connections=10,
    # Longer than the 30 s after which shared/db checks an idle connection before use, so a warm environment
    # between two requests of one user keeps its connection; short against the 300 s pause delay.
    idle_session_timeout_ms=60_000,
    default_function_concurrency=4,
    database_rotation="managed",
    database_job_min_interval_s=86_400,
    # Above the resume (about 15 s; longer after a day paused) and within API Gateway's 29 s.
    database_connect_timeout_s=20,
    min_function_timeout_s=25,
)

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (PRODUCTION, LEAN)}

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86_400, "days": 86_400}


def rate_seconds(expression: str) -> int:
    """Seconds between two runs of an EventBridge ``rate(N unit)`` expression; ValueError for anything else."""
    text = expression.strip()
    if not (text.startswith("rate(") and text.endswith(")")):
        raise ValueError(f"{expression!r}: not a rate(...) expression")
    amount, _, unit = text[5:-1].strip().partition(" ")
    if not amount.isdigit() or unit.strip() not in _UNITS or int(amount) < 1:
        raise ValueError(f"{expression!r}: expected rate(<positive integer> minute(s)|hour(s)|day(s))")
    return int(amount) * _UNITS[unit.strip()]


def seconds_as_rate(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"rate({count} {unit}{'s' if count > 1 else ''})"
    return f"rate({math.ceil(seconds / 60)} minutes)"


class BudgetExceeded(ValueError):
    """Functions would hold more database connections between them than the profile's budget allows."""


class ConnectionBudget:
    """Shares the database's connection budget out as Lambda reserved concurrency, one claim per function.

    Each execution environment of a function holds at most one database connection, so a function's reserved
    concurrency is the most connections it can hold; the claims add up to the profile's connection_budget at most.
    Reserved concurrency is also a guarantee taken from the account's pool: the account needs at least the total
    claimed plus the 100 Lambda keeps unreserved (a quota increase on new accounts, whose limit can be lower).
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.claims: dict[str, int] = {}

    @property
    def total(self) -> int:
        return self.profile.connection_budget

    @property
    def claimed(self) -> int:
        return sum(self.claims.values())

    def claim(self, name: str, concurrency: int | None = None) -> int:
        """The reserved concurrency to give function ``name``: ``concurrency`` or the profile's default.

        Raises BudgetExceeded when the claims would add up to more than the budget, and ValueError for a second
        claim under one name or a concurrency below 1.
        """
        wanted = self.profile.default_function_concurrency if concurrency is None else concurrency
        if wanted < 1:
            raise ValueError(f"{name}: reserved concurrency must be at least 1, got {wanted}")
        if name in self.claims:
            raise ValueError(f"{name}: already holds a share of the connection budget")
        if self.claimed + wanted > self.total:
            raise BudgetExceeded(
                f"{name}: {wanted} more connections would make {self.claimed + wanted}, over the {self.profile.name} "
                f"budget of {self.total} (max_connections {self.profile.max_connections})"
            )
        self.claims[name] = wanted
        return wanted
