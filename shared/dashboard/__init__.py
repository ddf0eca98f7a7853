"""The live dashboard: exact figures from totals, plus the submissions whose events the outbox relay has not taken
off its list yet (taking one off folds it into the totals) and abandoned WhatsApp conversations not folded yet."""
