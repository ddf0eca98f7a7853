"""The runtime of an execution environment: built once from the settings, it holds the database, the key
material and the adapters of everything that leaves the process. Use cases receive it (or the one part they
need); they never read settings or module globals. Tests and the local platform replace parts in one call
(``Runtime.replace`` then ``install_runtime``).

Every part is built on first use, so a function builds (and needs the settings of) only what it uses: the
health check never reads the TOTP key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from msgspec import Struct, field
from msgspec.structs import replace

from shared.db import Database
from shared.errors import ConfigError
from shared.runtime.ledger import LogLedger
from shared.runtime.meter import Meter

if TYPE_CHECKING:  # built on first use: a function that checks no token never imports jwt or AES
    from twilio.http import HttpClient

    from shared.config import Settings, TwilioConfig
    from shared.runtime.ports import Clock, Invoker, Ledger, Messenger, ObjectStorage, SocketPoster
    from shared.security.secretbox import SecretBox
    from shared.security.tokens import TokenService

T = TypeVar("T")
TWILIO_CONFIG_TTL_S = 300  # as long as the secret's own cache: a rotated token is picked up within it


class SystemClock:
    """The Clock of every environment: the system's time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class Runtime(Struct):
    """A msgspec Struct rather than a dataclass: every function builds the class at import, and a dataclass's
    generated methods cost about half a millisecond to compile."""

    settings: Settings
    meter: Meter = field(default_factory=Meter)
    clock: Clock = field(default_factory=SystemClock)
    database: Database | None = None
    token_service: TokenService | None = None
    secret_box: SecretBox | None = None
    storage: ObjectStorage | None = None
    sockets: SocketPoster | None = None
    invoker: Invoker | None = None
    messenger: Messenger | None = None
    twilio_api: HttpClient | None = None
    ledger: Ledger = field(default_factory=LogLedger)
    _memos: dict[str, tuple[Any, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # the parts' names only: memos hold secrets (Twilio's token)
        built = [n for n in self.__struct_fields__ if not n.startswith("_") and getattr(self, n) is not None]
        return f"Runtime({', '.join(built)})"

    # -- parts, built on first use ---------------------------------------------------------------------

    def _part(self, name: str, build: Callable[[], T]) -> T:
        value = getattr(self, name)
        if value is None:
            with self._lock:
                value = getattr(self, name)
                if value is None:
                    value = build()
                    setattr(self, name, value)
        return value

    @property
    def db(self) -> Database:
        return self._part("database", self._build_database)

    @property
    def tokens(self) -> TokenService:
        return self._part("token_service", self._build_tokens)

    @property
    def box(self) -> SecretBox:
        from shared.security.secretbox import SecretBox

        return self._part("secret_box", lambda: SecretBox(self.settings.totp_key()))

    @property
    def exports(self) -> ObjectStorage:
        return self._part("storage", self._build_storage)

    @property
    def websockets(self) -> SocketPoster:
        return self._part("sockets", self._build_sockets)

    @property
    def invoke(self) -> Invoker:
        return self._part("invoker", self._build_invoker)

    @property
    def messages(self) -> Messenger:
        """Outbound WhatsApp messages: Twilio's REST API through the Twilio egress job (an invoke)."""
        return self._part("messenger", self._build_messenger)

    @property
    def twilio_https(self) -> HttpClient:
        """The Twilio egress job's last hop to Twilio's API: HTTPS in AWS; locally a recording client that answers as
        Twilio does and never reaches the network (``TWILIO_OUTBOUND``)."""
        return self._part("twilio_api", self._build_twilio_api)

    @property
    def twilio(self) -> TwilioConfig:
        """Twilio's account, token and public webhook URL; raises ConfigError without a token."""
        config: TwilioConfig = self.memo("twilio-config", TWILIO_CONFIG_TTL_S, self.settings.twilio)
        return config

    def _build_database(self) -> Database:
        s = self.settings
        return Database(
            s.database_conninfo,
            connect_timeout_s=s.db_connect_timeout_s,
            # Through RDS Proxy, its init query sets the timeout (startup options are refused there).
            statement_timeout_ms=None if s.database_via_proxy else s.db_statement_timeout_ms,
            retry_attempts=s.db_retry_attempts,
            on_statement=self.meter.on_statement,
        )

    def _build_tokens(self) -> TokenService:
        from shared.security.tokens import TokenService

        keys = self.settings.jwt_keys()
        return TokenService(keys.keys, keys.current_kid)

    def _build_storage(self) -> ObjectStorage:
        from shared.runtime.aws import S3Storage

        if not self.settings.exports_bucket:
            raise ConfigError("EXPORTS_BUCKET is not set for this function")
        return S3Storage(
            self.settings.exports_bucket,
            self.settings.aws_region,
            self.meter,
            endpoint_url=self.settings.aws_endpoint_url,
        )

    def _build_sockets(self) -> SocketPoster:
        from shared.runtime.aws import ApiGatewaySockets

        if not self.settings.websocket_management_url:
            raise ConfigError("WEBSOCKET_MANAGEMENT_URL is not set for this function")
        return ApiGatewaySockets(self.settings.websocket_management_url, self.settings.aws_region, self.meter)

    def _build_messenger(self) -> Messenger:
        from shared.runtime.twilio import TIMEOUT_S, TwilioMessenger
        from shared.runtime.twilio_egress import EgressHttpClient

        # Signed here (this function reads the Twilio secret), sent by the egress job (it has a way out of the VPC).
        return TwilioMessenger(
            self.twilio, self.meter, http_client=EgressHttpClient(self.invoke, TIMEOUT_S, self.meter)
        )

    def _build_twilio_api(self) -> HttpClient:
        from shared.runtime.twilio import RecordingHttpClient, TwilioHttps

        return RecordingHttpClient() if self.settings.twilio_outbound_mode == "recording" else TwilioHttps()

    def _build_invoker(self) -> Invoker:
        from shared.runtime.aws import LambdaInvoker

        return LambdaInvoker(dict(self.settings.invoke_targets), self.settings.aws_region, self.meter)

    # -- per-environment memo ----------------------------------------------------------------------------

    def memo(self, key: str, ttl_s: float, build: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
        """A value kept for this execution environment for ``ttl_s`` seconds (reference data, prices); with
        ``keep``, only a built value it accepts is kept (the others are built again next time)."""
        now = time.monotonic()
        found = self._memos.get(key)  # (value, expires at)
        if found is None or found[1] <= now:
            built = build()
            if keep is not None and not keep(built):
                return built
            found = (built, now + ttl_s)
            self._memos[key] = found
        return cast("T", found[0])

    def forget(self, key: str | None = None) -> None:
        """Drop one memo, or all of them."""
        if key is None:
            self._memos.clear()
        else:
            self._memos.pop(key, None)

    def replace(self, **parts: Any) -> Runtime:
        """A runtime with these parts replaced (``db=``, ``storage=``, ``clock=`` ...), sharing the others
        that are already built; memos start empty."""
        aliases = {"db": "database", "tokens": "token_service", "box": "secret_box"}
        names = {name for name in self.__struct_fields__ if not name.startswith("_")}
        changes = {aliases.get(k, k): v for k, v in parts.items()}
        unknown = set(changes) - names
        if unknown:
            raise TypeError(f"unknown runtime parts {sorted(unknown)}")
        return replace(self, **changes, _memos={}, _lock=threading.Lock())


_current: Runtime | None = None
_current_lock = threading.Lock()


def current_runtime() -> Runtime:
    """This environment's runtime, built from the settings on first use. Only the edge (function wrappers,
    the web layer's dependencies) calls this; use cases receive the runtime."""
    global _current
    if _current is None:
        with _current_lock:
            if _current is None:
                from shared.config import get_settings

                _current = Runtime(get_settings())
    return _current


def install_runtime(runtime: Runtime | None) -> None:
    """Make ``runtime`` this process's runtime (tests, the local platform); None: build anew from settings."""
    global _current
    _current = runtime


@contextmanager
def runtime_with(**parts: Any) -> Iterator[Runtime]:
    """The process's runtime with some parts replaced, for the length of a block (tests: one call)."""
    previous = current_runtime()
    replaced = previous.replace(**parts)
    install_runtime(replaced)
    try:
        yield replaced
    finally:
        install_runtime(previous)
