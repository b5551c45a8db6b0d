"""`wamock check URL --spec FILE` with a document of several operations (upstream's).

A cut of upstream's document, GET /chats and POST /chat/{chat_jid}/archive, keeps the checks
quick; the whole document is checked against the mock in `test_mock_keeps_upstreams_whole_document`.
"""

import copy
import json
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from tests.check.broken import ARCHIVE_DEFECTS, implementation
from tests.check.test_checker import QUICK, check
from tests.conftest import AUTH, UPSTREAM, needs_upstream, serving, start_wamock, stop
from tests.documents import document, write

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def chats_and_archive(tmp_path_factory) -> Path:
    """Upstream's GET /chats and archive operations; the archive's 401 and 400 left out, as
    upstream leaves them out of most operations: its security and its body imply them."""
    document = yaml.safe_load(UPSTREAM.read_text())
    kept = {path: document["paths"][path] for path in ("/chats", "/chat/{chat_jid}/archive")}
    kept = copy.deepcopy(kept)
    for status in ("400", "401"):
        del kept["/chat/{chat_jid}/archive"]["post"]["responses"][status]
    path = tmp_path_factory.mktemp("document") / "chats-and-archive.yaml"
    path.write_text(yaml.safe_dump({**document, "paths": kept}))
    return path


@needs_upstream
def test_an_independent_implementation_of_both_operations_conforms(capsys, chats_and_archive):
    with serving(implementation()) as url:
        status, output = check(capsys, url, *QUICK, "--spec", str(chats_and_archive))

    assert status == 0, output


@needs_upstream
def test_the_mock_serving_the_document_conforms(capsys, chats_and_archive):
    server = start_wamock("--spec", str(chats_and_archive))
    try:
        status, output = check(capsys, server.base_url, *QUICK, "--spec", str(chats_and_archive))
    finally:
        stop(server)

    assert status == 0, output


@needs_upstream
@pytest.mark.parametrize(("defect", "check_name"), ARCHIVE_DEFECTS.items(), ids=list(ARCHIVE_DEFECTS))
def test_each_broken_archive_rule_is_caught(capsys, chats_and_archive, defect, check_name):
    with serving(implementation(defect)) as url:
        status, output = check(capsys, url, *QUICK, "--spec", str(chats_and_archive))

    assert status == 1
    assert f"FAILED {check_name}: " in output, output


@needs_upstream
def test_the_probe_leaves_the_chat_as_it_found_it(capsys, chats_and_archive):
    with serving(implementation()) as url:
        before = httpx.get(f"{url}/chats", params={"archived": "true", "limit": 100}, auth=AUTH).json()
        status, output = check(capsys, url, "--max-examples", "1", "--seed", "7", "--spec", str(chats_and_archive))
        after = httpx.get(f"{url}/chats", params={"archived": "true", "limit": 100}, auth=AUTH).json()

    assert status == 0, output
    assert after["results"] == before["results"]


def recording_bodies(app, bodies: list[bytes]):
    """`app`, keeping the body of every request it gets."""

    async def recorded(scope, receive, send):
        async def receive_and_keep():
            message = await receive()
            if message["type"] == "http.request" and message.get("body"):
                bodies.append(message["body"])
            return message

        await app(scope, receive_and_keep if scope["type"] == "http" else receive, send)

    return recorded


@needs_upstream
def test_reproduce_line_of_a_request_with_a_body_sends_the_body(capsys, chats_and_archive):
    """A POST that broke a rule is reproduced with its body as sent, byte for byte."""
    bodies: list[bytes] = []
    with serving(recording_bodies(implementation("archive_undocumented_status"), bodies)) as url:
        output = check(capsys, url, *QUICK, "--spec", str(chats_and_archive))[1]
        block = output.split("FAILED status_code_conformance: ")[1]
        command = next(line for line in block.splitlines() if "Reproduce: " in line).split("Reproduce: ")[1]
        sent_by_the_run = list(bodies)
        result = subprocess.run(
            ["bash", "-c", command + " --silent --output /dev/null --write-out '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=10,
        )

    assert result.stdout == "409"
    assert len(bodies) == len(sent_by_the_run) + 1  # the reproduced request sent a body
    assert bodies[-1] in sent_by_the_run  # one the run sent


def test_without_the_archive_operation_no_archive_is_sent(capsys):
    with serving(implementation("archive_is_ignored")) as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 0, output


@needs_upstream
def test_mock_keeps_upstreams_whole_document(capsys):
    """Every one of the 89 operations fuzzed, and GET /chats and the archive probed: nothing found."""
    server = start_wamock("--spec", str(UPSTREAM))
    try:
        status, output = check(capsys, server.base_url, "--max-examples", "10", "--seed", "1", "--spec", str(UPSTREAM))
    finally:
        stop(server)

    assert status == 0, output
    assert "probes: 19 properties" in output


PETS = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "security": [{"basic": []}],
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "paths": {
        "/pets": {
            "get": {
                "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["cat", "dog"]}}],
                "responses": {
                    "200": {
                        "description": "pets",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["id"],
                                        "properties": {"id": {"type": "integer", "example": 7}},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/pets/{id}": {
            "delete": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "deleted"}, "404": {"description": "no such pet"}},
            }
        },
    },
}


