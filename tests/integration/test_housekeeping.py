"""The scheduled clean-up deletes only what has expired."""

from __future__ import annotations

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database


def test_housekeeping_deletes_expired_rows_only(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, expires_at) VALUES"
            " ('s', 'old', '\\x00', 201, '{}', now() - interval '1 minute'),"
            " ('s', 'live', '\\x00', 201, '{}', now() + interval '1 hour')"
        )
        conn.execute("INSERT INTO auth_failures (key, at) VALUES ('ip:1', now() - interval '2 days'), ('ip:1', now())")
        conn.execute(
            "INSERT INTO outbox (event_type, aggregate_id, payload, dispatched_at, parked_at) VALUES"
            " ('a.old', '1', '{}', now() - interval '8 days', NULL), ('a.new', '2', '{}', now(), NULL),"
            " ('a.failed', '3', '{}', NULL, now() - interval '30 days'), ('a.pending', '4', '{}', NULL, NULL)"
        )
        user = conn.execute(
            "INSERT INTO users (email, password_hash, role) VALUES ('u@example.org', '$argon2id$x', 'analyst')"
            " RETURNING id"
        ).fetchone()
        assert user is not None
        conn.execute(
            "INSERT INTO ws_tickets (token_hash, user_id, created_at, expires_at) VALUES"
            " (sha256('old'), %(u)s, now() - interval '2 hours', now() - interval '2 hours' + interval '1 minute'),"
            " (sha256('new'), %(u)s, now(), now() + interval '1 minute')",
            {"u": user["id"]},
        )
        conn.execute(
            "INSERT INTO ws_connections (connection_id, user_id, role, connected_at) VALUES"
            " ('old', %(u)s, 'analyst', now() - interval '4 hours'), ('new', %(u)s, 'analyst', now())",
            {"u": user["id"]},
        )
    from functions import housekeeping

    result = housekeeping.handler({}, LambdaContext(FunctionSpec("Housekeeping", "functions.housekeeping")))

    assert result == {
        "deleted": {
            "idempotency_keys": 1, "auth_failures": 1, "mfa_challenges": 0, "outbox": 1, "ws_tickets": 1,
            "ws_connections": 1, "request_rates": 0, "overdue_exports": 0,
        }
    }  # fmt: skip
    with db.transaction(read_only=True) as conn:
        keys = [r["key"] for r in conn.execute("SELECT key FROM idempotency_keys")]
        failures = conn.execute("SELECT count(*) AS n FROM auth_failures").fetchone()
        events = sorted(r["event_type"] for r in conn.execute("SELECT event_type FROM outbox"))
    assert keys == ["live"]
    assert events == ["a.failed", "a.new", "a.pending"]
    assert failures == {"n": 1}
