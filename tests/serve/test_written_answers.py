"""What the mock answers for what its document (InfluxDB's shapes, written small here) and its
writes hold: every answer meets the document, whatever a valid write put in it."""

import pytest
from jsonschema import Draft4Validator

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.data import examples
from wamock.serve.app import create_app

WIDE = 2**70 + 1

THING = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "tags": {"type": "object", "additionalProperties": True},  # free-form, as InfluxDB's `arguments`
    },
}
THINGS = {
    "type": "object",
    "properties": {"things": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}},
}


def ok(schema: dict, status: str = "200") -> dict:
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def document(paths: dict, thing: dict = THING) -> dict:
    return {
        "openapi": "3.0.0",
        "info": {"title": "things", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Thing": thing, "Things": THINGS}},
    }


COLLECTION = {
    "/things": {
        "get": {"responses": ok({"$ref": "#/components/schemas/Things"})},
        "post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": THING}}},
            "responses": ok({"$ref": "#/components/schemas/Thing"}, "201"),
        },
    },
    "/things/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"responses": ok({"$ref": "#/components/schemas/Thing"})},
    },
}


@pytest.fixture
def served(tmp_path):
    def serve(paths: dict, thing: dict = THING):
        spec_file = write(tmp_path / "openapi.yaml", document(paths, thing))
        return create_app(spec_file=spec_file, allowed_hosts=[TEST_HOST]).test_client()

    return serve


@pytest.mark.parametrize(
    "value",
    [pytest.param(WIDE, id="integer-wider-than-64-bits"), pytest.param("\ud952", id="lone-surrogate")],
)
def test_a_written_value_orjson_cannot_write_is_answered_exactly(served, value):
    client = served(COLLECTION)
    written = str(value) if isinstance(value, int) else '"\\ud952"'  # the JSON text, as a client sends it
    body = f'{{"name": "wide", "tags": {{"value": {written}}}}}'

    created = client.post("/things", content=body, headers={"Content-Type": "application/json"})
    item = client.get(f"/things/{created.json()['id']}")
    listed = client.get("/things")

    assert [created.status_code, item.status_code, listed.status_code] == [201, 200, 200]
    assert item.json()["tags"] == {"value": value}
    assert {"value": value} in [thing.get("tags") for thing in listed.json()["things"]]


def test_an_operation_answering_only_default_with_a_body_answers_it_as_200(served):
    client = served({"/": {"get": {"responses": {"default": ok(THINGS)["200"]}}}})

    answer = client.get("/")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"things": [{"id": "", "name": "", "tags": {}}]}


UNTYPED = {"properties": {"name": {"type": "string"}}, "required": ["name"]}  # InfluxDB's PostBucketRequest


@pytest.mark.parametrize(
    ("schema", "status"),
    [
        pytest.param(UNTYPED, 201, id="no-type-takes-null"),
        pytest.param({**UNTYPED, "type": "object"}, 400, id="object-refuses-null"),
        pytest.param({**UNTYPED, "type": "object", "nullable": True}, 201, id="nullable-object-takes-null"),
        pytest.param({"allOf": [{**UNTYPED, "type": "object"}]}, 400, id="typed-part-refuses-null"),
    ],
)
def test_a_json_null_body_is_taken_where_the_30_schema_allows_null(served, schema, status):
    paths = {"/things": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": ok({"$ref": "#/components/schemas/Thing"}, "201"),
    }}}  # fmt: skip
    client = served(paths)

    answer = client.post("/things", content="null", headers={"Content-Type": "application/json"})

    assert answer.status_code == status, answer.text


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json"])
def test_a_body_media_type_documented_with_parameters_takes_its_requests(served, content_type):
    media = {"application/json; charset=utf-8": {"schema": {"type": "object"}}}  # InfluxDB's run retry
    paths = {"/things": {"post": {"requestBody": {"content": media}, "responses": ok(THING)}}}
    client = served(paths)

    answer = client.post("/things", content="{}", headers={"Content-Type": content_type})

    assert answer.status_code == 200, answer.text


