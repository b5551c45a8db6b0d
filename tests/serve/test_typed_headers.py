"""Header and cookie parameters arrive as text, and are read by their schema's type as query
parameters are (connexion judged the text itself, so Netlify's `X-Nf-Retry-Count: 0`, an
integer header, was refused as "must be an integer"): a valid value is taken, an invalid one
is a 400 naming the parameter."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

SCHEMAS = {
    "X-Retry-Count": {"type": "integer", "minimum": 0, "format": "int32"},
    "X-Ratio": {"type": "number", "maximum": 1},
    "X-Dry-Run": {"type": "boolean"},
    "X-Ids": {"type": "array", "items": {"type": "integer"}},
}


def document(openapi: str) -> dict:
    headers = [{"in": "header", "name": name, "schema": schema} for name, schema in SCHEMAS.items()]
    cookie = {"in": "cookie", "name": "session_age", "schema": {"type": "integer"}}
    return {
        "openapi": openapi,
        "info": {"title": "uploads", "version": "1"},
        "paths": {"/uploads": {"put": {"parameters": [*headers, cookie], "responses": {"204": {"description": "OK"}}}}},
    }


@pytest.fixture(scope="module", params=["3.0.3", "3.1.0"])
def client(request, tmp_path_factory):
    spec = write(tmp_path_factory.mktemp("headers") / "openapi.yaml", document(request.param))
    return create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Retry-Count": "0"},
        {"X-Retry-Count": "12", "X-Ratio": "0.5", "X-Dry-Run": "true", "X-Ids": "1,2,3"},
        {"X-Ratio": "1", "X-Dry-Run": "False"},
        {"Cookie": "session_age=42"},
    ],
)
def test_a_valid_typed_header_or_cookie_is_taken(client, headers):
    answer = client.put("/uploads", headers=headers)

    assert answer.status_code == 204, answer.text


@pytest.mark.parametrize(
    "name, value",
    [
        ("X-Retry-Count", "abc"),
        ("X-Retry-Count", "-1"),
        ("X-Retry-Count", "5_0"),
        ("X-Retry-Count", "2147483648"),
        ("X-Ratio", "2"),
        ("X-Dry-Run", "yes"),
        ("X-Ids", "1,x"),
    ],
)
def test_an_invalid_typed_header_is_refused_naming_it(client, name, value):
    answer = client.put("/uploads", headers={name: value})

    assert answer.status_code == 400, answer.text
    assert name in answer.json()["message"]


def test_an_invalid_typed_cookie_is_refused_naming_it(client):
    answer = client.put("/uploads", headers={"Cookie": "session_age=old"})

    assert answer.status_code == 400, answer.text
    assert "session_age" in answer.json()["message"]
