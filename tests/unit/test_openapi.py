"""The OpenAPI document (what `make openapi` writes and the SPA's types come from) covers every route."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from functions.routes import PUBLIC, ROUTES, Route
from local.gateway import manifest_openapi
from shared.auth.models import UserUpdate
from shared.manifest import TwilioSignature
from shared.web.guards import Timestamp

DOCUMENT = manifest_openapi()
BODYLESS = {
    "POST /api/v1/auth/2fa/setup",
    "POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish",
    "POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft",
    "POST /api/v1/respondents/{respondent_id}/invite",
    "POST /api/v1/ws/ticket",
    "POST /api/v1/admin/outbox/{event_id}/retry",
}
# Twilio's webhooks take forms and answer TwiML (or nothing); a request without Twilio's signature is 403.
WEBHOOK_SUCCESS = {"text/xml", None}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_every_route_is_documented_with_its_request_and_responses(route: Route) -> None:
    operation = DOCUMENT["paths"][route.path][route.method.lower()]
    assert operation.get("description"), "the route docstring is the OpenAPI text"
    responses = operation["responses"]
    success = [code for code in responses if code.startswith("2")]
    redirect = responses.get("303")  # a download answers with where the file is
    assert success or redirect, "no success response"
    if isinstance(route.auth, TwilioSignature):
        assert next(iter(responses[success[0]].get("content", {None: 0}))) in WEBHOOK_SUCCESS
        assert "403" in responses, "a webhook documents 403"
        assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
        return
    if redirect:
        assert redirect["description"], "where a redirect leads is undocumented"
    elif success != ["204"]:
        assert responses[success[0]]["content"]["application/json"]["schema"], "success body undocumented"
    if route.auth != PUBLIC:
        assert "401" in responses, "a protected route documents 401"
    for code, response in responses.items():
        if code.startswith(("4", "5")):
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    if route.method in ("POST", "PATCH", "PUT") and route.route_key not in BODYLESS:
        assert "requestBody" in operation, "request body undocumented"


def test_the_error_body_is_a_schema_of_its_own() -> None:
    schema = DOCUMENT["components"]["schemas"]["ErrorBody"]
    assert schema["required"] == ["error"]


def _parameter(path: str, method: str, name: str) -> dict[str, object]:
    parameters = DOCUMENT["paths"][path][method]["parameters"]
    return next(p for p in parameters if p["name"] == name)


def _schemas_of(node: object) -> list[dict[str, object]]:
    """A schema and the members of its anyOf."""
    assert isinstance(node, dict)
    return [node, *node.get("anyOf", [])]


def test_the_schema_says_what_the_code_does() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    key = _parameter("/api/v1/assessments/submit", "post", "Idempotency-Key")
    assert key["required"] is True
    password = schemas["SignupCreate"]["properties"]["password"]
    assert (password["minLength"], password["maxLength"]) == (12, 128)
    # A decimal is a number or the text of one: never "".
    for field in (schemas["OptionDef"]["properties"]["score"], schemas["QuestionDef"]["properties"]["weight"]):
        texts = [s for s in _schemas_of(field) if s.get("type") == "string"]
        assert texts
        assert all(re.fullmatch(str(s["pattern"]).strip("^$"), "") is None for s in texts)
    for path in ("/api/v1/assessments", "/api/v1/respondents", "/api/v1/users", "/api/v1/audit"):
        cursor = _parameter(path, "get", "cursor")["schema"]
        assert [s for s in _schemas_of(cursor) if s.get("type") == "string" and s.get("pattern")], path


def test_types_are_not_coerced_from_look_alikes() -> None:
    with pytest.raises(ValidationError):
        UserUpdate.model_validate({"disabled": 0})

    for look_alike in ("0.5", "1700000000", 0.5):
        with pytest.raises(ValidationError):
            TypeAdapter(Timestamp).validate_python(look_alike)
    assert TypeAdapter(Timestamp).validate_python("2026-01-31T00:00:00Z").year == 2026


def test_every_body_may_be_unreadable_and_verify_login_takes_exactly_one_code() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "400" in operation["responses"], f"{method} {path}"
    verify = DOCUMENT["components"]["schemas"]["VerifyLoginRequest"]
    assert [alternative["required"] for alternative in verify["oneOf"]] == [["code"], ["recovery_code"]]
    login = DOCUMENT["components"]["schemas"]["LoginRequest"]["properties"]["email"]
    assert "format" not in login  # any address-shaped text may try: an unknown one is a 401
