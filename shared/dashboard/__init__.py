"""The live dashboard: exact figures from totals kept by the outbox relay and the deltas submissions write."""
