"""Header parameters named Accept, Content-Type or Authorization are ignored, as OpenAPI says
("the parameter definition SHALL be ignored"): a document that marks them required (Telstra's
messaging API does, on every GET) is served to requests that send them as they like, or not at
all; its other header parameters are still required."""

import pytest

from tests.conftest import TEST_HOST
from tests.documents import document, write
from wamock.serve.app import create_app


def header(name: str) -> dict:
    return {"in": "header", "name": name, "required": True, "schema": {"type": "string", "minLength": 3}}


@pytest.fixture(scope="module", params=["3.0.3", "3.1.0"])
def client(request, tmp_path_factory):
    doc = document(
        {
            "/things": {
                "parameters": [{"$ref": "#/components/parameters/Accept"}],
                "get": {
                    "parameters": [header("Content-Type"), header("authorization"), header("X-Trace")],
                    "responses": {"200": {"description": "OK"}},
                },
            }
        },
        openapi=request.param,
    )
    doc["components"]["parameters"] = {"Accept": header("Accept")}
    spec_file = write(tmp_path_factory.mktemp("ignored") / "openapi.yaml", doc)
    return create_app(spec_file=spec_file, allowed_hosts=[TEST_HOST]).test_client()


def test_the_ignored_header_parameters_are_not_required(client):
    response = client.get("/things", headers={"X-Trace": "abc", "Accept": "", "Content-Type": ""})

    assert response.status_code == 200, response.text


def test_any_value_of_an_ignored_header_parameter_is_accepted(client):
    response = client.get("/things", headers={"X-Trace": "abc", "Content-Type": "a", "Accept": "x/y"})

    assert response.status_code == 200, response.text


def test_the_other_header_parameters_are_still_required(client):
    assert client.get("/things").status_code == 400
    assert client.get("/things", headers={"X-Trace": "ab"}).status_code == 400
