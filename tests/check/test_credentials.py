"""`wamock check` sends each operation the credentials its security requirement asks: Basic,
bearer (also for OAuth2 and OpenID Connect), apiKey in a header, query or cookie, alternatives
and combinations; and a run whose answers mostly refuse it says so.

The server is a few lines of Starlette written from the document below; it shares no code
with wamock, and counts what it let through.
"""

import collections

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.check.test_checker import check
from tests.conftest import serving
from tests.documents import write
from wamock.check.credentials import Credentials
from wamock.data.operations import operations

pytestmark = pytest.mark.live

TOKEN, KEY = "t0k-3n", "k3y"
OK = {
    "description": "OK",
    "content": {
        "application/json": {
            "schema": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}
        }
    },
}
REFUSED = {"description": "Refused", "content": {"application/json": {"schema": {"type": "object"}}}}
REQUIREMENTS = {
    "/bearer": [{"bearer": []}],
    "/oauth": [{"oauth": ["read"]}],
    "/oidc": [{"oidc": []}],
    "/header-key": [{"headerKey": []}],
    "/either": [{"bearer": []}, {"queryKey": []}],
    "/both": [{"bearer": [], "cookieKey": []}],
    "/basic": [{"basic": []}],
    "/open": [],
}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "doors", "version": "1"},
    "paths": {
        path: {"get": {"security": requirement, "responses": {"200": OK, "401": REFUSED}}}
        for path, requirement in REQUIREMENTS.items()
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "oauth": {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "https://example.com/token", "scopes": {"read": "r"}}},
            },
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.com/.well-known/openid"},
            "headerKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "cookieKey": {"type": "apiKey", "in": "cookie", "name": "session"},
            "basic": {"type": "http", "scheme": "basic"},
        }
    },
}


def door_server(let_through: collections.Counter) -> Starlette:
    """Each path lets through exactly what its requirement asks, as OpenAPI defines it."""

    def has(request: Request, scheme: str) -> bool:
        if scheme in ("bearer", "oauth", "oidc"):
            return request.headers.get("authorization") == f"Bearer {TOKEN}"
        if scheme == "basic":
            return request.headers.get("authorization") == "Basic dXNlcm5hbWU6cGFzc3dvcmQ="  # username:password
        return {
            "headerKey": request.headers.get("x-api-key"),
            "queryKey": request.query_params.get("api_key"),
            "cookieKey": request.cookies.get("session"),
        }[scheme] == KEY

    def door(path: str):
        async def answer(request: Request) -> JSONResponse:
            requirement = REQUIREMENTS[path]
            if requirement and not any(all(has(request, scheme) for scheme in alt) for alt in requirement):
                return JSONResponse({"message": "no"}, 401)
            let_through[path] += 1
            return JSONResponse({"ok": True})

        return answer

    return Starlette(routes=[Route(path, door(path)) for path in REQUIREMENTS])


@pytest.fixture
def document(tmp_path):
    return write(tmp_path / "doors.yaml", DOCUMENT)


def test_each_operation_is_sent_what_its_requirement_asks():
    credentials = Credentials(("username", "password"), TOKEN, ((None, KEY),))
    sent = {key: credentials.sent(DOCUMENT, operation) for key, operation in operations(DOCUMENT).items()}

    assert sent["GET /oauth"].headers == {"Authorization": f"Bearer {TOKEN}"}
    assert sent["GET /header-key"].headers == {"X-API-Key": KEY}
    assert sent["GET /either"].headers == {"Authorization": f"Bearer {TOKEN}"}  # the first alternative met
    assert (sent["GET /both"].headers, sent["GET /both"].cookies) == (
        {"Authorization": f"Bearer {TOKEN}"},
        {"session": KEY},
    )
    assert sent["GET /open"].headers == {}


def test_half_a_combination_is_none_of_it():
    only_token = Credentials(("username", "password"), TOKEN)

    assert only_token.sent(DOCUMENT, operations(DOCUMENT)["GET /both"]) == only_token.sent(
        DOCUMENT, operations(DOCUMENT)["GET /open"]
    )


def test_an_alternative_the_run_cannot_meet_is_passed_over():
    only_key = Credentials(("username", "password"), None, (("queryKey", KEY),))
    sent = {key: only_key.sent(DOCUMENT, operation) for key, operation in operations(DOCUMENT).items()}

    assert sent["GET /either"].params == {"api_key": KEY}
    assert sent["GET /both"] == sent["GET /open"]  # half a combination is none of it


def test_with_every_credential_each_operation_is_reached(capsys, document):
    let_through = collections.Counter()
    with serving(door_server(let_through)) as url:
        _status, output = check(
            capsys,
            url,
            "--spec",
            str(document),
            "--max-examples",
            "5",
            "--seed",
            "3",
            "--token",
            TOKEN,
            "--api-key",
            KEY,
        )

    assert "FAILED credentials" not in output
    assert set(let_through) == set(REQUIREMENTS), (let_through, output)


def test_a_run_refused_everywhere_says_it_tested_the_door(capsys, document):
    with serving(door_server(collections.Counter())) as url:
        status, output = check(
            capsys, url, "--spec", str(document), "--max-examples", "5", "--seed", "3", "--auth", "no:body"
        )

    assert status == 1
    assert "FAILED credentials: Most answers refuse the run's credentials" in output


def test_refusals_expected_is_not_a_finding(capsys, document):
    with serving(door_server(collections.Counter())) as url:
        _status, output = check(
            capsys,
            url,
            "--spec",
            str(document),
            "--max-examples",
            "5",
            "--seed",
            "3",
            "--auth",
            "no:body",
            "--refusals-expected",
        )

    assert "FAILED credentials" not in output


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--api-key", "=v"], "--api-key '=v': give VALUE or NAME=VALUE"),
        (["-H", "no-colon"], "-H 'no-colon': give NAME:VALUE"),
    ],
)
def test_a_credential_option_that_cannot_be_read_is_one_line(capsys, option, message):
    status, output = check(capsys, "http://127.0.0.1:9", *option)

    assert (status, output) == (2, f"error: {message}\n")
