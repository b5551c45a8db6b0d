"""wamock.serve.published: /openapi.json and /openapi.yaml publish the document as read, rendered once."""

import pytest
import yaml

from tests.conftest import TEST_HOST
from tests.documents import attempt_serve, document, with_thing, write
from wamock.serve.app import create_app

TREE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
    },
}


@pytest.mark.live
def test_a_recursive_schema_is_published_with_its_ref(tmp_path):
    spec = write(tmp_path / "openapi.yaml", with_thing(TREE))

    attempt = attempt_serve("--spec", str(spec), get=("/openapi.json", "/openapi.yaml", "/things"))

    assert [attempt.served[path].status_code for path in ("/openapi.json", "/openapi.yaml", "/things")] == [
        200,
        200,
        200,
    ]
    assert attempt.served["/openapi.json"].json()["components"]["schemas"]["Thing"] == TREE
    assert yaml.safe_load(attempt.served["/openapi.yaml"].text)["components"]["schemas"]["Thing"] == TREE


@pytest.mark.live
def test_the_document_is_shared_without_credentialed_cors(tmp_path):
    spec = write(tmp_path / "openapi.yaml", document())

    attempt = attempt_serve(
        "--spec", str(spec), get=("/openapi.json", "/openapi.yaml")
    )  # with Origin: http://evil.example

    for response in attempt.served.values():
        assert response.status_code == 200
        assert "access-control-allow-credentials" not in response.headers
        assert response.headers["access-control-allow-origin"] == "*"


def test_the_document_is_published_under_its_servers_base_path(tmp_path):
    spec = write(tmp_path / "openapi.yaml", document(servers=[{"url": "http://localhost:3000/api/v1"}]))
    client = create_app(spec_file=spec, allowed_hosts=[TEST_HOST]).test_client()

    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": "/api/v1"}]


def test_the_document_is_rendered_once(tmp_path, monkeypatch):
    from wamock.serve import published

    rendered = []
    render = published.render
    monkeypatch.setattr(published, "render", lambda document, form: rendered.append(form) or render(document, form))
    client = create_app(spec_file=write(tmp_path / "openapi.yaml", document()), allowed_hosts=[TEST_HOST]).test_client()

    answers = [
        client.get(path).status_code for path in ("/openapi.json", "/openapi.json", "/openapi.yaml", "/openapi.yaml")
    ]

    assert answers == [200, 200, 200, 200]
    assert rendered == ["json", "yaml"]
