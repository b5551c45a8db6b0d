"""Answers built from an OpenAPI 3.1 document's schemas (JSON Schema 2020-12) meet them."""

import pytest

from wamock.data import examples


def document(schema: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Thing": schema, "Name": {"type": "string", "examples": ["Rex"]}}},
    }


@pytest.mark.parametrize(
    ("schema", "built"),
    [
        pytest.param({"const": "pet"}, "pet", id="const"),
        pytest.param({"type": "string", "const": "pet", "example": "dog"}, "pet", id="const-over-example"),
        pytest.param({"type": "string", "examples": [5, "five"]}, "five", id="first-example-that-fits"),
        pytest.param({"type": ["string", "null"]}, "", id="type-list"),
        pytest.param({"type": ["null", "integer"], "minimum": 3}, 3, id="type-list-null-first"),
        pytest.param({"type": "null"}, None, id="type-null"),
        pytest.param({"type": "string", "nullable": True, "default": None}, "", id="nullable-is-no-31-word"),
        pytest.param({"type": "string", "pattern": "^#[0-9a-f]{6}$"}, "#000000", id="pattern"),
        pytest.param({"type": "integer", "exclusiveMinimum": 0}, 1, id="exclusiveMinimum-integer"),
        pytest.param({"type": "number", "exclusiveMinimum": 2.5}, 3.5, id="exclusiveMinimum-number"),
        pytest.param({"type": "integer", "exclusiveMaximum": 0}, -1, id="exclusiveMaximum"),
        pytest.param({"type": "integer", "exclusiveMinimum": 10, "multipleOf": 4}, 12, id="multipleOf"),
        pytest.param(
            {"type": "number", "minimum": 10, "exclusiveMinimum": True, "multipleOf": 2}, 12, id="draft-4-bounds"
        ),
        pytest.param(
            {"type": "array", "prefixItems": [{"type": "integer"}, {"const": "b"}], "items": False},
            [0, "b"],
            id="prefixItems",
        ),
        pytest.param(
            {"type": "object", "properties": {"name": {"$ref": "#/components/schemas/Name", "examples": ["Ann"]}}},
            {"name": "Ann"},
            id="ref-siblings-over-its-target",
        ),
        pytest.param(
            {"type": "object", "properties": {"name": {"$ref": "#/components/schemas/Name"}}},
            {"name": "Rex"},
            id="ref-target-examples",
        ),
    ],
)
def test_a_value_built_from_a_31_schema_meets_it(schema, built):
    spec = document(schema)

    value = examples.built_example(spec, {"$ref": "#/components/schemas/Thing"})

    assert value == built
    assert examples.fits(spec, value, {"$ref": "#/components/schemas/Thing"})


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        pytest.param({"type": "integer", "exclusiveMinimum": 0}, 0, id="exclusiveMinimum"),
        pytest.param({"const": "pet"}, "dog", id="const"),
        pytest.param({"type": "array", "prefixItems": [{"type": "integer"}], "items": False}, [1, 2], id="items-false"),
        pytest.param({"$ref": "#/components/schemas/Name", "maxLength": 2}, "Rex", id="ref-sibling"),
    ],
)
def test_a_31_example_that_breaks_its_schema_is_not_taken_as_fitting(schema, value):
    spec = document(schema)

    assert not examples.fits(spec, value, {"$ref": "#/components/schemas/Thing"})


def test_an_answer_leaves_out_what_its_schema_marks_write_only():
    """train-travel's payment example carries the card's `cvc` (writeOnly, under a oneOf): an
    answer must not show it; what is not writeOnly stays."""
    card = {
        "type": "object",
        "properties": {"number": {"type": "string"}, "cvc": {"type": "integer", "writeOnly": True}},
        "required": ["number"],
    }
    bank = {"type": "object", "properties": {"account": {"type": "string"}}, "required": ["account"]}
    schema = {
        "type": "object",
        "properties": {"source": {"oneOf": [bank, card]}, "secret": {"type": "string", "writeOnly": True}},
    }
    media = {"schema": schema, "example": {"source": {"number": "4242", "cvc": 123}, "secret": "s"}}
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}

    answer = examples.response_answer(spec, 200, {"description": "ok", "content": {"application/json": media}})

    assert answer.body == {"source": {"number": "4242"}}
