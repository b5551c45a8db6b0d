"""spec/openapi.yaml: a valid OpenAPI document that says what CONTRACT.md says."""

import httpx
import pytest
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from tests.contract import response_validator


def test_spec_is_valid_openapi(spec):
    validate(spec)


def parameter(spec: dict, name: str) -> dict:
    operation = spec["paths"]["/chats"]["get"]
    return next(p for p in operation["parameters"] if p["name"] == name)


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
        ("offset", {"type": "integer", "minimum": 0, "default": 0}),
        ("has_media", {"type": "boolean", "default": False}),
    ],
)
def test_query_parameters_carry_their_bounds_and_defaults(spec, name, schema):
    assert parameter(spec, name)["schema"] == schema


def test_every_operation_needs_basic_auth(spec):
    assert spec["security"] == [{"basicAuth": []}]
    assert spec["components"]["securitySchemes"]["basicAuth"] == {"type": "http", "scheme": "basic"}


def test_error_code_is_a_string_and_results_optional(spec):
    error = spec["components"]["schemas"]["ErrorResponse"]

    assert error["properties"]["code"]["type"] == "string"
    assert error["required"] == ["code", "message"]


def test_no_schema_forbids_extra_properties(spec):
    schemas = spec["components"]["schemas"]

    assert [name for name, schema in schemas.items() if schema.get("additionalProperties") is False] == []


def test_response_validator_rejects_a_response_that_breaks_the_spec():
    """The harness that checks every response in these tests can fail."""
    request = httpx.Request("GET", "http://testserver/chats", headers={"Authorization": "Basic eDp5"})
    response = httpx.Response(400, json={"code": 400, "message": "x"}, request=request)

    with pytest.raises(InvalidData):
        response_validator("http://testserver")(response)
