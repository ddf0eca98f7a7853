"""THE function manifest: plain, typed data (types in shared/manifest.py), read by the CDK app (one Lambda per
entry, granted exactly what it needs) and by the local gateway (the same routes, the same handlers). Every
entry names its auth rule and what it needs; tests refuse one without, and check that the template agrees.
"""

from __future__ import annotations

from shared.auth.permissions import ALL_ROLES, roles_for
from shared.manifest import (
    AsyncInvoke,
    Channel,
    Entry,
    HttpRoute,
    Job,
    LogSubscription,
    MfaPending,
    Need,
    OnDeploy,
    OutboxEvent,
    Public,
    Roles,
    Schedule,
    SyncInvoke,
    TwilioSignature,
    WebSocketConnection,
    WebSocketRoute,
    WebSocketTicket,
)
from shared.whatsapp.paths import INBOUND_PATH, STATUS_PATH

PUBLIC = Public()
MFA_PENDING = MfaPending()
TWILIO = TwilioSignature()
WHATSAPP = Channel.WHATSAPP
ROLES = frozenset(r.value for r in ALL_ROLES)

DB = Need.DATABASE
JWT = Need.JWT_KEYS
TOTP = Need.TOTP_KEY
TWILIO_SECRET = Need.TWILIO
# Functions that write outbox events kick the relay after their commit.
KICK = Need.INVOKE_RELAY
BUCKET = Need.EXPORTS_BUCKET
# Functions that call Twilio's REST API do it through the Twilio egress job (README, "How functions reach what they
# need"): they sign the request with the Twilio secret, the job forwards it from outside the VPC.
EGRESS = Need.TWILIO_EGRESS


def allowed(permission: str) -> Roles:
    """The rule for a permission of the one permission table (shared/auth/permissions.py)."""
    return Roles(frozenset(roles_for(permission)))


def allowed_any(*permissions: str) -> Roles:
    """The rule admitting whoever holds any of ``permissions`` (the service then checks which one applies)."""
    return Roles(frozenset(role for permission in permissions for role in roles_for(permission)))


def needs(*items: Need) -> frozenset[Need]:
    return frozenset(items)


Route = HttpRoute
EXPORTERS = allowed_any("exports.create", "costs.export")