# InfluxDB's DBRP: properties beside a oneOf of `required` lists, one naming `orgID`, the other `org`.
MAPPING = {
    "type": "object",
    "properties": {name: {"type": "string"} for name in ("id", "orgID", "org", "bucketID")},
    "oneOf": [{"required": ["orgID", "bucketID"]}, {"required": ["org", "bucketID"]}],
}
# InfluxDB's HealthCheck: a check of checks, each requiring its name.
CHECK = {
    "type": "object",
    "required": ["name", "status"],
    "properties": {
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["pass", "fail"]},
        "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
    },
}

# InfluxDB's Flux AST: a file's statements, a oneOf of kinds whose fields are all optional.
STATEMENTS = {
    "type": "object",
    "properties": {"body": {"type": "array", "items": {"oneOf": [
        {"type": "object", "properties": {"text": {"type": "string"}}},
        {"type": "object", "properties": {"id": {"type": "object"}}},
    ]}}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("thing", "example"),
    [
        pytest.param(MAPPING, {"id": "", "orgID": "", "bucketID": ""}, id="oneOf-beside-properties"),
        pytest.param(CHECK, None, id="recursive-list"),
        pytest.param(STATEMENTS, {"body": []}, id="list-of-overlapping-oneOf"),
    ],
)
def test_an_answer_built_from_the_schema_meets_it(served, thing, example):
    client = served({"/thing": {"get": {"responses": ok({"$ref": "#/components/schemas/Thing"})}}}, thing)
    schemas = document({}, thing)["components"]["schemas"]

    answer = client.get("/thing")

    assert answer.status_code == 200
    Draft4Validator({"$ref": "#/components/schemas/Thing", "components": {"schemas": schemas}}).validate(answer.json())
    if example is not None:
        assert answer.json() == example


# InfluxDB's notification endpoints: a oneOf of overlapping kinds, told apart by `type` alone.
BASE = {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}, "name": {"type": "string"}}}
KINDS = {
    "Slack": {"allOf": [BASE, {"type": "object", "properties": {"url": {"type": "string"}}}]},
    "PagerDuty": {"allOf": [BASE, {"type": "object", "required": ["routingKey"],
                                   "properties": {"routingKey": {"type": "string"}}}]},
    "Http": {"allOf": [BASE, {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}]},
}  # fmt: skip
ENDPOINT = {
    "discriminator": {"propertyName": "type", "mapping": {kind.lower(): f"#/components/schemas/{kind}" for kind in KINDS}},
    "oneOf": [{"$ref": f"#/components/schemas/{kind}"} for kind in KINDS],
}  # fmt: skip
CELL = {
    "type": "object",
    "properties": {"y": {"type": "integer", "format": "int32"}, "s": {"type": "integer", "format": "int64"}},
}


@pytest.mark.parametrize(
    ("schema", "body", "status"),
    [
        pytest.param(ENDPOINT, {"type": "http", "url": "http://localhost"}, 201, id="discriminated-kind-taken"),
        pytest.param(ENDPOINT, {"type": "pagerduty", "routingKey": None}, 400, id="discriminated-kind-judged"),
        pytest.param(ENDPOINT, {"type": "pagerduty"}, 400, id="discriminated-kind-requires"),
        pytest.param(ENDPOINT, {"type": "teams", "url": "http://localhost"}, 400, id="kind-not-mapped"),
        pytest.param(ENDPOINT, {"type": [None, None], "url": "http://localhost"}, 400, id="kind-not-a-string"),
        pytest.param(CELL, {"y": 2**31 - 1, "s": -(2**63)}, 201, id="int32-int64-in-range"),
        pytest.param(CELL, {"y": 2**31}, 400, id="int32-past-range"),
        pytest.param(CELL, {"s": 2**63}, 400, id="int64-past-range"),
    ],
)
def test_a_json_body_is_judged_as_openapi_30_reads_its_schema(tmp_path, schema, body, status):
    paths = {"/things": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": ok({"type": "object"}, "201"),
    }}}  # fmt: skip
    spec = document(paths)
    spec["components"]["schemas"].update(KINDS)
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", spec), allowed_hosts=[TEST_HOST]).test_client()

    answer = client.post("/things", json=body)

    assert answer.status_code == status, answer.text


