"""A list whose document forbids an empty page (`minItems: 1`, as Telstra's messages): where a
page would be empty, the mock gives the document's answer for nothing found, never a page the
document does not allow."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

THING = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}


def document(not_found: bool) -> dict:
    listed = {"type": "array", "items": THING, "minItems": 1, "maxItems": 50}
    answers = {"200": {"description": "OK", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"things": listed, "total": {"type": "integer"}}}}}}}  # fmt: skip
    if not_found:
        answers["404"] = {"description": "None", "content": {"application/json": {"schema": {"type": "object"}}}}
    page = [{"in": "query", "name": name, "schema": {"type": "integer", "minimum": 0}} for name in ("limit", "offset")]
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {
            "/things": {"get": {"parameters": [*page, {"in": "query", "name": "name", "schema": {"type": "string"}}],
                                "responses": answers}},
        },
    }  # fmt: skip


@pytest.fixture(params=[True, False], ids=["404-documented", "no-error-documented"])
def client(request, tmp_path):
    spec_file = write(tmp_path / "openapi.yaml", document(not_found=request.param))
    return create_app(spec_file=spec_file, allowed_hosts=[TEST_HOST]).test_client(), request.param


def test_a_page_is_served_while_it_holds_items(client):
    client, _ = client
    answer = client.get("/things", params={"limit": 5, "offset": 0})

    assert answer.status_code == 200
    assert 1 <= len(answer.json()["things"]) <= 5


@pytest.mark.parametrize("query", [{"offset": 10_000}, {"name": "no such thing at all"}])
def test_an_empty_page_is_never_served(client, query):
    client, not_found = client
    answer = client.get("/things", params=query)

    if not_found:
        assert answer.status_code == 404, answer.text
    else:
        assert answer.status_code == 200
        assert len(answer.json()["things"]) >= 1  # the document's own example: nothing else it allows