ROUTES: tuple[HttpRoute, ...] = (
    Route("GET", "/api/v1/health", "functions.health", PUBLIC, needs(DB), memory_mb=256, timeout_s=5),
    # Accounts. Hashing passwords with argon2id (64 MiB) wants memory and a full vCPU.
    Route("POST", "/api/v1/auth/signup", "functions.auth_signup", PUBLIC, needs(DB), memory_mb=1024),
    Route("POST", "/api/v1/auth/login", "functions.auth_login", PUBLIC, needs(DB, JWT), memory_mb=1024),
    Route("POST", "/api/v1/auth/2fa/setup", "functions.auth_2fa_setup", allowed("self"), needs(TOTP)),
    Route("POST", "/api/v1/auth/2fa/enable", "functions.auth_2fa_enable", allowed("self"), needs(TOTP)),
    Route("POST", "/api/v1/auth/2fa/verify-login", "functions.auth_2fa_verify_login", MFA_PENDING, needs(TOTP)),
    Route("POST", "/api/v1/auth/2fa/disable", "functions.auth_2fa_disable", allowed("self"), needs(TOTP),
          memory_mb=1024),
    Route("POST", "/api/v1/auth/refresh", "functions.auth_refresh", PUBLIC, needs(DB, JWT)),
    Route("POST", "/api/v1/auth/logout", "functions.auth_logout", allowed("self")),
    Route("GET", "/api/v1/auth/me", "functions.auth_me", allowed("self")),
    Route("GET", "/api/v1/users", "functions.users_list", allowed("users.manage")),
    Route("POST", "/api/v1/users/invitations", "functions.users_invite", allowed("users.manage")),
    Route("PATCH", "/api/v1/users/{user_id}", "functions.users_update", allowed("users.manage")),
    Route("GET", "/api/v1/audit", "functions.audit_list", allowed("audit.read")),
    # Questionnaires.
    Route("GET", "/api/v1/questions", "functions.questions_list", allowed("questionnaires.read")),
    Route("POST", "/api/v1/questions", "functions.questions_create", allowed("questionnaires.write")),
    Route("PATCH", "/api/v1/questions/{question_id}", "functions.questions_update", allowed("questionnaires.write")),
    Route("DELETE", "/api/v1/questions/{question_id}", "functions.questions_delete", allowed("questionnaires.write")),
    Route("GET", "/api/v1/sectors", "functions.sectors_list", allowed("self")),
    Route("GET", "/api/v1/questionnaires", "functions.questionnaires_list", allowed("questionnaires.read")),
    Route("POST", "/api/v1/questionnaires", "functions.questionnaires_create", allowed("questionnaires.write")),
    Route("GET", "/api/v1/questionnaires/{questionnaire_id}", "functions.questionnaires_get",
          allowed("questionnaires.read")),
    Route("POST", "/api/v1/questionnaires/import", "functions.questionnaires_import", allowed("questionnaires.write"),
          memory_mb=1024, timeout_s=29),
    Route("POST", "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish",
          "functions.questionnaires_publish", allowed("questionnaires.write")),
    Route("POST", "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft",
          "functions.questionnaires_draft", allowed("questionnaires.write")),
    # Assessments.
    Route("POST", "/api/v1/assessments/submit", "functions.assessments_submit", allowed("assessments.submit"),
          needs(KICK)),
    Route("GET", "/api/v1/assessments", "functions.assessments_list", allowed("assessments.read")),
    Route("GET", "/api/v1/assessments/{assessment_id}", "functions.assessments_get", allowed("assessments.read")),
    Route("GET", "/api/v1/respondents", "functions.respondents_list", allowed("respondents.read")),
    Route("GET", "/api/v1/respondents/{respondent_id}", "functions.respondents_get", allowed("respondents.read")),
    Route("POST", "/api/v1/respondents/{respondent_id}/invite", "functions.respondents_invite",
          allowed("respondents.invite"), needs(DB, TWILIO_SECRET, EGRESS)),
    # WhatsApp: Twilio's webhooks, signed with the account's token.
    Route("POST", INBOUND_PATH, "functions.whatsapp_webhook", TWILIO, needs(DB, KICK), channel=WHATSAPP),
    # A status 63016 (outside the 24-hour window) sends the refused invitation again, as a template.
    Route("POST", STATUS_PATH, "functions.whatsapp_status", TWILIO, needs(DB, EGRESS), channel=WHATSAPP),
    # Reports.
    Route("GET", "/api/v1/reports/sectors", "functions.reports_sectors", allowed("reports.read")),
    Route("GET", "/api/v1/reports/skills", "functions.reports_skills", allowed("reports.read")),
    # The cost ledger (finance).
    Route("GET", "/api/v1/costs/summary", "functions.costs_summary", allowed("costs.read")),
    Route("GET", "/api/v1/costs/requests", "functions.costs_requests_list", allowed("costs.read")),
    Route("GET", "/api/v1/costs/requests/{request_id}", "functions.costs_request_get", allowed("costs.read")),
    Route("GET", "/api/v1/costs/per-assessment", "functions.costs_per_assessment", allowed("costs.read")),
    # The live dashboard, and the WebSocket API's tickets.
    Route("GET", "/api/v1/dashboard/summary", "functions.dashboard_summary", allowed("dashboard.read")),
    Route("POST", "/api/v1/ws/ticket", "functions.ws_ticket", allowed("self")),
    # The outbox, for super-admins.
    Route("GET", "/api/v1/admin/outbox", "functions.admin_outbox_list", allowed("outbox.manage")),
    Route("POST", "/api/v1/admin/outbox/{event_id}/retry", "functions.admin_outbox_retry", allowed("outbox.manage"),
          needs(KICK)),
    # Exports: assessments and answers need exports.create, costs need costs.export (checked per kind).
    Route("POST", "/api/v1/exports", "functions.exports_create", EXPORTERS, needs(KICK)),
    Route("GET", "/api/v1/exports", "functions.exports_list", EXPORTERS),
    Route("GET", "/api/v1/exports/assessments.xlsx", "functions.exports_assessments_xlsx", allowed("exports.create"),
          needs(BUCKET, KICK), memory_mb=1769, timeout_s=29),
    Route("GET", "/api/v1/exports/{export_id}", "functions.exports_get", EXPORTERS),
    Route("GET", "/api/v1/exports/{export_id}/download", "functions.exports_download", EXPORTERS, needs(BUCKET)),
    Route("POST", "/api/v1/exports/{export_id}/links", "functions.exports_links_create", EXPORTERS),
    Route("GET", "/api/v1/exports/{export_id}/links", "functions.exports_links_list", EXPORTERS),
    Route("DELETE", "/api/v1/exports/{export_id}/links/{link_id}", "functions.exports_links_revoke", EXPORTERS),
    # Share links: anyone holding one (rate-limited per address).
    Route("GET", "/api/v1/d/{token}", "functions.exports_public_download", PUBLIC, needs(DB, BUCKET)),
)  # fmt: skip

