"""Exports: xlsx workbooks of assessments, answers and costs, made by a worker, kept in S3 and shared
through signed, expiring, revocable links."""
