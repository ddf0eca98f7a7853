"""Lambda entry points only. ``routes.py`` is the route manifest that CDK and the local gateway both read."""
