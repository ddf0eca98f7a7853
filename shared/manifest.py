"""The types of the function manifest (functions/routes.py holds the data): what a function is, how it is
reached, who may call it and what it needs.

CDK makes one Lambda per entry and grants it exactly its needs (and sets only their environment); the local
gateway serves the same entries; the web layer enforces the same auth rule types. Nothing here does I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum

from msgspec import Struct

# -- who may call ---------------------------------------------------------------------------------------


class Public(Struct, frozen=True):
    """Anyone."""

    def __str__(self) -> str:
        return "public"


class MfaPending(Struct, frozen=True):
    """Only the short-lived token issued between password and second factor."""

    def __str__(self) -> str:
        return "mfa-pending"


class Roles(Struct, frozen=True):
    """A signed-in user holding one of ``roles`` right now, per the database (super-admin holds all)."""

    roles: frozenset[str]

    def __post_init__(self) -> None:
        if not self.roles:
            raise ValueError("a Roles rule names at least one role")

    def __str__(self) -> str:
        return "roles:" + ",".join(sorted(self.roles))


class TwilioSignature(Struct, frozen=True):
    """A request signed by Twilio (X-Twilio-Signature over the configured public URL and the form)."""

    def __str__(self) -> str:
        return "twilio-signature"


class WebSocketTicket(Struct, frozen=True):
    """A WebSocket ``$connect`` carrying an unused, unexpired ticket, from an allowed Origin."""

    def __str__(self) -> str:
        return "websocket-ticket"


class WebSocketConnection(Struct, frozen=True):
    """A message or disconnect on a connection that ``$connect`` accepted (API Gateway vouches for the id)."""

    def __str__(self) -> str:
        return "websocket-connection"


class Internal(Struct, frozen=True):
    """No caller of the outside world: only AWS (a schedule, a deployment, an invoke, a log subscription)."""

    def __str__(self) -> str:
        return "internal"


AuthRule = Public | MfaPending | Roles | TwilioSignature | WebSocketTicket | WebSocketConnection | Internal

# -- what a function needs ------------------------------------------------------------------------------


class Need(StrEnum):
    """What a function may use; CDK grants exactly these and sets only their environment."""

    DATABASE = "database"  # the database secret (and, in production, the proxy)
    JWT_KEYS = "jwt-keys"  # the JWT signing key secret
    TOTP_KEY = "totp-key"  # the TOTP encryption key secret
    TWILIO = "twilio"  # the Twilio secret (webhook signatures, outbound messages)
    EXPORTS_BUCKET = "exports-bucket"  # read and write the exports bucket, presign its objects
    WEBSOCKET_MANAGEMENT = "websocket-management"  # post to and delete WebSocket connections
    INVOKE_RELAY = "invoke-relay"  # invoke the outbox relay asynchronously after a commit
    INVOKE_WORKERS = "invoke-workers"  # invoke the jobs that outbox events trigger (the relay)
    # Call Twilio's REST API: invoke the Twilio egress job synchronously (outside the VPC, it has an IPv4 way out).
    TWILIO_EGRESS = "twilio-egress"


SECRET_NEEDS = frozenset({Need.DATABASE, Need.JWT_KEYS, Need.TOTP_KEY, Need.TWILIO})


def implied_needs(rule: AuthRule) -> frozenset[Need]:
    """What enforcing a rule takes: checking a token reads its keys and the caller's row."""
    match rule:
        case Roles() | MfaPending():
            return frozenset({Need.JWT_KEYS, Need.DATABASE})
        case TwilioSignature():
            return frozenset({Need.TWILIO})
        case WebSocketTicket() | WebSocketConnection():
            return frozenset({Need.DATABASE})
    return frozenset()


class Channel(StrEnum):
    """Where a request came from, for the cost ledger."""

    WEB = "web"
    WHATSAPP = "whatsapp"
    WEBSOCKET = "websocket"
    SYSTEM = "system"


# -- entries --------------------------------------------------------------------------------------------

# Literal segments may end in a file extension (``/exports/assessments.xlsx``).
_PATH = re.compile(r"^/api/v1(/([a-z0-9-]+(\.[a-z0-9]+)?|\{[a-z_]+\}))+$")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_SCHEDULE_UNITS = frozenset({"minute", "minutes", "hour", "hours", "day", "days"})
API_GATEWAY_TIMEOUT_S = 29


