"""How the mock reads a parameter's value or a body as OpenAPI serializes it: what a document allows is
accepted, what it forbids refused (found by wamock check on wamock serving Getty Images' document)."""

import pytest

from tests.documents import document, write
from wamock.data.operations import Invalid, Parameter
from wamock.serve.app import create_app

OK = {"200": {"description": "OK"}}


def client_of(tmp_path, paths: dict):
    spec = document(paths)
    return create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()


def test_an_empty_form_array_is_the_empty_list(tmp_path):
    """`fields=` is how the form style writes an empty list (RFC 6570): Getty's `?fields=` of an
    array of enum values was refused as holding one empty value."""
    fields = {"type": "array", "items": {"type": "string", "enum": ["id", "title"]}}
    parameters = [
        {"name": "fields", "in": "query", "explode": False, "schema": fields},
        {"name": "some", "in": "query", "explode": False, "schema": {**fields, "minItems": 1}},
    ]
    client = client_of(tmp_path, {"/images": {"get": {"parameters": parameters, "responses": OK}}})

    empty = client.get("/images?fields=")
    listed = client.get("/images?fields=id,title")
    wrong = client.get("/images?fields=id,")
    empty_but_items_asked = client.get("/images?some=")

    assert empty.status_code == 200, empty.text
    assert listed.status_code == 200, listed.text
    assert wrong.status_code == 400, wrong.text
    assert empty_but_items_asked.status_code == 400, empty_but_items_asked.text


@pytest.mark.parametrize("where", ["path", "query"])
def test_a_nullable_parameter_given_as_null_is_accepted(tmp_path, where):
    """Getty's `board_id` is a nullable string: `/boards/null` is a string the document allows
    (and JSON null too), refused as "required path parameter is missing"."""
    parameter = {"name": "board_id", "in": where, "required": True, "schema": {"type": "string", "nullable": True}}
    path = "/boards/{board_id}" if where == "path" else "/boards"
    client = client_of(tmp_path, {path: {"get": {"parameters": [parameter], "responses": OK}}})
    given = "/boards/null" if where == "path" else "/boards?board_id=null"

    response = client.get(given)

    assert response.status_code == 200, response.text
    if where == "query":
        flag = {"name": "flag", "in": "query", "schema": {"type": "boolean", "nullable": True}}
        flagged = client_of(tmp_path / "flags", {"/flags": {"get": {"parameters": [flag], "responses": OK}}})
        not_a_boolean = flagged.get("/flags?flag=null")  # Getty's include_facets=null: no null a URL writes
        assert not_a_boolean.status_code == 400, not_a_boolean.text
        assert flagged.get("/flags?flag=true").status_code == 200
        missing = client.get("/boards")
        assert missing.status_code == 400, missing.text
        assert "board_id: required query parameter is missing" in missing.text


INTEGERS = {
    "small": {"type": "integer", "format": "int32"},
    "large": {"type": "integer", "format": "int64"},
}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_an_integer_past_its_format_is_refused(tmp_path, version):
    """OpenAPI's int32 and int64 are signed integers of that many bits: Getty's `page_size=2147483648`
    (int32, no maximum) and `change-set-id` 9223372036854775808 (int64) were accepted."""
    parameters = [
        {"name": "small", "in": "query", "schema": INTEGERS["small"]},
        {"name": "large", "in": "path", "required": True, "schema": INTEGERS["large"]},
    ]
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": INTEGERS}}}}
    operation = {"parameters": parameters, "requestBody": body, "responses": OK}
    spec = {**document({"/sets/{large}": {"put": operation}}), "openapi": version}
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()

    def put(path: str, **json):
        return client.put(path, json=json)

    assert put(f"/sets/{2**63 - 1}?small={2**31 - 1}", small=-(2**31), large=-(2**63)).status_code == 200
    assert put(f"/sets/{2**63}").status_code == 400
    assert put(f"/sets/-{2**63 + 1}").status_code == 400
    refused = put(f"/sets/1?small={2**31}")
    assert refused.status_code == 400
    assert refused.json()["message"] == "small: 2147483648 is not a 'int32'"
    assert put("/sets/1", small=2**31).status_code == 400
    assert put("/sets/1", large=2**63).status_code == 400


def test_the_fast_paths_reading_refuses_an_integer_past_its_format_in_the_same_words():
    """`Parameter.read` (GET /chats' fast path, every collection's page) reads as the validator judges."""
    small = Parameter("small", "query", INTEGERS["small"])

    assert small.read(str(2**31 - 1)) == 2**31 - 1
    with pytest.raises(Invalid, match=r"^small: 2147483648 is not a 'int32'$"):
        small.read(str(2**31))


def test_a_body_whose_schema_is_base64_text_must_be_base64(tmp_path):
    """OpenAPI 3.0 sends a file base64-encoded as `image/png` with a `format: byte` (or `base64`)
    string: Getty's upload took `{}` as an image. A binary one (`format: binary`) takes any bytes."""
    encoded = {"type": "string", "format": "byte", "nullable": True}
    content = {
        "image/png": {"schema": encoded},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    }
    client = client_of(tmp_path, {"/uploads": {"put": {"requestBody": {"content": content}, "responses": OK}}})

    def put(body: bytes, media_type: str = "image/png"):
        return client.put("/uploads", content=body, headers={"Content-Type": media_type})

    refused = put(b"{}")
    assert refused.status_code == 400, refused.text
    assert refused.json()["message"] == "body: not base64 text (format byte)"
    assert put(b"iVBORw0KGgo=").status_code == 200
    assert put(b"").status_code == 200  # no body: the document does not require one
    assert put(b"\x89PNG\r\n", "application/octet-stream").status_code == 200
