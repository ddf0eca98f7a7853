"""The outbox relay: claims due events with FOR UPDATE SKIP LOCKED, dispatches each by its type, and records
the outcome in the same transaction. Delivery is at least once (a relay that dies mid-batch leaves its events
pending, and the next run sends them again); consumers are idempotent by event id.

Two kinds of consumer:

- a direct consumer handles one event at a time (a message to an export's owner, a worker job to start);
- a topic consumer receives every due event of its types in one push, at most one push per ``every_s`` per
  topic (dashboard pushes are coalesced: each post is a billed message). One relay at a time pushes a topic,
  under a transaction-scoped lock; it waits for the topic's next slot while holding it, so other relays skip
  the topic instead of piling up behind it.

A failed delivery is retried with exponential backoff and recorded (attempts, last error); after
``max_attempts`` the event is parked (status failed) for a super-admin to look at and send again.

No event is left behind: a relay that held a topic's lock checks again for due events after releasing it,
and keeps going while there are some (within its time budget). A relay that found the lock taken leaves
the topic to its holder, who will do that check.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from psycopg import Connection

from shared.manifest import Job
from shared.manifest import OutboxEvent as OutboxEventTrigger
from shared.outbox import repository
from shared.outbox.models import OutboxEvent
from shared.runtime import Runtime

logger = logging.getLogger(__name__)

# Consumers work on the relay's connection, inside its transaction (each in a savepoint of its own), so that
# what they change in the database commits with the event's outcome.
DirectConsumer = Callable[[Runtime, Connection[Any], OutboxEvent], None]


class TopicConsumer(Protocol):
    """Receives every due event of ``event_types`` in one push; raises if the push failed as a whole."""

    @property
    def topic(self) -> str: ...

    @property
    def event_types(self) -> frozenset[str]: ...

    def push(self, rt: Runtime, conn: Connection[Any], events: Sequence[OutboxEvent]) -> None: ...


class NoConsumer(Exception):
    """An event of a type nothing consumes (kept pending, then parked, so that it is seen)."""


@dataclass
class RelayReport:
    dispatched: int = 0
    failed: int = 0
    parked: int = 0
    pushes: int = 0
    rounds: int = 0
    oldest_pending_s: float = 0.0  # after the run: how long the oldest event still to deliver has waited
    by_type: dict[str, int] = field(default_factory=dict)

    def count(self, events: Sequence[OutboxEvent]) -> None:
        self.dispatched += len(events)
        for event in events:
            self.by_type[event.event_type] = self.by_type.get(event.event_type, 0) + 1


class _Push(Enum):
    LOCKED = "locked"  # another relay holds the topic
    EMPTY = "empty"  # held it, nothing was due; released
    PUSHED = "pushed"
    OUT_OF_TIME = "out-of-time"


@dataclass
class Relay:
    direct: Mapping[str, DirectConsumer]
    topics: Sequence[TopicConsumer] = ()
    batch: int = 100
    push_cap: int = 1000  # events per topic push
    every_s: float = 1.0  # at most one push per topic per this many seconds
    max_attempts: int = 8
    base_delay_s: float = 10.0
    max_delay_s: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def run(self, rt: Runtime, budget_s: float, each_round: Callable[[Runtime], object] | None = None) -> RelayReport:
        """Deliver what is due until nothing is, or ``budget_s`` has passed. ``each_round`` runs first in every
        round (the dashboard's fold)."""
        deadline = self.clock() + budget_s
        report = RelayReport()
        while self.clock() < deadline:
            report.rounds += 1
            if each_round is not None:
                each_round(rt)
            busy = self._deliver_direct(rt, report) >= self.batch
            for consumer in self.topics:
                outcome = self._push(rt, consumer, deadline, report)
                if outcome is _Push.PUSHED:
                    busy = True
                elif outcome is _Push.EMPTY:
                    # Released: a relay that found the lock taken meanwhile left its events to us.
                    with rt.db.transaction(read_only=True) as conn:
                        busy = busy or repository.has_due(conn, consumer.event_types)
            if not busy:
                break
        with rt.db.transaction(read_only=True) as conn:
            report.oldest_pending_s = repository.oldest_pending_age_s(conn)
        return report

    def backoff_s(self, attempts_before: int) -> float:
        """The wait after failed attempt ``attempts_before + 1``: exponential, capped, with jitter."""
        delay = min(self.max_delay_s, self.base_delay_s * 2**attempts_before)
        return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not crypto

    def _topic_types(self) -> frozenset[str]:
        return frozenset().union(*(c.event_types for c in self.topics)) if self.topics else frozenset()

    def _deliver_direct(self, rt: Runtime, report: RelayReport) -> int:
        with rt.db.transaction() as conn:
            events = repository.claim(conn, self._topic_types(), of_types=False, limit=self.batch)
            done: list[UUID] = []
            for event in events:
                try:
                    consumer = self.direct.get(event.event_type)
                    if consumer is None:
                        raise NoConsumer(f"no consumer for event type {event.event_type}")
                    with conn.transaction():
                        consumer(rt, conn, event)
                    done.append(event.id)
                except Exception as exc:
                    self._failed(conn, [event], exc, report)
            repository.mark_dispatched(conn, done)
        report.count([e for e in events if e.id in set(done)])
        return len(events)

    def _push(self, rt: Runtime, consumer: TopicConsumer, deadline: float, report: RelayReport) -> _Push:
        with rt.db.transaction() as conn:
            # A relay that stops answering mid-push must not keep the topic or its events locked for long.
            conn.execute("SET LOCAL idle_in_transaction_session_timeout = '10s'")
            if not repository.try_topic_lock(conn, consumer.topic):
                return _Push.LOCKED
            if not repository.has_due(conn, consumer.event_types):
                return _Push.EMPTY
            wait = repository.seconds_to_next_push(conn, consumer.topic, self.every_s)
            if self.clock() + wait >= deadline:
                return _Push.OUT_OF_TIME
            if wait > 0:
                self.sleep(wait)
            events = repository.claim(conn, consumer.event_types, of_types=True, limit=self.push_cap)
            if not events:
                return _Push.EMPTY
            try:
                with conn.transaction():
                    consumer.push(rt, conn, events)
            except Exception as exc:
                self._failed(conn, events, exc, report)
                return _Push.PUSHED
            repository.mark_dispatched(conn, [e.id for e in events])
            repository.record_push(conn, consumer.topic)
        report.pushes += 1
        report.count(events)
        return _Push.PUSHED

    def _failed(
        self, conn: Connection[Any], events: Sequence[OutboxEvent], exc: Exception, report: RelayReport
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        logger.warning(
            "outbox delivery failed",
            extra={"events": [str(e.id) for e in events], "event_type": events[0].event_type, "error": error},
        )
        # Events pushed together fail together; each keeps its own attempt count.
        for attempts in sorted({e.attempts for e in events}):
            ids = [e.id for e in events if e.attempts == attempts]
            report.parked += repository.mark_failed(conn, ids, error, self.backoff_s(attempts), self.max_attempts)
        report.failed += len(events)


# -- worker jobs started by events (manifest jobs with an OutboxEvent trigger) ---------------------------


def workers_by_event_type(jobs: Sequence[Job]) -> dict[str, tuple[str, ...]]:
    """Event type -> the names of the jobs its events start, from the manifest's OutboxEvent triggers."""
    found: dict[str, tuple[str, ...]] = {}
    for job in jobs:
        for trigger in job.triggers:
            if isinstance(trigger, OutboxEventTrigger):
                for event_type in sorted(trigger.event_types):
                    found[event_type] = (*found.get(event_type, ()), job.name)
    return found


def start_workers(workers: Mapping[str, Sequence[str]]) -> dict[str, DirectConsumer]:
    """A consumer per event type that starts its jobs with an asynchronous invoke carrying the event; the jobs
    are idempotent by event id (an event may start them more than once)."""

    def consumer(names: Sequence[str]) -> DirectConsumer:
        def start(rt: Runtime, conn: Connection[Any], event: OutboxEvent) -> None:
            payload = {"source": "outbox", "event": event.model_dump(mode="json")}
            for name in names:
                rt.invoke.invoke_async(name, payload)

        return start

    return {event_type: consumer(names) for event_type, names in workers.items()}
