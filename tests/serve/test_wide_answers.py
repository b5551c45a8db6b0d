"""A collection's item may hold any JSON integer where its schema leaves a property free-form
(Netlify's `default_hooks_data`): after a write holding 2**70, the list and the item answer
with that integer exactly, never a 500 (orjson, which encodes answers, stops at 64 bits)."""

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

THING = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "data": {"type": "object"}},
}


def json_answer(schema: dict) -> dict:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def document() -> dict:
    body = {"content": {"application/json": {"schema": THING}}}
    thing_id = {"in": "path", "name": "thing_id", "required": True, "schema": {"type": "integer"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {
            "/things": {
                "get": {"responses": {"200": json_answer({"type": "array", "items": THING})}},
                "post": {"requestBody": body, "responses": {"201": json_answer(THING)}},
            },
            "/things/{thing_id}": {
                "parameters": [thing_id],
                "get": {"responses": {"200": json_answer(THING), "404": {"description": "no such thing"}}},
            },
        },
    }


def test_an_integer_wider_than_64_bits_is_answered_exactly(tmp_path):
    spec = write(tmp_path / "openapi.yaml", document())
    client = create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()
    wide = 2**70 + 1

    created = client.post("/things", json={"name": "wide", "data": {"count": wide, "below": -(2**65)}})
    assert created.status_code == 201, created.text
    listed = client.get("/things")
    read = client.get(f"/things/{created.json()['id']}")

    assert created.json()["data"] == {"count": wide, "below": -(2**65)}
    assert listed.status_code == 200, listed.text
    assert [thing["data"] for thing in listed.json() if thing["name"] == "wide"] == [{"count": wide, "below": -(2**65)}]
    assert read.status_code == 200, read.text
    assert read.json()["data"]["count"] == wide
