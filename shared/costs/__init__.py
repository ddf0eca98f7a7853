"""The cost ledger: what every invocation cost, priced from a versioned price table, and finance's reports."""
