"""OpenAPI's integer formats are part of a parameter's or a body's schema: `int32` holds signed
32 bits, `int64` signed 64 (Netlify's `per_page` is int32, its DNS record's `weight` int64).
The mock refuses a value outside them with a 400 naming the field, and takes the largest and
smallest value inside, in 3.0 and 3.1 documents alike."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

INT32 = {"type": "integer", "format": "int32"}
INT64 = {"type": "integer", "format": "int64"}


def document(openapi: str) -> dict:
    record = {"type": "object", "properties": {"weight": INT64, "port": INT32}}
    return {
        "openapi": openapi,
        "info": {"title": "records", "version": "1"},
        "paths": {
            "/records": {
                "get": {
                    "parameters": [{"in": "query", "name": "per_page", "schema": INT32}],
                    "responses": {"200": {"description": "OK"}},
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": record}}},
                    "responses": {"204": {"description": "Created"}},
                },
            }
        },
    }


@pytest.fixture(scope="module", params=["3.0.3", "3.1.0"])
def client(request, tmp_path_factory):
    spec = write(tmp_path_factory.mktemp("formats") / "openapi.yaml", document(request.param))
    return create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize("per_page", [2**31, -(2**31) - 1, 2**40])
def test_a_query_integer_outside_int32_is_refused(client, per_page):
    answer = client.get("/records", params={"per_page": per_page})

    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith("per_page: ") and "int32" in answer.text


@pytest.mark.parametrize("per_page", [2**31 - 1, -(2**31), 0])
def test_a_query_integer_inside_int32_is_taken(client, per_page):
    assert client.get("/records", params={"per_page": per_page}).status_code == 200


@pytest.mark.parametrize("body", [{"weight": 2**63}, {"weight": -(2**63) - 1}, {"port": 2**31}])
def test_a_body_integer_outside_its_format_is_refused(client, body):
    answer = client.post("/records", json=body)

    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith(f"body.{next(iter(body))}: ")


def test_a_body_integer_at_its_formats_bounds_is_taken(client):
    for body in ({"weight": 2**63 - 1, "port": 2**31 - 1}, {"weight": -(2**63), "port": -(2**31)}):
        assert client.post("/records", json=body).status_code == 204