# The WebSocket API (locally ws://127.0.0.1:$PORT/api/v1/ws/dashboard). $connect takes a ticket from
# POST /api/v1/ws/ticket; $default answers each message (two-way: a route response).
WEBSOCKET_ROUTES: tuple[WebSocketRoute, ...] = (
    WebSocketRoute("$connect", "functions.ws_connect", WebSocketTicket()),
    WebSocketRoute("$disconnect", "functions.ws_disconnect", WebSocketConnection()),
    WebSocketRoute("$default", "functions.ws_default", WebSocketConnection(), two_way=True),
)

_JOBS: tuple[Job, ...] = (
    Job("migrate", "functions.migrate", (OnDeploy(),), needs(DB), memory_mb=256, timeout_s=300),
    Job("housekeeping", "functions.housekeeping", (Schedule("rate(1 hour)"),), needs(DB), memory_mb=256,
        timeout_s=120),
    Job("cost-reconciler", "functions.cost_reconciler", (LogSubscription(),), needs(DB), memory_mb=256,
        timeout_s=60),
    Job("whatsapp-close-idle", "functions.whatsapp_close_idle", (Schedule("rate(1 hour)"),), needs(DB),
        memory_mb=256, timeout_s=60),
    # One full vCPU (1769 MB) for the workbook writer; Lambda's longest run for the largest exports.
    Job("exports-worker", "functions.exports_worker", (OutboxEvent(frozenset({"export.requested"})),),
        needs(DB, BUCKET, KICK), memory_mb=1769, timeout_s=900),
    # Forwards the REST calls the functions above sign to Twilio, from outside the VPC: no database, no secret.
    # Its timeout leaves room for a cold start and Twilio's answer (shared/runtime/twilio.py TIMEOUT_S).
    Job("twilio-egress", "functions.twilio_egress", (SyncInvoke(EGRESS),), memory_mb=256, timeout_s=10,
        in_vpc=False),
)  # fmt: skip


def relay_job(workers: tuple[Job, ...]) -> Job:
    """The outbox relay: started after each commit that wrote events, and every minute. It posts to WebSocket
    connections, and may start the jobs that events trigger (when there are any: least privilege)."""
    starts_workers = any(isinstance(t, OutboxEvent) for job in workers for t in job.triggers)
    return Job(
        "relay", "functions.outbox_relay", (AsyncInvoke(), Schedule("rate(1 minute)")),
        needs(DB, Need.WEBSOCKET_MANAGEMENT, *([Need.INVOKE_WORKERS] if starts_workers else [])),
        memory_mb=512, timeout_s=60,
    )  # fmt: skip


JOBS: tuple[Job, ...] = (*_JOBS, relay_job(_JOBS))

ENTRIES: tuple[Entry, ...] = (*ROUTES, *WEBSOCKET_ROUTES, *JOBS)


def entry(module: str) -> Entry:
    """The manifest entry a function module serves (each module serves one entry)."""
    for item in ENTRIES:
        if item.module == module:
            return item
    raise LookupError(f"{module} serves no entry of the manifest")
