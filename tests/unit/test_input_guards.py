"""NUL characters are refused with the path of their field, wherever they hide in a request."""

from __future__ import annotations

from shared.web.guards import nul_problems


def test_nul_in_query_body_and_keys_is_reported_with_each_path() -> None:
    body = b'{"respondent": {"name": "A\\u0000wa"}, "answers": [{"value": ["ok", "x\\u0000"]}], "k\\u0000": 1}'
    found = nul_problems("/api/v1/things", "cursor=ab%00c&limit=5", body, "application/json; charset=utf-8")
    assert [p["path"] for p in found] == [
        "query.cursor",
        "body.respondent.name",
        "body.answers.0.value.1",
        "body.k\\u0000",
    ]
    assert {p["type"] for p in found} == {"nul"}


def test_requests_without_nul_pass_and_malformed_json_is_left_to_the_route() -> None:
    assert nul_problems("/api/v1/things", "a=1&b=%C3%A9", b'{"name": "Awa"}', "application/json") == []
    assert nul_problems("/api/v1/things", "", b'{"name": "A\x00', "application/json") == []
    assert nul_problems("/api/v1/things", "", b"name=A%00wa", "application/x-www-form-urlencoded") == []
