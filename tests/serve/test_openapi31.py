"""An OpenAPI 3.1 document served: requests judged by its own JSON Schema 2020-12 rules, answers
built from its 3.1 schemas, and the document published as the user wrote it."""

import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

JSON_BODY = {"Content-Type": "application/json"}


def ok(schema: dict | None = None) -> dict:
    content = {"application/json": {"schema": schema}} if schema else None
    return {"description": "OK", **({"content": content} if content else {})}


def document_31() -> dict:
    """A small 3.1 document, one operation for each 3.1 construct a request is judged by."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "constructs",
            "version": "1",
            "summary": "3.1 only",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": {
            "/counts": {
                "get": {
                    "parameters": [
                        {"name": "count", "in": "query", "schema": {"type": "integer", "exclusiveMinimum": 0}},
                        {"name": "below", "in": "query", "schema": {"type": "number", "exclusiveMaximum": 10}},
                        {"name": "maybe", "in": "query", "schema": {"type": ["integer", "null"]}},
                    ],
                    "responses": {"200": ok({"$ref": "#/components/schemas/Reading"})},
                }
            },
            "/pets": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    },
                    "responses": {"201": ok({"$ref": "#/components/schemas/Pet"})},
                }
            },
        },
        "webhooks": {"newPet": {"post": {"responses": {"200": {"description": "OK"}}}}},
        "components": {
            "schemas": {
                "Name": {"type": "string"},
                "Pet": {
                    "type": "object",
                    "required": ["kind", "name"],
                    "properties": {
                        "kind": {"const": "pet"},
                        "name": {"$ref": "#/components/schemas/Name", "maxLength": 3},  # 3.1 reads the sibling
                        "age": {"type": ["integer", "null"], "examples": [7]},
                        "tags": {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
                    },
                },
                "Reading": {
                    "type": "object",
                    "required": ["unit", "value", "note"],
                    "properties": {
                        "unit": {"const": "kelvin"},
                        "value": {"type": "number", "exclusiveMinimum": 0, "examples": [273.15]},
                        "note": {"type": ["string", "null"]},
                    },
                },
            }
        },
    }


@pytest.fixture
def served(tmp_path):
    """The 3.1 document written to a file, and a client of the app serving it."""
    path = write(tmp_path / "openapi.json", json.dumps(document_31()))
    return create_app(spec_file=path, control=False, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        pytest.param("count=1", 200, None, id="exclusiveMinimum-above"),
        pytest.param("count=0", 400, "count: must be greater than 0", id="exclusiveMinimum-at-the-bound"),
        pytest.param("below=9.5", 200, None, id="exclusiveMaximum-below"),
        pytest.param("below=10", 400, "below: must be less than 10", id="exclusiveMaximum-at-the-bound"),
        pytest.param("maybe=5", 200, None, id="type-array-integer"),
        pytest.param("maybe=five", 400, "maybe: must be of type integer or null", id="type-array-refuses-a-word"),
    ],
)
def test_a_query_is_judged_by_the_31_schema(served, query, status, message):
    response = served.get(f"/counts?{query}")

    assert response.status_code == status
    if message is not None:
        assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        pytest.param({"kind": "pet", "name": "Rex"}, 201, None, id="const-met"),
        pytest.param({"kind": "dog", "name": "Rex"}, 400, "body.kind: 'pet' was expected", id="const-broken"),
        pytest.param({"kind": "pet", "name": "Rex", "age": None}, 201, None, id="type-array-null"),
        pytest.param({"kind": "pet", "name": "Rex", "age": 3}, 201, None, id="type-array-integer"),
        pytest.param(
            {"kind": "pet", "name": "Rex", "age": "3"},
            400,
            "body.age: must be of type integer or null",
            id="type-array-string",
        ),
        pytest.param({"kind": "pet", "name": "Rexy"}, 400, "body.name: 'Rexy' is too long", id="ref-sibling-kept"),
        pytest.param({"kind": "pet", "name": "Rex", "tags": ["a"]}, 201, None, id="prefixItems-met"),
        pytest.param({"kind": "pet", "name": "Rex", "tags": ["a", "b"]}, 400, None, id="items-false-past-prefix"),
    ],
)
def test_a_body_is_judged_by_the_31_schema(served, body, status, message):
    response = served.post("/pets", json=body)

    assert response.status_code == status
    if message is not None:
        assert response.json()["message"] == message


def test_an_answer_is_built_from_the_31_schema_and_meets_it(served):
    response = served.get("/counts")

    assert response.status_code == 200
    assert response.json() == {"unit": "kelvin", "value": 273.15, "note": ""}
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(document_31()))
    validator = Draft202012Validator({"$ref": "urn:doc#/components/schemas/Reading"}, registry=registry)
    assert list(validator.iter_errors(response.json())) == []


def test_the_published_document_is_the_users_31_document(served):
    published = served.get("/openapi.json").json()

    assert published == {**document_31(), "servers": [{"url": ""}]}  # servers: where this mock mounts it


def test_a_document_with_webhooks_and_no_paths_serves(tmp_path):
    document = {k: v for k, v in document_31().items() if k != "paths"}
    path = write(tmp_path / "openapi.json", json.dumps(document))
    client = create_app(spec_file=path, control=False, allowed_hosts=[TEST_HOST]).test_client()

    assert client.get("/openapi.json").json()["webhooks"] == document["webhooks"]
    assert client.get("/counts").status_code == 404
