"""Bad input, as clients really send it: every case gets a documented status in the envelope.

Each row is a decision; the README's "Bad input" table gives the same rows with the why.
"""

import base64
import signal
import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    AUTH,
    UPSTREAM,
    all_read_by_server,
    needs_upstream,
    read_answer,
    send_requests,
    start_wamock,
    stop,
    wait_for,
)
from tests.documents import document, write
from wamock.adapters.uvicorn import Limits
from wamock.serve.app import create_app

pytestmark = pytest.mark.live


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        pytest.param("limit=", 400, "limit: must be an integer", id="empty"),
        pytest.param("limit=1e2", 400, "limit: must be an integer", id="exponent"),
        pytest.param("limit=+5", 400, "limit: must be an integer", id="plus-is-a-space"),
        pytest.param("limit=%2B5", 200, None, id="explicit-sign"),
        pytest.param("limit=05", 200, None, id="leading-zero"),
        pytest.param("limit=%D9%A3", 400, "limit: must be an integer", id="arabic-indic-digit"),
        pytest.param("limit=5_0", 400, "limit: must be an integer", id="underscore"),
        pytest.param("limit=%205", 400, "limit: must be an integer", id="leading-space"),
        pytest.param("limit=99999999999999999999", 400, "limit: must be no greater than 100", id="huge-limit"),
        pytest.param("offset=99999999999999999999", 200, None, id="huge-offset-is-past-the-end"),
        pytest.param("limit=5&limit=7", 400, "limit: given 2 times; give it once", id="repeated"),
        pytest.param("has_media=TRUE", 200, None, id="upper-case-true"),
        pytest.param("has_media=1", 400, "has_media: must be true or false", id="one"),
        pytest.param("limit=%zz", 400, "limit: must be an integer", id="bad-percent-encoding"),
        pytest.param("limit=%ff", 400, "limit: must be an integer", id="invalid-utf8"),
        pytest.param("%ff%fe=1&limit=2", 200, None, id="invalid-utf8-unknown-name"),
        pytest.param("limit=2&limit", 400, "limit: given 2 times; give it once", id="repeated-without-value"),
    ],
)
def test_malformed_query_gets_a_clear_answer(live_client, query, status, message):
    response = live_client.get(f"/chats?{query}", auth=AUTH)

    assert response.status_code == status
    if message is not None:
        assert response.json() == {"code": str(status), "message": message, "results": {}}


def basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic " + "QUFB" * 2500, id="10kb-of-base64"),
        pytest.param("Basic %%%not-base64%%%", id="invalid-base64"),
        pytest.param(basic(b"usernamepassword"), id="no-colon"),
        pytest.param(basic("username:pässword".encode("latin-1")), id="latin-1-bytes"),
        pytest.param(basic(b"\xff\xfe:\xfd"), id="not-utf8"),
        pytest.param("Basic", id="scheme-only"),
        pytest.param("Basic    x", id="scheme-and-spaces"),
        pytest.param("Digest username=username", id="other-scheme"),
        pytest.param(basic(b"username:password:extra"), id="extra-colon"),
    ],
)
def test_malformed_credentials_get_401(live_client, authorization):
    response = live_client.get("/chats", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.json() == {"code": "401", "message": "Unauthorized access", "results": {}}


def raw_request(base_url: str, request: bytes) -> tuple[int, bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


AUTH_LINE = b"Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        pytest.param(
            b"GET /chats?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"\r\n",
            414,
            b"request target longer than 8192 bytes",
            id="100kb-query",
        ),
        pytest.param(
            b"GET /chats HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"X-Big: " + b"b" * 70_000 + b"\r\n\r\n",
            431,
            b"request headers longer than 65536 bytes in all",
            id="70kb-header",
        ),
        pytest.param(
            b"GET /chats?limit=\xff HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"\r\n",
            400,
            b"malformed HTTP request: its request line or a header cannot be parsed",
            id="raw-non-ascii-in-target",
        ),
        pytest.param(b"HELLO\r\n\r\n", 400, b"malformed HTTP request", id="not-http"),
    ],
)
def test_requests_the_parser_refuses_get_the_envelope(live_server, request_bytes, status, message):
    got_status, body = raw_request(live_server.base_url, request_bytes)

    assert got_status == status
    assert body.startswith(b'{"code":"%d","message":"' % status + message)


