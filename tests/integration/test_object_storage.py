"""The S3 adapter against moto's server over HTTP: uploads streamed from a file with their digest, HEAD,
presigned GETs that download the file as a named attachment, and what each call is metered as. Expiry and
signature, which moto does not check, are checked here against the SigV4 rules (tests/presigned.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import httpx

from shared.runtime import Runtime
from shared.runtime.aws import put_requests
from shared.runtime.meter import Component, Usage
from tests.presigned import parse, signature_matches, verdict

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _secret() -> str:
    credentials = boto3.Session().get_credentials()
    assert credentials is not None
    return str(credentials.secret_key)


def test_a_file_goes_up_and_comes_down_through_a_presigned_url(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook" * 1000)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    storage = runtime.exports

    with runtime.meter.measure(Usage()) as usage:
        stored = storage.put_file("exports/a.xlsx", path, content_type=XLSX, sha256=digest)
        head = storage.head("exports/a.xlsx")
        url = storage.presign_get(
            "exports/a.xlsx", expires_s=300, filename='a "b"/c.xlsx', content_type=XLSX, size_bytes=stored.size
        )

    assert stored.size == path.stat().st_size
    assert head == stored
    assert storage.head("exports/missing.xlsx") is None
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == path.read_bytes()
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="a_b_c.xlsx"'
    assert response.headers["x-amz-server-side-encryption"] == "AES256"
    assert httpx.get(url.split("?")[0]).status_code == 403  # private: nothing without the signature
    assert usage.counts[Component.S3_WRITE_REQUEST] == 1
    assert usage.counts[Component.S3_READ_REQUEST] == 2  # the HEAD and the presigned GET
    assert usage.counts[Component.DATA_TRANSFER_OUT_GB] == Decimal(stored.size) / Decimal(1024**3)


def test_a_presigned_url_is_signed_for_what_it_carries_and_expires_when_it_says(runtime: Runtime) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    url = runtime.exports.presign_get("exports/a.xlsx", expires_s=300, filename="a.xlsx", content_type=XLSX)
    presigned = parse(url)

    assert presigned.expires_s == 300
    assert before <= presigned.signed_at <= datetime.now(UTC)
    assert presigned.params["response-content-disposition"] == 'attachment; filename="a.xlsx"'
    assert presigned.params["response-content-type"] == XLSX
    secret = _secret()
    assert verdict(url, secret, presigned.signed_at) == "valid"
    assert verdict(url, secret, presigned.expires_at - timedelta(seconds=1)) == "valid"
    assert verdict(url, secret, presigned.expires_at) == "expired"
    # Stretching the expiry, or changing the file name it hands out, breaks the signature.
    for original, forged in (
        ("X-Amz-Expires=300", "X-Amz-Expires=86400"),
        ("filename%3D%22a.xlsx", "filename%3D%22b.xlsx"),
    ):
        assert original in url
        assert not signature_matches(url.replace(original, forged), secret)
    parts = urlsplit(url)
    assert not signature_matches(urlunsplit(parts._replace(path=parts.path.replace("a.xlsx", "b.xlsx"))), secret)


def test_a_large_upload_is_metered_per_part() -> None:
    part = 8 * 1024 * 1024
    assert [put_requests(n) for n in (0, part, part + 1, 3 * part)] == [1, 1, 4, 5]
