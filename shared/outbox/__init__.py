"""The transactional outbox: events written with the state change that caused them, delivered at least once by
the relay (shared.outbox.relay), kicked after each commit and swept every minute."""
