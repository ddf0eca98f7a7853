"""Input no route may take, refused before any route runs: NUL characters. And the one type of the
timestamps a query may carry (shared.inputs.Timestamp, kept where the routes import it from).

PostgreSQL text cannot hold U+0000, and no field of the API means it. A JSON schema cannot say so of every
string, so instead of each model repeating it, every query parameter, path and JSON body is checked here,
and each NUL is reported with the path of its field (422), before it can reach the database.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem
from shared.inputs import Timestamp as Timestamp  # the query parameters' type, defined beside StrictModel
from shared.web.errors import error_response


def nul_problems(path: str, query_string: str, body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Where the request carries a NUL character, each as {"loc", "path", "message", "type"}."""
    found: list[dict[str, Any]] = []
    if "\x00" in unquote(path):
        found.append(problem(["path"], "must not contain NUL characters", "nul"))
    for name, value in parse_qsl(query_string, keep_blank_values=True, errors="replace"):
        if "\x00" in name or "\x00" in value:
            found.append(problem(["query", name.replace("\x00", "\\u0000")], "must not contain NUL characters", "nul"))
    if body and content_type.split(";")[0].strip().lower().endswith("json"):
        try:
            document = json.loads(body)
        except ValueError:  # the route reports malformed JSON itself
            return found
        found.extend(_in_json(document, ["body"]))
    return found


def _in_json(value: Any, loc: list[str | int]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [problem(loc, "must not contain NUL characters", "nul")] if "\x00" in value else []
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if "\x00" in key:
                found.append(problem([*loc, key.replace("\x00", "\\u0000")], "must not contain NUL characters", "nul"))
            found.extend(_in_json(inner, [*loc, key]))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(_in_json(inner, [*loc, index]))
    return found


class RefuseNulMiddleware:
    """Answers 422 with every NUL's field path; passes everything else on unchanged (the body replayed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        problems = nul_problems(
            scope.get("path", ""),
            scope.get("query_string", b"").decode("latin-1"),
            body,
            headers.get("content-type", ""),
        )
        if problems:
            response = error_response(422, "validation_error", "The request is invalid.", problems)
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