@pytest.mark.parametrize(
    ("kind", "value", "status"),
    [
        pytest.param("integer", "5", 200, id="integer"),
        pytest.param("integer", "five", 400, id="not-an-integer"),
        pytest.param("number", "2.5", 200, id="number"),
        pytest.param("boolean", "true", 200, id="boolean"),
    ],
)
def test_a_typed_header_parameter_is_read_as_its_type(served, kind, value, status):
    header = {"name": "X-Count", "in": "header", "schema": {"type": kind}}  # InfluxDB's Content-Length on POST /write
    client = served({"/thing": {"get": {"parameters": [header], "responses": ok(THING)}}})

    answer = client.get("/thing", headers={"X-Count": value})

    assert answer.status_code == status, answer.text


RICHER = {
    "allOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "object", "properties": {"more": {"type": "string"}}}]
}
DETAIL = {  # InfluxDB's template: the list's fields, and a free-form `content` the list leaves out
    "type": "object",
    "required": ["id", "content"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "content": {"type": "object"}},
}


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"oneOf": [{"$ref": "#/components/schemas/Thing"}, RICHER]}, id="overlapping-oneOf"),
        pytest.param(DETAIL, id="detail-with-free-form-object"),
    ],
)
def test_a_created_item_is_answered_with_its_id_and_readable_at_it(served, answer):
    paths = {
        **COLLECTION,
        "/things": {**COLLECTION["/things"], "post": {**COLLECTION["/things"]["post"], "responses": ok(answer, "201")}},
    }
    client = served(paths)

    created = client.post("/things", json={"name": "new"})
    read = client.get(f"/things/{created.json()['id']}")

    assert created.status_code == 201
    assert created.json()["id"] != ""  # the documented example's: the item's own is answered
    assert read.status_code == 200
    assert read.json()["id"] == created.json()["id"]


def test_a_deeply_recursive_oneof_is_judged_without_copying_it_whole():
    """InfluxDB's Flux AST: twenty kinds of expression, each holding expressions. Inlined twelve
    levels deep for a validator, it is 20**12 nodes: the process was killed for its memory."""
    kinds = {f"Kind{n}": {"type": "object", "properties": {"value": {"$ref": "#/components/schemas/Expression"},
                                                           f"field{n}": {"type": "string"}}} for n in range(20)}  # fmt: skip
    spec = {
        "components": {
            "schemas": {"Expression": {"oneOf": [{"$ref": f"#/components/schemas/{k}"} for k in kinds]}, **kinds}
        }
    }

    assert examples.fits(spec, {"field3": "x"}, {"$ref": "#/components/schemas/Expression"}) is False  # meets all 20
    assert examples.fits(spec, 5, {"$ref": "#/components/schemas/Kind3"}) is False
    assert examples.fits(spec, {"field3": "x", "value": {"field4": 1}}, {"$ref": "#/components/schemas/Kind3"}) is False
    assert examples.fits(spec, {"field3": "x"}, {"$ref": "#/components/schemas/Kind3"}) is True


ERROR = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string", "enum": ["not found", "invalid"]}, "message": {"type": "string"}}}  # fmt: skip


def test_a_path_no_operation_has_is_refused_in_the_error_shape_most_operations_give(served):
    """InfluxDB: every operation's `default` is its `Error`, whose code is an enum; a request for
    `/buckets/labels/x` (a bucket id left empty) names no operation and got wamock's envelope."""
    refused = {"default": {"description": "Error", "content": {"application/json": {"schema": ERROR}}}}
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"responses": {**ok(THING), **refused}}, "delete": {"responses": {"204": {"description": "gone"}, **refused}}}  # fmt: skip
    client = served({"/things/{id}/labels/{label}": {**item, "parameters": [*item["parameters"], {**item["parameters"][0], "name": "label"}]},
                     "/things": {"get": {"responses": {**ok(THINGS), **refused}}}})  # fmt: skip

    answer = client.delete("/things/labels/x")

    assert answer.status_code == 404
    Draft4Validator(ERROR).validate(answer.json())
