"""CORS: a browser on another origin can call the mock with credentials."""

import copy

import pytest
import yaml

from tests.conftest import AUTH

ORIGIN = "http://localhost:5173"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization,prefer",
}


def test_preflight_is_answered_without_credentials(client):
    response = client.options("/chats", headers=PREFLIGHT)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert {"authorization", "prefer"} <= {
        header.strip().lower() for header in response.headers["access-control-allow-headers"].split(",")
    }


@pytest.mark.parametrize(("auth", "status"), [(AUTH, 200), (None, 401)])
def test_answers_carry_cors_headers_errors_too(client, auth, status):
    response = client.get("/chats", auth=auth, headers={"Origin": ORIGIN})

    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "WWW-Authenticate"


def test_allow_list_refuses_other_origins(make_client):
    client = make_client(cors_origins=["http://app.example"])

    allowed = client.options("/chats", headers={**PREFLIGHT, "Origin": "http://app.example"})
    refused = client.options("/chats", headers=PREFLIGHT)

    assert allowed.status_code == 200
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def preflight(client, headers: str):
    return client.options(
        "/chats",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": headers},
    )


def test_preflight_allows_the_device_header_upstream_clients_send(client):
    response = preflight(client, "authorization,x-device-id")

    assert response.status_code == 200
    assert "x-device-id" in response.headers["access-control-allow-headers"].lower()


def test_any_header_the_served_spec_declares_is_allowed(make_client, spec, tmp_path):
    declared = copy.deepcopy(spec)
    declared["paths"]["/chats"]["get"]["parameters"].append(
        {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string"}}
    )
    spec_file = tmp_path / "openapi.yaml"
    spec_file.write_text(yaml.safe_dump(declared, allow_unicode=True))

    allowed = preflight(make_client(spec_file=spec_file), "x-trace-id")
    refused = preflight(make_client(), "x-trace-id")

    assert allowed.status_code == 200
    assert refused.status_code == 400
