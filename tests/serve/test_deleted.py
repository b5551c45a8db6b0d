"""What a DELETE removed answers 404 where its path names a resource, even where the document
lists no 404 for it (Discourse's GET /admin/users/{id}.json documents only 200): as the checker
reads any document, such a path may answer 404. A path without parameters keeps its answer."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

OK = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
IDENT = [{"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}]


@pytest.fixture
def client(tmp_path):
    document = {
        "openapi": "3.0.3",
        "info": {"title": "users", "version": "1"},
        "paths": {
            "/admin/users/{id}.json": {
                "get": {"parameters": IDENT, "responses": OK},
                "delete": {"parameters": IDENT, "responses": OK},
            },
            "/session": {"get": {"responses": OK}, "delete": {"responses": OK}},
        },
    }
    return create_app(spec_file=write(tmp_path / "openapi.yaml", document), allowed_hosts=[TEST_HOST]).test_client()


def test_a_deleted_resource_answers_404_though_the_document_lists_none(client):
    assert client.get("/admin/users/7.json").status_code == 200

    assert client.delete("/admin/users/7.json").status_code == 200

    assert client.get("/admin/users/7.json").status_code == 404
    assert client.get("/admin/users/8.json").status_code == 200


def test_a_path_naming_no_resource_keeps_its_documented_answer(client):
    assert client.delete("/session").status_code == 200

    assert client.get("/session").status_code == 200


def test_an_operation_documenting_only_refusals_answers_a_valid_request_with_its_404(tmp_path):
    """Swagger petstore's DELETE /pet/{petId} documents 400 "Invalid ID supplied" and 404 "Pet not
    found", no success: a valid id is not an invalid one, so it answers 404; an id not an integer
    is the 400."""
    refusals = {"400": {"description": "Invalid ID supplied"}, "404": {"description": "Pet not found"}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "pets", "version": "1"},
        "paths": {"/pet/{id}": {"delete": {"parameters": IDENT, "responses": refusals}}},
    }
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", document), allowed_hosts=[TEST_HOST]).test_client()

    assert client.delete("/pet/9223372036854775806").status_code == 404
    assert client.delete("/pet/abc").status_code == 400