def test_a_document_without_chats_is_served_and_checked(capsys, tmp_path):
    document = tmp_path / "pets.yaml"
    document.write_text(yaml.safe_dump(PETS))
    server = start_wamock("--spec", str(document))
    try:
        pets = httpx.get(f"{server.base_url}/pets", auth=AUTH)
        wrong_kind = httpx.get(f"{server.base_url}/pets", params={"kind": "fish"}, auth=AUTH)
        deleted = httpx.delete(f"{server.base_url}/pets/7", auth=AUTH)
        again = httpx.delete(f"{server.base_url}/pets/7", auth=AUTH)
        httpx.post(f"{server.base_url}/__wamock/reset", headers={"Content-Type": "application/json"})
        status, output = check(capsys, server.base_url, *QUICK, "--spec", str(document))
    finally:
        stop(server)

    # /pets is a collection (wamock.data.inference): generated pets, 7 among them, until deleted.
    assert pets.status_code == 200 and {"id": 7} in pets.json()
    assert wrong_kind.status_code == 400 and "kind" in wrong_kind.json()["message"]
    assert (deleted.status_code, again.status_code) == (204, 404)
    assert status == 0, output
    assert "probes:" not in output  # no GET /chats: wamock's rules have nothing to judge


def test_a_document_openapi_core_would_refuse_is_still_checked_and_its_flaw_named(capsys, tmp_path):
    """OpenAI's document lists a `required` name twice: openapi-core's own validation refused
    the whole document (a traceback before any request). Now the run goes on; Schemathesis
    names the schema it cannot judge answers by, as a finding."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    schema = {"type": "object", "required": ["name", "name"], "properties": {"name": {"type": "string"}}}
    ok = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    spec = write(tmp_path / "dup.yaml", document({"/things": {"get": {"responses": {"200": ok}}}}))

    async def things(request):
        return JSONResponse({"name": "x"})

    with serving(Starlette(routes=[Route("/things", things)])) as url:
        status, output = check(capsys, url, *QUICK, "--spec", str(spec))

    assert status == 1, output
    assert "Traceback" not in output
    assert "FAILED schemathesis: Schemathesis could not finish a test" in output
    assert "Invalid Schema Object in response definition" in output


TAGGED = {
    "/things": {
        "get": {
            "parameters": [
                {
                    "name": "tags",
                    "in": "query",
                    "schema": {"type": "array", "items": {"type": "string", "enum": ["red", "blue", "green"]}},
                }
            ],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "array"}}}}},
        },
        "post": {
            "requestBody": {  # not required: a POST without a body is valid
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
            },
            "responses": {"201": {"description": "Created"}},
        },
    }
}


def tagged_things(refuse_valid: bool):
    """An implementation of TAGGED sharing no code with wamock; `refuse_valid`: it refuses two
    kinds of valid request, as real servers were seen to (tags given twice, a POST without a
    body)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def things(request):
        if request.method == "POST":
            body = await request.body()
            if not body:
                return (
                    JSONResponse({"message": "body required"}, status_code=400)
                    if refuse_valid
                    else Response(status_code=201)
                )
            try:
                thing = json.loads(body)
            except ValueError:
                thing = None
            if not isinstance(thing, dict) or not isinstance(thing.get("name", ""), str):
                return JSONResponse({"message": "body: a thing, whose name is a string"}, status_code=400)
            return Response(status_code=201)
        tags = request.query_params.getlist("tags")
        if any(tag not in ("red", "blue", "green") for tag in tags):
            return JSONResponse({"message": "tags: unknown"}, status_code=400)
        if refuse_valid and len(tags) > 1:
            return JSONResponse({"message": "tags: one only"}, status_code=400)
        return JSONResponse([{"name": tag} for tag in tags])

    return Starlette(routes=[Route("/things", things, methods=["GET", "POST"])])


@pytest.mark.parametrize("refuse_valid", [False, True], ids=["correct", "refuses-valid-requests"])
def test_a_valid_request_refused_is_found_on_any_document(capsys, tmp_path, refuse_valid):
    spec = write(tmp_path / "tagged.yaml", document(TAGGED))

    with serving(tagged_things(refuse_valid)) as url:
        status, output = check(capsys, url, *QUICK, "--spec", str(spec))

    if refuse_valid:
        assert status == 1, output
        assert "FAILED positive_data_acceptance: Schema-valid request rejected" in output
        assert "Operation: GET /things" in output and "tags=" in output  # each refusal, with its request
        assert "Operation: POST /things" in output
    else:
        assert status == 0, output


HEADED = {
    "/things": {
        "get": {
            "parameters": [
                {"in": "header", "name": name, "required": True, "schema": {"type": "string"}}
                for name in ("Accept", "Content-Type", "X-Trace")
            ],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "array"}}}}},
        }
    }
}


def headed_things(ignores_trace: bool):
    """An implementation of HEADED sharing no code with wamock: it ignores Accept and Content-Type
    (as OpenAPI says to), requires X-Trace unless `ignores_trace`."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def things(request):
        if not ignores_trace and "x-trace" not in request.headers:
            return JSONResponse({"message": "X-Trace: required"}, status_code=400)
        return JSONResponse([])

    return Starlette(routes=[Route("/things", things)])


@pytest.mark.parametrize("ignores_trace", [False, True], ids=["correct", "ignores-a-required-header"])
def test_header_parameters_openapi_ignores_are_not_required_of_a_server(capsys, tmp_path, ignores_trace):
    """Accept, Content-Type and Authorization as header parameters "SHALL be ignored" (OpenAPI):
    a server that does is correct; one that ignores a header the document requires is not."""
    spec = write(tmp_path / "headed.yaml", document(HEADED))

    with serving(headed_things(ignores_trace)) as url:
        status, output = check(capsys, url, *QUICK, "--spec", str(spec))

    if ignores_trace:
        assert status == 1, output
        assert "missing required 'X-Trace' header" in output, output
    else:
        assert status == 0, output
    assert "'Accept' header" not in output and "'Content-Type' header" not in output, output
