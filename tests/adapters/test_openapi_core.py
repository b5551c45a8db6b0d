"""What wamock.adapters.openapi_core relies on in openapi-core 0.23: a request's errors,
credentials and parameters apart from its body's; the warning of a scheme it does not check;
its reading of a multipart field without a type."""

import warnings

import openapi_core.security.providers as providers
import pytest
import requests
from openapi_core import Config, OpenAPI

from wamock.adapters.openapi_core import judged_request

OAUTH2 = {
    "auth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://example.com/t", "scopes": {}}}}
}
FORM = {"type": "object", "properties": {"kind": {"enum": ["avatar"]}, "n": {"type": "integer"}}}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "pins", "version": "1"},
    "servers": [{"url": "http://api.test"}],
    "components": {"securitySchemes": OAUTH2},
    "paths": {
        "/things": {
            "post": {
                "security": [{"auth": []}],
                "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer"}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["a"]}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/forms": {
            "post": {
                "requestBody": {"content": {"multipart/form-data": {"schema": FORM}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}
JUDGE = OpenAPI.from_dict(DOCUMENT, config=Config(spec_validator_cls=None))


def sent(path: str, **request) -> requests.PreparedRequest:
    return requests.Request("POST", f"http://api.test{path}", **request).prepare()


@pytest.mark.parametrize(
    ("query", "body", "rest_valid", "body_valid"),
    [
        ("n=5", {"a": 1}, True, True),
        ("n=5", {}, True, False),
        ("n=x", {"a": 1}, False, True),
        ("n=x", {}, False, False),
    ],
)
def test_the_bodys_errors_are_told_apart_from_the_parameters(query, body, rest_valid, body_valid):
    verdict = judged_request(JUDGE, sent(f"/things?{query}", json=body, headers={"Authorization": "Bearer t"}))

    assert (verdict.rest_valid, verdict.body_valid) == (rest_valid, body_valid)


def test_a_scheme_openapi_core_does_not_check_is_warned_of_and_the_warning_kept_out():
    """openapi-core warns at each request of an OAuth2 operation: 982 lines of a run against Prism
    on Telstra's document, until the adapter kept it out."""
    request = sent("/things?n=5", json={"a": 1}, headers={"Authorization": "Bearer t"})
    providers.__dict__.pop("__warningregistry__", None)  # as if never warned in this process

    with warnings.catch_warnings(record=True) as unfiltered:
        warnings.simplefilter("always")
        JUDGE.validate_request(
            __import__("openapi_core.contrib.requests").contrib.requests.RequestsOpenAPIRequest(request)
        )
    with warnings.catch_warnings(record=True) as adapted:
        judged_request(JUDGE, request)

    assert "Unsupported scheme type" in [str(warning.message) for warning in unfiltered]
    assert [str(warning.message) for warning in adapted] == []


def test_a_multipart_field_without_a_type_is_read_as_bytes_so_its_enum_fails():
    """Why the checker reads a multipart form itself (Discourse's POST /uploads.json)."""
    verdict = judged_request(JUDGE, sent("/forms", files=[("kind", (None, "avatar")), ("n", (None, "1"))]))

    assert (verdict.rest_valid, verdict.body_valid) == (True, False)
