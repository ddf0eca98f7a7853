"""Export use cases of the API: request an export (a row and its ``export.requested`` outbox event in one
transaction), read exports, hand out short-lived download URLs, and manage share links, whose public route
counts, audits and rate-limits every download.

Who sees what: an export is its owner's; super-admin sees all. Assessments and answers need
``exports.create``, costs ``costs.export`` (shared/auth/permissions.py). Someone else's export is a 404, as
if it did not exist.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth.permissions import Role, may, sees_only_own_records
from shared.auth.principal import Principal
from shared.costs.service import DEFAULT_PERIOD, MAX_PERIOD
from shared.errors import Conflict, Forbidden, Gone, NotFound, TooManyRequests, ValidationFailed, problem
from shared.exports import repository
from shared.exports.models import (
    AssessmentFilters,
    CostFilters,
    ExportCreate,
    ExportCreated,
    ExportPage,
    ExportPublic,
    LinkCreate,
    LinkCreated,
    LinkList,
    LinkPublic,
)
from shared.exports.workbook import XLSX_CONTENT_TYPE
from shared.outbox.service import kick_relay
from shared.pagination import decode_cursor, page_of
from shared.request_context import RequestContext
from shared.runtime import Runtime

logger = logging.getLogger(__name__)

DOWNLOAD_URL_SECONDS = 300  # a presigned URL is valid 5 minutes at most
TOKEN_BYTES = 32  # 256 bits
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) gives
LINK_GONE = "This link is no longer valid."  # the same words whatever the reason
LINK_UNKNOWN = "No such link."


class ExportNotReady(Conflict):
    code = "export_not_ready"
    default_message = "The export is not ready: only a ready export can be downloaded or shared."


# -- filters ------------------------------------------------------------------------------------------------


def permission_for(kind: str) -> str:
    return "costs.export" if kind == "costs" else "exports.create"


def parse_filters(
    kind: str, filters: dict[str, Any], now: datetime, at: tuple[str, ...] = ("body", "filters")
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The filters as stored and shown (JSON values; a cost export's period resolved now) and the SQL
    parameters they stand for. Raises ValidationFailed naming ``<at>.<field>`` (``body.filters.since``)."""
    model: type[BaseModel] = CostFilters if kind == "costs" else AssessmentFilters
    try:
        parsed = model.model_validate(filters)
    except ValidationError as exc:
        raise ValidationFailed(
            details=[problem([*at, *err["loc"]], err["msg"], err["type"]) for err in exc.errors()]
        ) from None
    if isinstance(parsed, CostFilters):
        end = parsed.to or now
        start = parsed.from_ or end - DEFAULT_PERIOD
        if start >= end or end - start > MAX_PERIOD:
            raise ValidationFailed(
                details=[problem([*at, "from"], "must be before to, at most 400 days before", "value_error")]
            )
        parsed = parsed.model_copy(update={"from_": start, "to": end})
        params = {**parsed.model_dump(exclude={"from_"}), "from": start}
    else:
        assert isinstance(parsed, AssessmentFilters)
        values = parsed.model_dump()
        params = {**values, "version_id": values.pop("questionnaire_version_id")}
    return parsed.model_dump(mode="json", by_alias=True, exclude_none=True), params


def viewer_only(owner_id: UUID, role: Role) -> UUID | None:
    """The user whose records alone an export of this owner may read, or None for all."""
    return owner_id if sees_only_own_records(role) else None


# -- exports ------------------------------------------------------------------------------------------------


def filename_for(kind: str, export_id: UUID, at: datetime) -> str:
    return f"{kind}-{at:%Y%m%d-%H%M%S}-{export_id.hex[:8]}.xlsx"


def object_key(export_id: UUID) -> str:
    return f"exports/{export_id}.xlsx"


def public(row: dict[str, Any]) -> ExportPublic:
    return ExportPublic(**{k: row[k] for k in ExportPublic.model_fields})