def _camel(words: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[-_/{}$. ]+", words) if w)


# Names, modules and schedules are checked with string methods: every function builds the whole manifest when it
# starts, and each regular expression compiled there costs about 0.1 ms of its cold start.
def _kebab(name: str) -> bool:
    """``[a-z][a-z0-9-]*``."""
    return name[:1].isalpha() and name.isascii() and name.islower() and name.replace("-", "").isalnum()


def _dotted_module(module: str) -> bool:
    """Two or more lowercase identifiers joined by dots: ``functions.health``."""
    parts = module.split(".")
    return len(parts) > 1 and module.isascii() and all(p.isidentifier() and p == p.lower() for p in parts)


def _check_entry(
    key: str, auth: object, needs: object, module: str, memory_mb: int, timeout_s: int, max_timeout_s: int
) -> None:
    if not isinstance(auth, AuthRule):
        raise ValueError(f"{key}: the auth rule must be one of the rule types, not {auth!r}")
    if not isinstance(needs, frozenset) or not all(isinstance(n, Need) for n in needs):
        raise ValueError(f"{key}: needs are a frozenset of Need")
    if not _dotted_module(module):
        raise ValueError(f"{key}: the module must be a dotted module path")
    if not 128 <= memory_mb <= 10_240:
        raise ValueError(f"{key}: memory 128-10240 MB")
    if not 1 <= timeout_s <= max_timeout_s:
        raise ValueError(f"{key}: timeout 1-{max_timeout_s} s")


class HttpRoute(Struct, frozen=True):
    """One HTTP API route and its function."""

    method: str
    path: str
    module: str
    auth: AuthRule
    needs: frozenset[Need] = frozenset()
    memory_mb: int = 512
    timeout_s: int = 10
    channel: Channel = Channel.WEB

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"{self.method}: not an HTTP method the API uses")
        if not _PATH.match(self.path):
            raise ValueError(f"{self.path}: paths are /api/v1/... in kebab-case with {{snake_case}} parameters")
        if isinstance(self.auth, WebSocketTicket | WebSocketConnection | Internal):
            raise ValueError(f"{self.key}: {self.auth} is not a rule for an HTTP route")
        _check_entry(
            self.key, self.auth, self.needs, self.module, self.memory_mb, self.timeout_s, API_GATEWAY_TIMEOUT_S
        )

    @property
    def key(self) -> str:
        """The API Gateway route key, e.g. ``GET /api/v1/health``."""
        return f"{self.method} {self.path}"

    route_key = key

    @property
    def function_id(self) -> str:
        """A stable CamelCase name, e.g. ``GET /api/v1/users/{user_id}`` -> ``GetUsersUserId``."""
        return f"{self.method.capitalize()}{_camel(self.path.removeprefix('/api/v1'))}"

    @property
    def all_needs(self) -> frozenset[Need]:
        return self.needs | implied_needs(self.auth)


WEBSOCKET_ROUTE_KEYS = ("$connect", "$disconnect", "$default")


class WebSocketRoute(Struct, frozen=True):
    """One route of the WebSocket API (``$connect``, ``$disconnect``, ``$default``) and its function."""

    route_key: str
    module: str
    auth: AuthRule
    needs: frozenset[Need] = frozenset()
    memory_mb: int = 256
    timeout_s: int = 10
    # Two-way: the function's answer goes back to the client as a message (a route response on the route).
    two_way: bool = False

    def __post_init__(self) -> None:
        if self.route_key not in WEBSOCKET_ROUTE_KEYS:
            raise ValueError(f"{self.route_key}: WebSocket routes are {', '.join(WEBSOCKET_ROUTE_KEYS)}")
        if not isinstance(self.auth, WebSocketTicket | WebSocketConnection):
            raise ValueError(f"{self.route_key}: a WebSocket route takes a ticket or connection rule")
        _check_entry(
            self.key, self.auth, self.needs, self.module, self.memory_mb, self.timeout_s, API_GATEWAY_TIMEOUT_S
        )

    @property
    def key(self) -> str:
        return f"ws {self.route_key}"

    @property
    def function_id(self) -> str:
        return f"Ws{_camel(self.route_key)}"

    @property
    def all_needs(self) -> frozenset[Need]:
        return self.needs | implied_needs(self.auth)

    channel = Channel.WEBSOCKET


# -- job triggers ---------------------------------------------------------------------------------------


class Schedule(Struct, frozen=True):
    """An EventBridge schedule, ``rate(N unit)`` (the local scheduler runs those)."""

    expression: str

    def __post_init__(self) -> None:
        count, _, unit = self.expression.removeprefix("rate(").removesuffix(")").partition(" ")
        if not (
            self.expression.startswith("rate(")
            and self.expression.endswith(")")
            and count.isdigit()
            and count.isascii()
            and unit in _SCHEDULE_UNITS
        ):
            raise ValueError(f"{self.expression!r}: schedules are rate(N unit)")


class AsyncInvoke(Struct, frozen=True):
    """Invoked asynchronously by other functions (those whose entries need it)."""


class OnDeploy(Struct, frozen=True):
    """Run by every deployment before the API takes traffic; the deployment fails if it fails."""


class OutboxEvent(Struct, frozen=True):
    """Started by the outbox relay for events of these types."""

    event_types: frozenset[str]


class LogSubscription(Struct, frozen=True):
    """Fed by a subscription to the log groups of the other functions."""


class SyncInvoke(Struct, frozen=True):
    """Invoked synchronously (RequestResponse) by the functions whose entries need ``by``."""

    by: Need


Trigger = Schedule | AsyncInvoke | OnDeploy | OutboxEvent | LogSubscription | SyncInvoke


class Job(Struct, frozen=True):
    """A function no client calls: started by its triggers."""

    name: str
    module: str
    triggers: tuple[Trigger, ...]
    needs: frozenset[Need] = frozenset()
    memory_mb: int = 512
    timeout_s: int = 60
    auth: AuthRule = Internal()
    # False: the function runs outside the VPC (an IPv4 way out to the internet, no way to the database), and
    # holds neither the database nor any secret.
    in_vpc: bool = True

    def __post_init__(self) -> None:
        if not _kebab(self.name):
            raise ValueError(f"{self.name!r}: job names are kebab-case")
        if not self.triggers:
            raise ValueError(f"{self.name}: a job has at least one trigger")
        if not self.in_vpc and self.needs & SECRET_NEEDS:
            raise ValueError(f"{self.name}: a job outside the VPC needs neither the database nor a secret")
        _check_entry(self.key, self.auth, self.needs, self.module, self.memory_mb, self.timeout_s, 900)

    @property
    def key(self) -> str:
        return f"job {self.name}"

    @property
    def function_id(self) -> str:
        return f"{_camel(self.name)}Job"

    @property
    def schedule(self) -> str | None:
        return next((t.expression for t in self.triggers if isinstance(t, Schedule)), None)

    @property
    def on_deploy(self) -> bool:
        return any(isinstance(t, OnDeploy) for t in self.triggers)

    @property
    def all_needs(self) -> frozenset[Need]:
        return self.needs

    channel = Channel.SYSTEM


Entry = HttpRoute | WebSocketRoute | Job
