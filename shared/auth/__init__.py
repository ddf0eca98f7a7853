"""Accounts: passwords, JWTs, TOTP second factor, throttling, roles and the permission table."""