def new_export_row(principal: Principal, kind: str, filters: dict[str, Any], now: datetime) -> dict[str, Any]:
    export_id = uuid.uuid4()
    return {"id": export_id, "owner_id": principal.id, "kind": kind, "filters": filters,
            "filename": filename_for(kind, export_id, now)}  # fmt: skip


def requested_event(row: dict[str, Any]) -> dict[str, Any]:
    return {"export_id": str(row["id"]), "owner_id": str(row["owner_id"]), "kind": row["kind"]}


def audit_created(conn: Any, principal: Principal, row: dict[str, Any], ctx: RequestContext) -> None:
    audit.record(
        conn,
        AuditEntry(action="exports.create", actor_id=principal.id, actor_email=principal.email, target_type="export",
                   target_id=str(row["id"]), details={"kind": row["kind"], "filters": row["filters"]}),
        ctx,
    )  # fmt: skip


def request_export(rt: Runtime, principal: Principal, body: ExportCreate, ctx: RequestContext) -> ExportCreated:
    """Raises Forbidden (the kind needs a permission the caller lacks) and ValidationFailed (filters)."""
    if not may(principal.role, permission_for(body.kind)):
        raise Forbidden(f"Your role may not export {body.kind}.")
    filters, _ = parse_filters(body.kind, body.filters, rt.clock.now())
    row = new_export_row(principal, body.kind, filters, rt.clock.now())
    with rt.db.transaction() as conn:
        row = repository.insert_export(conn, row)
        repository.add_event(conn, "export.requested", row["id"], requested_event(row), ctx.correlation_id)
        audit_created(conn, principal, row, ctx)
    kick_relay(rt, "export.requested")
    return ExportCreated(export_id=row["id"], status=row["status"])


