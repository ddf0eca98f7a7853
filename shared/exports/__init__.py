"""Exports: xlsx workbooks of assessments, answers and costs, made by a worker, kept in S3 and shared
through signed, expiring, revocable links."""

# How long an export's file is kept: the exports bucket's lifecycle rule (infra/stateful_stack.py, and
# local/aws.py for moto) removes it then, and the API shows the export as expired.
RETENTION_DAYS = 30
