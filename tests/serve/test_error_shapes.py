"""A refusal of an operation takes the shape the document gives its status, range or `default`."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import document, write
from wamock.serve.app import create_app

LIMIT = [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]


def error(properties: dict, example=None, media_type: str = "application/json") -> dict:
    media = {"schema": {"type": "object", "properties": properties}}
    if example is not None:
        media["example"] = example
    return {"description": "an error", "content": {media_type: media}}


def operation(responses: dict) -> dict:
    return {"get": {"parameters": LIMIT, "responses": {"200": {"description": "OK"}, **responses}}}


PATHS = {
    "/default": operation(
        {"default": error({"code": {"type": "integer"}, "message": {"type": "string"}}, {"code": 500, "message": "x"})}
    ),
    "/range": operation({"4XX": error({"status": {"type": "string"}, "detail": {"type": "string"}})}),
    "/exact": operation({"400": error({"code": {"type": "string"}, "message": {"type": "string"}}, {"code": "E1"})}),
    "/typed": operation(
        {"400": error({"code": {"type": "integer"}, "message": {"type": "string"}}, {"code": "400", "message": "m"})}
    ),
    "/bare": operation({"400": {"description": "no body"}}),
    "/problem": operation({"400": error({"title": {"type": "string"}}, media_type="application/problem+json")}),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    spec = write(tmp_path_factory.mktemp("shapes") / "openapi.yaml", document(PATHS))
    return create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/default", {"code": 400, "message": "limit: must be an integer"}, id="default-integer-code"),
        pytest.param("/range", {"status": "400", "detail": "limit: must be an integer"}, id="range-string-status"),
        pytest.param("/exact", {"code": "E1", "message": "limit: must be an integer"}, id="own-example-keeps-its-code"),
        pytest.param(
            "/typed", {"code": 400, "message": "limit: must be an integer"}, id="example-breaking-its-schema-is-built"
        ),
        pytest.param("/bare", {"code": "400", "message": "limit: must be an integer", "results": {}}, id="envelope"),
    ],
)
def test_a_400_takes_the_documents_shape(client, path, body):
    response = client.get(f"{path}?limit=x")

    assert response.status_code == 400
    assert response.json() == body


def test_a_405_takes_the_shape_of_the_paths_operations(client):
    response = client.delete("/default")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json() == {"code": 405, "message": "Method Not Allowed: DELETE /default"}


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/problem", "application/problem+json"), ("/exact", "application/json"), ("/bare", "application/json")],
)
def test_a_refusal_has_the_media_type_the_document_gives_it(client, path, media_type):
    """train-travel documents its errors as application/problem+json: so they are answered."""
    response = client.get(f"{path}?limit=x")

    assert response.status_code == 400
    assert response.headers["content-type"] == media_type


@pytest.fixture(scope="module")
def posts(tmp_path_factory):
    ident = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    paths = {
        "/posts/{id}.json": {
            "get": {"parameters": ident, "responses": {"200": {"description": "OK"}}},
            "delete": {"parameters": ident, "responses": {"200": {"description": "OK"}}},
        },
        "/posts/{id}/locked.json": {"put": {"parameters": [{**ident[0], "schema": {"type": "string"}}],
                                             "responses": {"200": {"description": "OK"}}}},
    }  # fmt: skip
    spec = write(tmp_path_factory.mktemp("posts") / "openapi.yaml", document(paths))
    return create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_path_parameter_not_of_its_type_is_a_400_naming_it(posts, method):
    """Discourse's `DELETE /posts/{id}.json` with `id` not an integer met no route (a 405)."""
    response = posts.request(method, "/posts/abc.json")

    assert response.status_code == 400, response.text
    assert response.json()["message"] == "id: must be an integer"


def test_a_method_the_path_lacks_is_still_a_405(posts):
    assert posts.post("/posts/12.json").status_code == 405
    assert posts.post("/posts/abc.json").status_code == 405
    assert posts.get("/posts/12.json").status_code == 200


def test_an_empty_item_id_is_a_path_the_document_lacks(tmp_path):
    """`/items/` is `/items/{id}` with an empty id: 404, as any path the document lacks, where
    Starlette's router would redirect it (307) to the list at `/items`."""
    ident = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    paths = {
        "/items": {"get": {"responses": {"200": {"description": "OK"}}}},
        "/items/{id}": {"get": {"parameters": ident, "responses": {"200": {"description": "OK"}}}},
    }
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", document(paths)), allowed_hosts=[TEST_HOST])
    response = client.test_client().get("/items/", follow_redirects=False)

    assert response.status_code == 404, response.headers
    assert response.json()["message"] == "Not Found: GET /items/"