def _visible(principal: Principal, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None or (row["owner_id"] != principal.id and principal.role is not Role.SUPER_ADMIN):
        raise NotFound("No such export.")
    return row


def list_exports(rt: Runtime, principal: Principal, cursor: str | None, limit: int) -> ExportPage:
    """The caller's exports, newest first; super-admin sees everyone's."""
    after = decode_cursor(cursor, datetime.fromisoformat, UUID)
    owner = None if principal.role is Role.SUPER_ADMIN else principal.id
    rows = repository.list_exports(rt.db, owner, after, limit + 1)
    items, next_cursor = page_of(rows, limit, lambda r: (r["created_at"], r["id"]))
    return ExportPage(items=[public(r) for r in items], next_cursor=next_cursor)


def get_export(rt: Runtime, principal: Principal, export_id: UUID) -> ExportPublic:
    """Raises NotFound."""
    with rt.db.transaction(read_only=True) as conn:
        return public(_visible(principal, repository.get_export(conn, export_id)))


def _downloadable(row: dict[str, Any]) -> dict[str, Any]:
    if row["status"] == "expired":
        raise Gone("The export's file has expired and was removed.")
    if row["status"] != "ready":
        raise ExportNotReady(details={"status": row["status"]})
    return row


def presign(rt: Runtime, row: dict[str, Any]) -> str:
    return rt.exports.presign_get(
        row["object_key"], expires_s=DOWNLOAD_URL_SECONDS, filename=row["filename"], content_type=XLSX_CONTENT_TYPE,
        size_bytes=row["bytes"],
    )  # fmt: skip


def download_url(rt: Runtime, principal: Principal, export_id: UUID, ctx: RequestContext) -> str:
    """A presigned GET of the export's file, valid 5 minutes. Raises NotFound, ExportNotReady (409) and Gone
    (410, the file has expired)."""
    with rt.db.transaction() as conn:
        row = _downloadable(_visible(principal, repository.get_export(conn, export_id)))
        audit.record(
            conn,
            AuditEntry(action="exports.download", actor_id=principal.id, actor_email=principal.email,
                       target_type="export", target_id=str(export_id)),
            ctx,
        )  # fmt: skip
    return presign(rt, row)


# -- share links ----------------------------------------------------------------------------------------------


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _link(row: dict[str, Any]) -> LinkPublic:
    return LinkPublic(**{k: row[k] for k in LinkPublic.model_fields})


def create_link(
    rt: Runtime, principal: Principal, export_id: UUID, body: LinkCreate, base_url: str, ctx: RequestContext
) -> LinkCreated:
    """A new share link; its token appears in the answer only. It expires with the file at the latest.
    Raises NotFound, ExportNotReady (409) and Gone (410)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with rt.db.transaction() as conn:
        row = _downloadable(_visible(principal, repository.get_export(conn, export_id)))
        link = repository.insert_link(
            conn,
            {"export_id": export_id, "token_hash": token_hash(token), "created_by": principal.id,
             "expires_in": body.expires_in, "export_expires_at": row["expires_at"],
             "max_downloads": body.max_downloads},
        )  # fmt: skip
        audit.record(
            conn,
            AuditEntry(action="exports.link_create", actor_id=principal.id, actor_email=principal.email,
                       target_type="export", target_id=str(export_id),
                       details={"link_id": str(link["id"]), "expires_at": link["expires_at"].isoformat(),
                                "max_downloads": body.max_downloads}),
            ctx,
        )  # fmt: skip
    return LinkCreated(
        id=link["id"], url=f"{base_url}/api/v1/d/{token}", expires_at=link["expires_at"],
        max_downloads=link["max_downloads"], downloads=link["downloads"],
    )  # fmt: skip


def list_links(rt: Runtime, principal: Principal, export_id: UUID) -> LinkList:
    with rt.db.transaction(read_only=True) as conn:
        _visible(principal, repository.get_export(conn, export_id))
        return LinkList(items=[_link(r) for r in repository.list_links(conn, export_id)])


def revoke_link(rt: Runtime, principal: Principal, export_id: UUID, link_id: UUID, ctx: RequestContext) -> None:
    """Revokes at once (again: no change). Raises NotFound for another's export or a link not of this export."""
    with rt.db.transaction() as conn:
        _visible(principal, repository.get_export(conn, export_id))
        link = repository.revoke_link(conn, export_id, link_id, principal.id)
        if link is None:
            raise NotFound("No such link.")
        audit.record(
            conn,
            AuditEntry(action="exports.link_revoke", actor_id=principal.id, actor_email=principal.email,
                       target_type="export", target_id=str(export_id), details={"link_id": str(link_id)}),
            ctx,
        )  # fmt: skip


def _refusal(link: dict[str, Any]) -> str:
    # An active link whose export's file has expired is refused for the file's sake.
    return "export_expired" if link["status"] == "active" else str(link["status"])


def public_download(rt: Runtime, token: str, ctx: RequestContext) -> str:
    """A presigned GET of a shared export, for anyone holding a good link; the download is counted and
    audited (time, address, user agent). Raises TooManyRequests (this address, this minute), NotFound (no
    such link) and Gone (expired, revoked or used up: the answer does not say which)."""
    hits, resets_in = repository.hit(rt.db, f"download:{ctx.source_ip or 'unknown'}")
    if hits > rt.settings.download_rate_per_minute:
        raise TooManyRequests("Too many downloads from this address; try again shortly.", retry_after=resets_in)
    if not _TOKEN.match(token):
        raise NotFound(LINK_UNKNOWN)
    digest = token_hash(token)
    refused: dict[str, Any] | None = None
    with rt.db.transaction() as conn:
        taken = repository.take_download(conn, digest)
        if taken is None:
            refused = repository.link_by_hash(conn, digest)
            if refused is None:
                raise NotFound(LINK_UNKNOWN)
        link = taken or refused
        assert link is not None
        audit.record(
            conn,
            AuditEntry(action="exports.link_download", outcome="success" if taken else "failure",
                       target_type="export", target_id=str(link["export_id"]),
                       details={"link_id": str(link["id"]), "user_agent": (ctx.user_agent or "")[:300],
                                "downloads": link["downloads"],
                                **({"refused": _refusal(refused)} if refused else {})}),
            ctx,
        )  # fmt: skip
    if taken is None:
        raise Gone(LINK_GONE)
    return presign(rt, taken)
