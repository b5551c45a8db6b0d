"""A list paged by number alone (`?page=N`, no size parameter: Discourse's directory items):
pages follow one another, each item on one page only, the last short, past it empty."""

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app


def test_numbered_pages_without_a_size_follow_one_another(tmp_path):
    item = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    listed = {"type": "object", "properties": {"items": {"type": "array", "items": item}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "directory", "version": "1"},
        "paths": {
            "/directory_items.json": {
                "get": {
                    "parameters": [{"in": "query", "name": "page", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": listed}}}},
                }
            }
        },
    }
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", document), allowed_hosts=[TEST_HOST]).test_client()

    pages = [client.get("/directory_items.json", params={"page": number}).json()["items"] for number in range(1, 4)]

    ids = [[item["id"] for item in page] for page in pages]
    walked = [item for page in ids for item in page]
    assert len(walked) == len(set(walked)), ids  # no item on two pages
    assert all(ids[:2]) and len(ids[0]) >= len(ids[-2]), ids
    assert ids[-1] == [], ids
