"""A body the document requires (`requestBody.required: true`) must come, whatever its media
type: Netlify's file uploads require an `application/octet-stream` body, which no validator of
connexion reads, so a PUT without one was served as if it had come. Without a body: a 400 that
says so; with one, or where the body is optional: served."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import write
from wamock.serve.app import create_app

BINARY = {"type": "string", "format": "binary"}


def document(openapi: str) -> dict:
    def upload(required: bool, media_type: str) -> dict:
        return {
            "requestBody": {"required": required, "content": {media_type: {"schema": BINARY}}},
            "responses": {"204": {"description": "Stored"}},
        }

    return {
        "openapi": openapi,
        "info": {"title": "files", "version": "1"},
        "paths": {
            "/files/{name}": {
                "parameters": [{"in": "path", "name": "name", "required": True, "schema": {"type": "string"}}],
                "put": upload(True, "application/octet-stream"),
                "post": upload(False, "application/octet-stream"),
                "patch": upload(True, "image/*"),
            }
        },
    }


@pytest.fixture(scope="module", params=["3.0.3", "3.1.0"])
def client(request, tmp_path_factory):
    spec = write(tmp_path_factory.mktemp("bodies") / "openapi.yaml", document(request.param))
    return create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_required_body_that_does_not_come_is_refused(client, method):
    answer = client.request(method, "/files/a.bin")

    assert answer.status_code == 400, answer.text
    assert "body" in answer.json()["message"].lower()


@pytest.mark.parametrize(
    "method, media_type",
    [("PUT", "application/octet-stream"), ("PATCH", "image/png"), ("POST", "application/octet-stream")],
)
def test_a_body_that_comes_is_served(client, method, media_type):
    answer = client.request(method, "/files/a.bin", content=b"\x89PNG\r\n", headers={"Content-Type": media_type})

    assert answer.status_code == 204, answer.text


def test_an_optional_body_may_not_come(client):
    assert client.post("/files/a.bin").status_code == 204