def test_oversized_body_gets_413_before_it_is_read(live_server):
    declared = Limits.max_body + 1
    request = b"PUT /__wamock/chats HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    request += b"Content-Length: %d\r\n\r\n[" % declared

    status, body = raw_request(live_server.base_url, request)

    assert status == 413
    assert body == b'{"code":"413","message":"request body longer than %d bytes (--max-body)","results":{}}' % (
        Limits.max_body
    )


def test_control_rejects_bad_bodies_and_keeps_the_data(live_client):
    answers = [
        live_client.put("/__wamock/chats", content=b"\xff\xfe", headers={"content-type": "application/json"}),
        live_client.put("/__wamock/chats", content=b"[", headers={"content-type": "application/json"}),
        live_client.put("/__wamock/chats", content=b"", headers={"content-type": "application/json"}),
        live_client.put("/__wamock/chats", json="chats"),
        live_client.put("/__wamock/session", content=b"true", headers={"content-type": "application/json"}),
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400, 400, 400]
    assert all(answer.json()["code"] == "400" for answer in answers)
    assert live_client.get("/chats", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_credentials_never_reach_the_log(tmp_path):
    server = start_wamock("--auth", "alice:s3cret-pw", cwd=tmp_path, access_log=True)
    try:
        httpx.get(f"{server.base_url}/chats", auth=("alice", "s3cret-pw"))
        httpx.get(f"{server.base_url}/chats", auth=("alice", "wrong-guess"))
        journal = httpx.get(f"{server.base_url}/__wamock/journal").text
    finally:
        stop(server)
    log = server.banner + "".join(server.output)

    assert "GET /chats 200 user=alice\n" in log
    assert "GET /chats 401 user=alice\n" in log
    assert "s3cret-pw" not in log + journal
    assert "wrong-guess" not in log + journal
    assert base64.b64encode(b"alice:s3cret-pw").decode() not in log + journal


def test_binding_every_interface_says_so(tmp_path):
    server = start_wamock("--host", "0.0.0.0", cwd=tmp_path)
    stop(server)

    assert "warning: listening on every interface" in server.banner
    assert "open control API" in server.banner


def test_sigterm_drains_requests_in_flight_and_exits_0(tmp_path):
    server = start_wamock("--delay", "1500", cwd=tmp_path)
    request = b"GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + AUTH_LINE + b"\r\n"
    connections = send_requests(server.base_url, request, 20)
    # Each delayed 1.5 s; once the server has read all 20, they are in flight.
    wait_for(lambda: all_read_by_server(connections), what="the 20 requests to be read")
    server.process.send_signal(signal.SIGTERM)
    statuses = [read_answer(connection)[0] for connection in connections]
    server.process.wait(timeout=30)
    stop(server)

    assert statuses == [200] * 20
    assert server.process.returncode == 0


def test_an_optional_json_body_may_be_left_out_and_a_required_one_may_not(tmp_path):
    """OpenAPI's requestBody is optional unless `required: true`: GOWA's document leaves it out on
    most POSTs, and upstream's server takes them without a body."""
    body = {"content": {"application/json": {"schema": {"type": "object", "required": ["n"]}}}}
    ok = {"200": {"description": "OK"}}
    spec = document(
        {
            "/optional": {"post": {"requestBody": body, "responses": ok}},
            "/required": {"post": {"requestBody": {**body, "required": True}, "responses": ok}},
        }
    )
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()
    left_out = client.post("/optional")
    required = client.post("/required")
    null = client.post("/optional", content=b"null", headers={"Content-Type": "application/json"})

    assert left_out.status_code == 200, left_out.text
    assert required.status_code == 400, required.text
    assert null.status_code == 400


def test_a_form_field_the_schema_declares_is_given_once_and_others_are_ignored(tmp_path):
    """A field of one value given twice is ambiguous (400); one the schema leaves untyped may be
    a list (Discourse's upload `file: {}`, given as three parts by Schemathesis), as may one it
    does not declare."""
    properties = {"group_id": {"type": "string"}, "file": {}}
    form = {"type": "object", "properties": properties, "required": ["group_id"]}
    body = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
    spec = document({"/photo": {"post": {"requestBody": body, "responses": {"200": {"description": "OK"}}}}})
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()

    extra_twice = client.post("/photo", files=[("group_id", (None, "1")), ("x", (None, "a")), ("x", (None, "b"))])
    untyped_twice = client.post(
        "/photo", files=[("group_id", (None, "1")), ("file", (None, "a")), ("file", (None, "b"))]
    )
    declared_twice = client.post("/photo", files=[("group_id", (None, "1")), ("group_id", (None, "2"))])

    assert extra_twice.status_code == 200, extra_twice.text
    assert untyped_twice.status_code == 200, untyped_twice.text
    assert (declared_twice.status_code, declared_twice.json()["message"]) == (
        400,
        "body.group_id: given 2 times; give it once",
    )


@pytest.mark.parametrize("media_type", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_an_optional_form_body_may_be_left_out_and_a_required_one_may_not(tmp_path, media_type):
    """connexion judged a form left out as an empty one, refused for its required fields: on
    GOWA's document, `POST /group/photo` without a body, which the document allows."""
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "string"}}}
    body = {"content": {media_type: {"schema": schema}}}
    ok = {"200": {"description": "OK"}}
    spec = document(
        {
            "/optional": {"post": {"requestBody": body, "responses": ok}},
            "/required": {"post": {"requestBody": {**body, "required": True}, "responses": ok}},
        }
    )
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()
    left_out = client.post("/optional")
    required = client.post("/required")
    empty_form = client.post("/optional", content=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert left_out.status_code == 200, left_out.text
    assert required.status_code == 400, required.text
    assert empty_form.status_code in (400, 415), empty_form.text  # a form given is judged: `n` is missing


@needs_upstream
def test_archiving_without_a_body_unarchives_as_upstreams_go_binds_it():
    """Upstream's document leaves the archive's body optional: a request without one is valid
    (it was once a server error, then a 400 the checker rightly reports), bound to `archived` false."""
    client = create_app(spec_file=UPSTREAM, allowed_hosts=["testserver"]).test_client()
    jid = "6289685028129@s.whatsapp.net"
    client.post(f"/chat/{jid}/archive", json={"archived": True}, auth=AUTH)

    response = client.post(f"/chat/{jid}/archive", auth=AUTH)

    assert response.status_code == 200, response.text
    assert response.json()["results"]["archived"] is False


def test_an_exploded_array_query_parameter_is_given_once_for_each_item(tmp_path):
    """Swagger's petstore: `?status=available&status=pending` (explode, OpenAPI's default) was
    refused as a parameter given twice; a plain one given twice still is."""
    ok = {"200": {"description": "OK"}}
    listed = {"type": "array", "items": {"type": "string", "enum": ["available", "pending", "sold"]}}
    parameters = [
        {"name": "status", "in": "query", "schema": listed},
        {"name": "joined", "in": "query", "explode": False, "schema": listed},
        {"name": "name", "in": "query", "schema": {"type": "string"}},
    ]
    spec = document({"/pets": {"get": {"parameters": parameters, "responses": ok}}})
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()

    exploded = client.get("/pets?status=available&status=pending")
    wrong_item = client.get("/pets?status=available&status=lost")
    joined_twice = client.get("/pets?joined=available&joined=sold")
    plain_twice = client.get("/pets?name=a&name=b")

    assert exploded.status_code == 200, exploded.text
    assert wrong_item.status_code == 400, wrong_item.text
    assert joined_twice.status_code == 400, joined_twice.text
    assert plain_twice.status_code == 400, plain_twice.text


def test_a_31_body_schema_says_itself_whether_null_is_valid(tmp_path):
    """Discourse (3.1): a body schema without a `type` takes JSON null, which 3.0's `nullable`
    rule refused; one typed `object` still refuses it."""
    ok = {"200": {"description": "OK"}}

    def posting(schema: dict) -> dict:
        return {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": ok}}

    spec = {
        **document(
            {"/any": posting({"properties": {"n": {"type": "integer"}}}), "/object": posting({"type": "object"})}
        ),
        "openapi": "3.1.0",
    }
    client = create_app(spec_file=write(tmp_path / "spec.yaml", spec), allowed_hosts=["testserver"]).test_client()
    null = {"content": b"null", "headers": {"Content-Type": "application/json"}}

    assert client.post("/any", **null).status_code == 200
    assert client.post("/object", **null).status_code == 400


def test_a_content_type_that_names_no_media_type_is_no_server_error():
    """Schemathesis sends `Content-Type: ` with a GET: connexion split it on `/` and failed (500)."""
    books = Path(__file__).parents[1] / "check" / "library" / "books.yaml"
    client = create_app(spec_file=books, allowed_hosts=["testserver"]).test_client()

    listed = client.get("/books", auth=AUTH, headers={"Content-Type": ""})
    slashes = [
        client.get("/books", auth=AUTH, headers={"Content-Type": value}) for value in ("a/b/c", "E)uqF/*/|:", "/")
    ]
    created = client.post(
        "/books", auth=AUTH, content=b'{"title": "T", "author": "A"}', headers={"Content-Type": "json"}
    )

    assert listed.status_code == 200, listed.text
    assert [answer.status_code for answer in slashes] == [200, 200, 200]
    assert created.status_code < 500, created.text  # read as a body of no media type: connexion takes it as JSON
