"""Periodic clean-up of rows that only matter for a while (scheduled job ``housekeeping``)."""
