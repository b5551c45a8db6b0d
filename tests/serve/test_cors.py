"""CORS: a browser on another origin can call the mock with credentials."""

import asyncio
import copy

import pytest
import yaml
from starlette.middleware.cors import CORSMiddleware

from tests.conftest import AUTH
from wamock.serve.app import cors_options
from wamock.serve.safety import PathCORS

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


@pytest.mark.parametrize("headers", [[], [(b"vary", b"Accept")], [(b"vary", b"Accept"), (b"vary", b"Cookie")]])
def test_without_origin_the_answer_varies_as_starlettes_cors_makes_it(headers):
    """Pins what safety.send_varying_by_origin copies from Starlette's CORSMiddleware."""

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b""})

    def answer(middleware) -> list:
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/chats", "headers": [(b"host", b"127.0.0.1")]}
        asyncio.run(middleware(scope, None, send))
        return sorted(sent[0]["headers"])

    starlette = CORSMiddleware(app, **cors_options([]))
    ours = PathCORS(app, api=cors_options([]), control=None)

    assert answer(ours) == answer(starlette)
