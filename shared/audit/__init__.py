"""The audit log: security and data events, written in the same transaction as the change they record."""
