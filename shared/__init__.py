"""The application core: configuration, database, domain modules and adapters.

Imports nothing from ``functions``, ``infra`` or ``local`` (checked by import-linter).
"""
