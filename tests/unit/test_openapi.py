"""The OpenAPI document (what `make openapi` writes and the SPA's types come from) covers every route."""

from __future__ import annotations

import pytest

from functions.routes import PUBLIC, ROUTES, Route
from local.gateway import manifest_openapi

DOCUMENT = manifest_openapi()
BODYLESS = {
    "POST /api/v1/auth/2fa/setup",
    "POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish",
    "POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft",
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_every_route_is_documented_with_its_request_and_responses(route: Route) -> None:
    operation = DOCUMENT["paths"][route.path][route.method.lower()]
    assert operation.get("description"), "the route docstring is the OpenAPI text"
    responses = operation["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert success, "no success response"
    if success != ["204"]:
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
