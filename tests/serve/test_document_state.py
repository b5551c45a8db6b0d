"""A DELETE removes what lies at its path, under the server URL's path, until a PUT recreates it."""

from tests.conftest import TEST_HOST
from tests.documents import document, write
from wamock.serve.app import create_app

USER = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
# As Swagger's petstore3 has it: a PUT whose only answer is `default`, a 404 without a body.
PATHS = {
    "/user/{username}": {
        "parameters": [USER],
        "get": {"responses": {"200": {"description": "OK"}, "404": {"description": "User not found"}}},
        "delete": {"responses": {"200": {"description": "deleted"}, "400": {"description": "bad name"}}},
        "put": {"responses": {"default": {"description": "successful operation"}}},
    }
}


def test_a_put_recreates_what_a_delete_removed_under_the_server_path(tmp_path):
    spec = write(tmp_path / "openapi.yaml", document(PATHS, servers=[{"url": "/api/v3"}]))
    client = create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()

    deleted = client.delete("/api/v3/user/theUser")
    gone = client.get("/api/v3/user/theUser")
    put = client.put("/api/v3/user/theUser")
    back = client.get("/api/v3/user/theUser")

    assert [deleted.status_code, gone.status_code, put.status_code, back.status_code] == [200, 404, 204, 200]
    assert gone.content == b""  # the document's 404, which has no body


def test_an_operation_that_documents_no_404_answers_as_documented_after_a_delete(tmp_path):
    paths = {"/config": {**PATHS["/user/{username}"], "get": {"responses": {"200": {"description": "OK"}}}}}
    del paths["/config"]["parameters"]
    spec = write(tmp_path / "openapi.yaml", document(paths))
    client = create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()

    deleted = client.delete("/config")
    again = client.delete("/config")
    got = client.get("/config")

    assert [deleted.status_code, again.status_code, got.status_code] == [200, 200, 200]
