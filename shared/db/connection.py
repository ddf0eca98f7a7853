"""One PostgreSQL connection per execution environment, and the transaction helpers every use case uses.

Lambda runs one request at a time per execution environment and keeps module state between requests, so
the connection lives as long as the environment. The local runtime runs each environment on its own
thread, hence the thread-local: a connection is never shared by two requests at once.

The connection is in autocommit mode; a use case opens ``transaction()`` (one attempt) or
``run_in_transaction()`` (retried on serialization failure and deadlock) explicitly.
``prepare_threshold=None`` keeps RDS Proxy from pinning the session to one backend.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row, tuple_row

from shared.db.errors import is_retryable, translated_errors
from shared.errors import ConcurrencyConflict, DatabaseUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
_cursor_names = itertools.count()


class IsolationLevel(StrEnum):
    READ_COMMITTED = "READ COMMITTED"
    REPEATABLE_READ = "REPEATABLE READ"
    SERIALIZABLE = "SERIALIZABLE"


class Database:
    """Lazily opened, health-checked, per-environment connection plus transaction helpers.

    ``conninfo`` is called at each (re)connect, so a rotated secret is picked up on reconnection.
    """

    def __init__(
        self,
        conninfo: Callable[[], str],
        *,
        connect_timeout_s: int = 5,
        statement_timeout_ms: int | None = 15_000,
        retry_attempts: int = 5,
        application_name: str = "skills-platform",
        probe_after_idle_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_statement: Callable[[float, int], None] | None = None,
    ) -> None:
        self._conninfo = conninfo
        self._connect_timeout_s = connect_timeout_s
        self._statement_timeout_ms = statement_timeout_ms
        self._retry_attempts = retry_attempts
        self._application_name = application_name
        self._probe_after_idle_s = probe_after_idle_s
        self._sleep = sleep
        self._local = threading.local()
        self._on_statement = on_statement
        self._cursor_factory = _timed_cursor(on_statement) if on_statement else None

    # -- connection -------------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conninfo = self._conninfo()
            if self._statement_timeout_ms is not None:  # None: set elsewhere (RDS Proxy refuses startup options)
                conninfo = make_conninfo(conninfo, options=f"-c statement_timeout={self._statement_timeout_ms}")
            conn = psycopg.connect(
                conninfo,
                autocommit=True,
                prepare_threshold=None,
                connect_timeout=self._connect_timeout_s,
                application_name=self._application_name,
                row_factory=dict_row,
            )
            if self._cursor_factory is not None:
                conn.cursor_factory = self._cursor_factory
        except psycopg.OperationalError as exc:
            # The message may carry the host name but never the password; keep it out of the response.
            logger.warning("database connection failed: %s", str(exc).splitlines()[0] if str(exc) else exc)
            self._local.unreachable_at = time.monotonic()
            raise DatabaseUnavailable() from exc
        self._local.unreachable_at = None
        return conn

    def connection(self) -> psycopg.Connection[Any]:
        """This environment's connection, opened now if there is none or the last one broke."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                conn.close()
            conn = self._connect()
            self._local.conn = conn
        self._local.used_at = time.monotonic()
        return conn

    def _checked_connection(self) -> psycopg.Connection[Any]:
        """This environment's connection for a statement that may not be sent twice. One that sat idle for
        longer than ``probe_after_idle_s`` (a frozen Lambda environment, a proxy's idle timeout) is checked
        first with one round trip and replaced if it is gone, so that the statement meets a live connection;
        a busy connection is used as it is."""
        last_used = getattr(self._local, "used_at", None)
        conn = self.connection()
        if last_used is not None and time.monotonic() - last_used > self._probe_after_idle_s:
            try:
                conn.execute("SELECT 1")
            except psycopg.OperationalError:
                logger.info("an idle database connection was gone; reconnecting")
                conn.close()
                conn = self.connection()
        return conn

    def recently_unreachable(self, within_s: float = 5.0) -> bool:
        """Whether this environment failed to connect in the last ``within_s`` seconds: work that may be
        skipped (the cost ledger's write) does not wait for another connection timeout then."""
        failed_at: float | None = getattr(self._local, "unreachable_at", None)
        return failed_at is not None and time.monotonic() - failed_at < within_s

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- transactions -----------------------------------------------------------------------------

    @contextmanager
    def transaction(
        self,
        isolation: IsolationLevel = IsolationLevel.READ_COMMITTED,
        *,
        read_only: bool = False,
    ) -> Iterator[psycopg.Connection[Any]]:
        """One transaction on this environment's connection; commits on success, rolls back on error.

        A connection found dead at BEGIN (server restart, proxy idle timeout, failover) is replaced once:
        nothing of this use case has reached the server yet, so that is always safe.

        Raises DatabaseUnavailable when the database cannot be reached, the translated domain error for
        constraint violations, and psycopg's own error for serialization failures and deadlocks (which
        ``run_in_transaction`` retries).
        """
        conn = self._begin(isolation, read_only)
        try:
            with translated_errors():
                yield conn
                conn.execute("COMMIT")
        except BaseException:
            self._rollback_quietly(conn)
            raise

    def fetch_one(self, query: Any, params: Any = None) -> dict[str, Any] | None:
        """One read-only statement outside any explicit transaction: a single statement is atomic on its own,
        and this saves the BEGIN and COMMIT round trips (for hot reads such as the token check).

        Reconnects once, like ``transaction``. Raises DatabaseUnavailable."""
        return self.run_statement(query, params, idempotent=True, attempts=1)

    def run_statement(
        self, query: Any, params: Any = None, *, idempotent: bool, attempts: int | None = None
    ) -> dict[str, Any] | None:
        """One statement as its own transaction (autocommit): atomic on its own, in one round trip. Its first
        row, if any.

        A serialization failure or deadlock rolled the whole statement back, so it is sent again (bounded,
        with jitter, like ``run_in_transaction``). A connection lost on the way leaves the outcome unknown:
        the statement is sent once more on a new connection only when ``idempotent`` (running it twice has
        the effect of running it once, e.g. a read), and otherwise raises DatabaseUnavailable; such a
        statement is only sent on a connection checked first if it sat idle (``_checked_connection``).

        Raises DatabaseUnavailable, ConcurrencyConflict, and the translated domain error of a violation."""
        limit = attempts or self._retry_attempts
        reconnected = False
        attempt = 0
        while True:
            attempt += 1
            conn = self.connection() if idempotent else self._checked_connection()
            try:
                with translated_errors():  # leaves only retryable errors (and bugs) as driver errors
                    row: dict[str, Any] | None = conn.execute(query, params).fetchone()
                return row
            except DatabaseUnavailable:  # the connection was lost
                conn.close()
                if reconnected or not idempotent:
                    raise
                reconnected = True
                logger.info("database connection was lost; sending the statement again on a new connection")
            except psycopg.Error as exc:
                if not is_retryable(exc):
                    raise
                self._back_off(exc, attempt, limit)

    def _back_off(self, exc: psycopg.Error, attempt: int, limit: int) -> None:
        """Wait before attempt ``attempt + 1``; ConcurrencyConflict when ``attempt`` was the last allowed."""
        if attempt >= limit:
            raise ConcurrencyConflict(details={"attempts": attempt, "sqlstate": exc.sqlstate}) from exc
        delay = random.uniform(0, min(0.5, 0.01 * 2**attempt))  # noqa: S311 - jitter, not crypto
        logger.info("retrying after %s (attempt %d of %d)", exc.sqlstate, attempt, limit)
        self._sleep(delay)

    def _begin(self, isolation: IsolationLevel, read_only: bool) -> psycopg.Connection[Any]:
        begin = f"BEGIN ISOLATION LEVEL {isolation.value}{' READ ONLY' if read_only else ''}"
        for attempt in (1, 2):
            conn = self.connection()
            try:
                conn.execute(begin)  # built from an enum, never from input
                return conn
            except psycopg.OperationalError as exc:
                conn.close()
                if attempt == 2:
                    raise DatabaseUnavailable() from exc
                logger.info("database connection was broken; reconnecting once")
        raise AssertionError("unreachable")

    @staticmethod
    def _rollback_quietly(conn: psycopg.Connection[Any]) -> None:
        if conn.closed or conn.broken:
            return
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            conn.close()

    @contextmanager
    def pipelined_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """One READ COMMITTED transaction in pipeline mode: statements go out without waiting for one another,
        BEGIN with the first and COMMIT with the last, and the client waits only where it reads a result. A use
        case that reads, decides, then writes takes two round trips.

        Each statement still runs in order and takes its own snapshot, after the locks of the ones before it.
        A failed statement aborts the rest and the transaction is rolled back. Raises as ``transaction``."""
        conn = self._checked_connection()
        try:
            with translated_errors():
                with conn.pipeline():
                    conn.execute("BEGIN")
                    yield conn
                    conn.execute("COMMIT")
                    waiting = time.perf_counter()
                # Leaving the block sent COMMIT and what was queued before it, and waited for the results.
                if self._on_statement is not None:
                    self._on_statement(time.perf_counter() - waiting, 0)
        except BaseException:
            self._rollback_quietly(conn)
            raise

    def run_pipelined(self, work: Callable[[psycopg.Connection[Any]], T], *, attempts: int | None = None) -> T:
        """``work`` in a ``pipelined_transaction``, run again from the start on serialization failure or deadlock
        (bounded, with jitter, as ``run_in_transaction``). ``work`` must have no effect outside the database.

        Raises ConcurrencyConflict when every attempt failed that way."""
        limit = attempts or self._retry_attempts
        for attempt in range(1, limit + 1):
            try:
                with self.pipelined_transaction() as conn:
                    return work(conn)
            except psycopg.Error as exc:
                if not is_retryable(exc):
                    raise
                self._back_off(exc, attempt, limit)
        raise AssertionError("unreachable")

    def stream(
        self, conn: psycopg.Connection[Any], query: Any, params: Any = None, *, batch_rows: int = 2000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``query`` as tuples, ``batch_rows`` at a time, through a server-side cursor (DECLARE,
        then FETCH) in the caller's transaction on ``conn``: however many rows there are, only one batch is
        in memory here. Each FETCH counts as a statement of its own for the cost ledger's database time."""
        with conn.cursor(name=f"stream_{next(_cursor_names)}", row_factory=tuple_row) as cursor:
            self._timed(lambda: cursor.execute(query, params))
            while True:
                batch = self._timed(lambda: cursor.fetchmany(batch_rows))
                if not batch:
                    return
                yield batch

    def _timed(self, call: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return call()
        finally:
            if self._on_statement is not None:
                self._on_statement(time.perf_counter() - started, 1)

    def run_in_transaction(
        self,
        work: Callable[[psycopg.Connection[Any]], T],
        *,
        isolation: IsolationLevel = IsolationLevel.READ_COMMITTED,
        read_only: bool = False,
        attempts: int | None = None,
    ) -> T:
        """Run ``work`` in a transaction, again from the start on serialization failure or deadlock.

        Retries are bounded, with exponential back-off and full jitter, so that two clashing transactions
        do not clash again in lock-step. ``work`` must have no effect outside the database.

        Raises ConcurrencyConflict when every attempt failed that way.
        """
        limit = attempts or self._retry_attempts
        for attempt in range(1, limit + 1):
            try:
                with self.transaction(isolation, read_only=read_only) as conn:
                    return work(conn)
            except psycopg.Error as exc:
                if not is_retryable(exc):
                    raise
                self._back_off(exc, attempt, limit)
        raise AssertionError("unreachable")


def _timed_cursor(on_statement: Callable[[float, int], None]) -> type[psycopg.Cursor[Any]]:
    """A cursor class reporting each statement's round trip (the cost ledger's database time). Results of
    a client-side cursor arrive within ``execute``, so its duration is the statement's whole time; in pipeline
    mode they arrive when first read, so that wait is reported too (as no further statement)."""

    class TimedCursor(psycopg.Cursor[Any]):
        def execute(self, *args: Any, **kwargs: Any) -> TimedCursor:
            started = time.perf_counter()
            try:
                super().execute(*args, **kwargs)
            finally:
                on_statement(time.perf_counter() - started, 1)
            return self

        def fetchone(self) -> Any:
            if self.connection.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF:
                return super().fetchone()
            started = time.perf_counter()
            try:
                return super().fetchone()
            finally:
                on_statement(time.perf_counter() - started, 0)

        def fetchall(self) -> list[Any]:
            if self.connection.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF:
                return super().fetchall()
            started = time.perf_counter()
            try:
                return super().fetchall()
            finally:
                on_statement(time.perf_counter() - started, 0)

    return TimedCursor
