"""What S3 itself checks on a presigned GET URL and moto does not: its SigV4 query signature, and its expiry
(X-Amz-Date + X-Amz-Expires). Written from the SigV4 specification, independently of botocore's signer."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

SIGV4_MAX_EXPIRES_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Presigned:
    params: dict[str, str]
    signed_at: datetime
    expires_s: int

    @property
    def expires_at(self) -> datetime:
        return self.signed_at + timedelta(seconds=self.expires_s)


def parse(url: str) -> Presigned:
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return Presigned(params, signed_at, int(params["X-Amz-Expires"]))


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature_matches(url: str, secret_key: str) -> bool:
    """Whether the URL's X-Amz-Signature is the one its other parts and ``secret_key`` give."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(pairs).get("X-Amz-Signature", "")
    signed_pairs = sorted((k, v) for k, v in pairs if k != "X-Amz-Signature")
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in signed_pairs)
    params = dict(pairs)
    signed_headers = params["X-Amz-SignedHeaders"]
    if signed_headers != "host":
        return False
    canonical = "\n".join(["GET", parts.path, query, f"host:{parts.netloc}", "", signed_headers, "UNSIGNED-PAYLOAD"])
    date, region, service, terminator = params["X-Amz-Credential"].split("/")[1:]
    scope = f"{date}/{region}/{service}/{terminator}"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _sign(_sign(_sign(_sign(f"AWS4{secret_key}".encode(), date), region), service), terminator)
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), given)


def verdict(url: str, secret_key: str, now: datetime) -> str:
    """What S3 would answer: "valid", "expired" or "bad-signature"."""
    if not signature_matches(url, secret_key):
        return "bad-signature"
    presigned = parse(url)
    if presigned.expires_s > SIGV4_MAX_EXPIRES_S or now >= presigned.expires_at:
        return "expired"
    return "valid"
