"""An integer wider than 64 bits, written to a collection (a free-form property may hold one;
Schemathesis sends them), is answered and kept as it came: no 500, no float near it."""

import json

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

WIDE = 2**70 + 1
THING = {
    "type": "object",
    "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}, "meta": {"type": "object"}},
}


def document() -> dict:
    def answer(schema, status="200"):
        return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}

    ident = [{"in": "path", "name": "thingId", "required": True, "schema": {"type": "integer"}}]
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {
            "/things": {
                "get": {"responses": answer({"type": "array", "items": THING})},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": THING}}},
                    "responses": answer(THING, "201"),
                },
            },
            "/things/{thingId}": {"get": {"parameters": ident, "responses": answer(THING)}},
        },
    }


def test_a_wide_integer_written_is_answered_and_read_back_exactly(tmp_path):
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", document()), allowed_hosts=[TEST_HOST]).test_client()
    sent = json.dumps({"name": "wide", "meta": {"count": WIDE}})

    created = client.post("/things", content=sent, headers={"Content-Type": "application/json"})
    read = client.get(f"/things/{created.json()['id']}") if created.status_code == 201 else created

    assert created.status_code == 201, created.text
    assert json.loads(created.text)["meta"] == {"count": WIDE}
    assert read.status_code == 200, read.text
    assert json.loads(read.text)["meta"] == {"count": WIDE}
    assert isinstance(json.loads(read.text)["meta"]["count"], int)
