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
    from functions import housekeeping

    result = housekeeping.handler({}, LambdaContext(FunctionSpec("Housekeeping", "functions.housekeeping")))

    assert result == {"deleted": {"idempotency_keys": 1, "auth_failures": 1, "mfa_challenges": 0}}
    with db.transaction(read_only=True) as conn:
        keys = [r["key"] for r in conn.execute("SELECT key FROM idempotency_keys")]
        failures = conn.execute("SELECT count(*) AS n FROM auth_failures").fetchone()
    assert keys == ["live"]
    assert failures == {"n": 1}
