"""The versions wamock serves, and the 3.0 view connexion is given of an OpenAPI 3.1 document."""

import copy
import json

import pytest
from connexion.spec import Specification

from tests.documents import run_wamock, write
from wamock.data import dialect
from wamock.data.document import SpecError


def document_31(schema: dict, **parts) -> dict:
    """A 3.1 document whose one query parameter and JSON body both have `schema`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "parameters": [{"name": "q", "in": "query", "schema": schema}],
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
        **parts,
    }


def viewed(schema: dict) -> tuple[dict, dict]:
    """The view of `schema` as a parameter's and as a body's, without the mark of where it came from."""
    operation = dialect.connexion_view(document_31(schema))["paths"]["/things"]["post"]
    parameter = dict(operation["parameters"][0]["schema"])
    body = dict(operation["requestBody"]["content"]["application/json"]["schema"])
    return (
        {k: v for k, v in parameter.items() if k != dialect.MARK},
        {k: v for k, v in body.items() if k != dialect.MARK},
    )


@pytest.mark.parametrize(
    ("schema", "view"),
    [
        pytest.param({"type": ["integer", "null"]}, {"type": "integer", "nullable": True}, id="type-list-with-null"),
        pytest.param({"type": "null"}, {"nullable": True}, id="type-null"),
        pytest.param({"type": ["string", "number"], "default": 2}, {"type": "number", "default": 2}, id="type-list"),
        pytest.param({"const": "pet"}, {"enum": ["pet"]}, id="const"),
        pytest.param(
            {"type": "integer", "exclusiveMinimum": 0},
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            id="exclusiveMinimum",
        ),
        pytest.param(
            {"type": "number", "exclusiveMaximum": 9.5},
            {"type": "number", "maximum": 9.5, "exclusiveMaximum": True},
            id="exclusiveMaximum",
        ),
        pytest.param({"type": "string", "examples": ["a", "b"]}, {"type": "string", "example": "a"}, id="examples"),
        pytest.param(
            {"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64", "$comment": "c"},
            {"type": "string"},
            id="content-words-left-out",
        ),
        pytest.param({"type": "string", "default": None}, {"type": "string"}, id="default-null-left-out"),
        pytest.param(
            {"type": "object", "additionalProperties": False},
            {"type": "object", "additionalProperties": False},
            id="false",
        ),
        pytest.param({"not": False}, {"not": {"not": {}}}, id="false-schema"),
        pytest.param(
            {"type": "array", "prefixItems": [{"type": "integer"}], "items": False},
            {"type": "array"},
            id="prefixItems",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": ["boolean", "null"]}}, "unevaluatedProperties": False},
            {"type": "object", "properties": {"a": {"type": "boolean", "nullable": True}}},
            id="nested",
        ),
    ],
)
def test_a_31_schema_has_its_nearest_30_form_in_the_view(schema, view):
    parameter, body = viewed(schema)

    assert body == view
    assert parameter == {"type": "string", **view} if "type" not in view else parameter == view


def test_a_parameter_without_one_type_is_read_as_a_string_by_connexion():
    """connexion's URI parser reads a parameter's `type` (a KeyError without one)."""
    parameter, body = viewed({"const": 5})

    assert parameter == {"type": "string", "enum": [5]}
    assert body == {"enum": [5]}


def test_the_view_marks_each_judged_schema_with_where_it_is_in_the_users_document():
    document = document_31({"type": "integer"})
    operation = dialect.connexion_view(document)["paths"]["/things"]["post"]

    parameter_mark = operation["parameters"][0]["schema"][dialect.MARK]
    body_mark = operation["requestBody"]["content"]["application/json"]["schema"][dialect.MARK]

    assert parameter_mark.endswith("#/paths/~1things/post/parameters/0/schema")
    assert body_mark.endswith("#/paths/~1things/post/requestBody/content/application~1json/schema")
    assert dialect.validator(parameter_mark).is_valid(5)
    assert not dialect.validator(parameter_mark).is_valid("5")


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        pytest.param({"type": "integer", "exclusiveMinimum": 0}, 1, 0, id="exclusiveMinimum"),
        pytest.param({"type": ["integer", "null"]}, None, "x", id="type-list"),
        pytest.param({"const": "pet"}, "pet", "dog", id="const"),
        pytest.param({"$ref": "#/components/schemas/Short", "maxLength": 2}, "ab", "abc", id="ref-siblings"),
        pytest.param({"type": "array", "prefixItems": [{"type": "integer"}], "items": False}, [1], [1, 2], id="prefix"),
        pytest.param(
            {"type": "object", "dependentRequired": {"a": ["b"]}}, {"a": 1, "b": 2}, {"a": 1}, id="dependentRequired"
        ),
    ],
)
def test_a_judged_schema_is_read_as_json_schema_2020_12(schema, valid, invalid):
    document = document_31(schema, components={"schemas": {"Short": {"type": "string"}}})
    operation = dialect.connexion_view(document)["paths"]["/things"]["post"]
    judge = dialect.validator_of(operation["requestBody"]["content"]["application/json"]["schema"])

    assert judge.is_valid(valid)
    assert not judge.is_valid(invalid)


def test_a_30_document_is_given_to_connexion_as_it_is():
    document = {**document_31({"type": "integer"}), "openapi": "3.0.3"}

    assert dialect.connexion_view(document) is document
    assert dialect.validator_of({"type": "integer"}) is None


def test_the_view_of_31_only_parts_is_valid_30_and_the_users_document_is_untouched():
    document = document_31(
        {"$ref": "#/components/pathItems/Nothing"},
        info={"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
        jsonSchemaDialect="https://spec.openapis.org/oas/3.1/dialect/base",
        webhooks={"ping": {"post": {"responses": {"200": {"description": "OK"}}}}},
        components={
            "pathItems": {"Ping": {"get": {"responses": {"200": {"description": "OK"}}}}},
            "schemas": {
                "Tree": {"type": "object", "properties": {"children": {"items": {"$ref": "#/components/schemas/Tree"}}}}
            },
            "securitySchemes": {"tls": {"type": "mutualTLS"}},
        },
    )
    document["paths"]["/ping"] = {"$ref": "#/components/pathItems/Ping"}
    document["paths"]["/silent"] = {"get": {"security": [{"tls": []}]}}  # 3.1 lets it document no response
    before = copy.deepcopy(document)

    view = dialect.connexion_view(document)
    Specification.from_dict(view)  # connexion's own check of a 3.0 document: raises where it is not one

    assert document == before
    assert view["openapi"] == "3.0.3"
    assert {"webhooks", "jsonSchemaDialect"} & set(view) == set()
    assert view["paths"]["/ping"] == {"get": {"responses": {"200": {"description": "OK"}}}}
    assert "pathItems" not in view["components"]
    assert view["components"]["securitySchemes"] == {}  # mutualTLS: 3.0 has none, a mock over HTTP asks none
    assert view["paths"]["/silent"]["get"]["security"] == [{}]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}},
            "Swagger 2.0 is not served: convert it to OpenAPI 3 with `npx swagger2openapi FILE -o openapi.yaml`"
            " (or Swagger Editor's Edit > Convert to OpenAPI 3)",
            id="swagger-2.0",
        ),
        pytest.param(
            {"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": {}},
            "OpenAPI 3.2.0 is not served: wamock serves OpenAPI 3.0 and 3.1 documents",
            id="openapi-3.2",
        ),
    ],
)
def test_a_version_wamock_does_not_serve_is_refused_in_one_line(tmp_path, document, message):
    path = write(tmp_path / "api.json", json.dumps(document))

    with pytest.raises(SpecError, match="is not served"):
        dialect.check_version(document, str(path))
    run = run_wamock("serve", "--spec", str(path), "--port", "0")

    assert (run.returncode, run.stderr) == (2, f"error: {path}: {message}\n")


@pytest.mark.parametrize("version", ["3.0.0", "3.0.3", "3.1.0", "3.1.1"])
def test_openapi_30_and_31_are_served(version):
    dialect.check_version({"openapi": version}, "api.json")  # raises where refused
    assert dialect.is_served(version)


def test_a_ref_written_as_a_uri_fragment_is_followed_in_the_view():
    """`{` in a path may be written %7B in a $ref (Codat's documents do): the view keeps the $ref to it."""
    document = document_31({"type": "integer"})
    document["paths"]["/things/{id}"] = {
        "get": {
            "parameters": [{"$ref": "#/paths/~1things~1%7Bid%7D/parameters/0"}],
            "responses": {"200": {"description": "OK"}},
        },
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": ["integer", "null"]}}],
    }

    view = dialect.connexion_view(document)
    Specification.from_dict(view)  # raises where the view's parameter is no parameter

    assert view["paths"]["/things/{id}"]["get"]["parameters"] == [{"$ref": "#/paths/~1things~1%7Bid%7D/parameters/0"}]
