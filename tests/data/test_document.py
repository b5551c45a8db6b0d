"""wamock.data.document: any `--spec` document is read within bounds, and reaches only what its author shares.

The hostile documents are real files, read by real `wamock serve` and `wamock check` processes.
"""

import os
import socket
import time

import pytest
import yaml

from tests.documents import SECRET, attempt_serve, document, run_wamock, site, with_thing, write
from wamock.data import spec as spec_module
from wamock.data.paths import SPEC_FILE

pytestmark = pytest.mark.live

MAX_BYTES = 64 * 2**20  # the largest document wamock reads
UNREACHABLE = "http://127.0.0.1:9"  # the checked server: the document is refused before it is asked


@pytest.fixture
def secrets(tmp_path):
    """Files beside the document's folder that no document may serve."""
    folder = tmp_path / "secrets"
    return {
        "git-credentials": write(folder / ".git-credentials", f"https://user:{SECRET}@github.com\n"),
        "ssh-key": write(folder / "id_ed25519", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n"),
        "env": write(folder / ".env", f"TOKEN={SECRET}\n"),
    }


def ref_to(tmp_path, secrets, how: str) -> str:
    if how == "dot-dot":
        return "../secrets/.git-credentials"
    if how == "absolute":
        return str(secrets["ssh-key"])
    if how == "file-uri":
        return secrets["env"].as_uri()
    if how == "symlink":
        link = tmp_path / "api" / "schemas" / "thing.yaml"
        link.parent.mkdir(parents=True)
        os.symlink(secrets["env"], link)
        return "schemas/thing.yaml"
    assert how == "etc-passwd"
    return "/etc/passwd"


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "file-uri", "symlink", "etc-passwd"])
def test_a_ref_out_of_the_documents_folder_is_refused_and_never_served(tmp_path, secrets, how):
    ref = ref_to(tmp_path, secrets, how)
    spec = write(
        tmp_path / "api" / "openapi.yaml", with_thing({"type": "object", "properties": {"token": {"$ref": ref}}})
    )

    attempt = attempt_serve("--spec", str(spec))

    served = "".join(response.text for response in attempt.served.values())
    assert SECRET not in served and "root:" not in served
    assert attempt.status == 2
    assert len(attempt.error_lines) == 1
    assert attempt.error_lines[0].startswith(
        f"error: {spec}: components.schemas.Thing.properties.token: $ref {ref!r}: "
    )
    assert "outside the document's folder; pass --allow-ref " in attempt.error_lines[0]


def test_a_ref_out_of_the_folder_is_read_where_allowed(tmp_path):
    shared = write(tmp_path / "shared" / "thing.yaml", {"type": "object", "properties": {"id": {"type": "integer"}}})
    spec = write(tmp_path / "api" / "openapi.yaml", with_thing({"$ref": "../shared/thing.yaml"}))

    attempt = attempt_serve("--spec", str(spec), "--allow-ref", str(shared.parent))

    assert attempt.served["/openapi.json"].status_code == 200
    published = attempt.served["/openapi.json"].json()
    assert published["components"]["schemas"]["Thing"] == {"$ref": "#/x-wamock-bundled/thing.yaml"}
    assert published["x-wamock-bundled"] == {
        "thing.yaml": {"type": "object", "properties": {"id": {"type": "integer"}}}
    }


def test_a_split_document_in_its_own_folder_is_bundled(tmp_path):
    write(tmp_path / "api" / "schemas" / "common.yaml", {"Name": {"type": "string", "example": "John"}})
    write(
        tmp_path / "api" / "schemas" / "thing.yaml",
        {"Thing": {"type": "object", "properties": {"name": {"$ref": "common.yaml#/Name"}}}},
    )
    spec = write(tmp_path / "api" / "openapi.yaml", with_thing({"$ref": "schemas/thing.yaml#/Thing"}))

    attempt = attempt_serve("--spec", str(spec), get=("/openapi.json", "/things"))

    assert attempt.served["/things"].json() == {"name": "John"}
    assert attempt.served["/openapi.json"].json()["x-wamock-bundled"] == {
        "thing.yaml_Thing": {"type": "object", "properties": {"name": {"$ref": "#/x-wamock-bundled/common.yaml_Name"}}},
        "common.yaml_Name": {"type": "string", "example": "John"},
    }


def test_a_symlinked_document_reads_the_files_beside_it(tmp_path):
    write(tmp_path / "real" / "thing.yaml", {"type": "object", "properties": {"id": {"type": "integer"}}})
    real = write(tmp_path / "real" / "openapi.yaml", with_thing({"$ref": "thing.yaml"}))
    link = tmp_path / "elsewhere" / "openapi.yaml"
    link.parent.mkdir()
    os.symlink(real, link)

    attempt = attempt_serve("--spec", str(link), get=("/things",))

    assert attempt.served["/things"].json() == {"id": 0}


def test_a_parameter_ref_to_a_file_is_served_at_request_time(tmp_path):
    write(
        tmp_path / "api" / "parameters.yaml",
        {"ThingId": {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}},
    )
    doc = document()
    doc["paths"]["/things/{thing_id}"] = {
        **doc["paths"]["/things"],
        "parameters": [{"$ref": "parameters.yaml#/ThingId"}],
    }
    spec = write(tmp_path / "api" / "openapi.yaml", doc)

    attempt = attempt_serve("--spec", str(spec), get=("/things/7",))

    assert attempt.served["/things/7"].status_code == 200


def test_an_http_ref_is_not_fetched_unless_allowed(tmp_path):
    with site({"/thing.yaml": b"type: object\n"}) as remote:
        spec = write(tmp_path / "openapi.yaml", with_thing({"$ref": f"{remote.url}/thing.yaml"}))

        attempt = attempt_serve("--spec", str(spec))

        assert remote.asked == []
    assert attempt.status == 2
    assert attempt.error_lines == [
        f"error: {spec}: components.schemas.Thing: $ref '{remote.url}/thing.yaml': a URL is fetched only if "
        f"allowed; pass --allow-ref {remote.url}/thing.yaml"
    ]


def test_an_allowed_http_ref_is_fetched_once_at_start(tmp_path):
    with site({"/schemas/thing.yaml": b"type: object\nproperties: {id: {type: integer}}\n"}) as remote:
        spec = write(tmp_path / "openapi.yaml", with_thing({"$ref": f"{remote.url}/schemas/thing.yaml"}))

        attempt = attempt_serve("--spec", str(spec), "--allow-ref", f"{remote.url}/schemas", get=("/things",))

        assert remote.asked == ["/schemas/thing.yaml"]
    assert attempt.served["/things"].json() == {"id": 0}


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        pytest.param("/schemas/../secret.yaml", "a URL with '.' or '..' in its path", id="dot-dot-in-the-url"),
        pytest.param("/schemas/%2e%2e/secret.yaml", "a URL with '.' or '..' in its path", id="encoded-dot-dot"),
        pytest.param("/schemas/moved.yaml", "cannot fetch the document: HTTP 302 to '/secret.yaml'", id="redirect-out"),
    ],
)
def test_an_allowed_url_prefix_is_not_left(tmp_path, ref, message):
    with site({"/secret.yaml": f"token: {SECRET}\n".encode(), "/schemas/moved.yaml": "/secret.yaml"}) as remote:
        spec = write(tmp_path / "openapi.yaml", with_thing({"$ref": remote.url + ref}))

        attempt = attempt_serve("--spec", str(spec), "--allow-ref", f"{remote.url}/schemas/")

        assert "/secret.yaml" not in remote.asked
    assert attempt.status == 2
    assert len(attempt.error_lines) == 1
    assert message in attempt.error_lines[0]


def alias_bomb(levels: int) -> str:
    """A "billion laughs": each level nine aliases of the one before."""
    lines = [
        "openapi: 3.0.3",
        "info: {title: bomb, version: '1'}",
        "paths: {}",
        "x-bomb:",
        f"  l0: &l0 [{', '.join(['lol'] * 9)}]",
    ]
    lines += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def deep_schema(depth: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"inner": schema}}
    return schema


def ref_chain(links: int) -> dict:
    doc = with_thing({"$ref": "#/components/schemas/S0"})
    doc["components"]["schemas"].update({f"S{n}": {"$ref": f"#/components/schemas/S{n + 1}"} for n in range(links)})
    doc["components"]["schemas"][f"S{links}"] = {"type": "string"}
    return doc


def self_referring_response() -> dict:
    doc = document()
    doc["paths"]["/things"]["get"]["responses"]["200"] = {"$ref": "#/paths/~1things/get/responses/200"}
    return doc


def cycle() -> dict:
    doc = with_thing({"$ref": "#/components/schemas/Other"})
    doc["components"]["schemas"]["Other"] = {"$ref": "#/components/schemas/Thing"}
    return doc


def replaced(**parts) -> dict:
    doc = document()
    for name, value in parts.items():
        if value is ...:
            del doc[name]
        else:
            doc[name] = value
    return doc


def with_path(path: str, path_item) -> dict:
    return document({path: path_item})


THING_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
GET = {"responses": {"200": {"description": "OK"}}}

HOSTILE = [
    pytest.param(alias_bomb(9), "aliases", id="alias-bomb-9-levels"),
    pytest.param(alias_bomb(6), "its aliases expand", id="alias-bomb-6-levels"),
    pytest.param(
        "openapi: 3.0.3\nx-loop: &loop [*loop]\n", "an alias refers to a node that contains it", id="alias-loop"
    ),
    pytest.param(with_thing({"$ref": "#/components/schemas/Thing"}), "a $ref cycle", id="ref-self"),
    pytest.param(cycle(), "a $ref cycle", id="ref-cycle"),
    pytest.param(self_referring_response(), "a $ref cycle", id="response-refers-to-itself"),
    pytest.param(ref_chain(5000), "a chain of more than 32 $refs", id="ref-chain-5000"),
    pytest.param(with_thing(deep_schema(300)), "nested deeper than 100 levels", id="schema-300-deep"),
    pytest.param(with_thing({"$ref": "#/components/schemas/Nothing"}), "points to nothing", id="dangling-ref"),
    pytest.param(
        with_thing({"$ref": "#"}), "$ref '#': not a JSON pointer into the document", id="ref-to-whole-document"
    ),
    pytest.param(
        with_thing({"$ref": "#thing"}), "$ref '#thing': not a JSON pointer into the document", id="ref-to-a-name"
    ),
    pytest.param(replaced(paths=None), "paths: must be a mapping, not null", id="paths-null"),
    pytest.param(
        with_path("/things", [1]), "paths./things: must be a mapping (a path item), not a list", id="path-item-list"
    ),
    pytest.param(
        with_path("/things", {"get": {"responses": [1]}}),
        "must be a mapping of statuses, not a list",
        id="responses-list",
    ),
    pytest.param(
        replaced(openapi=3), "openapi: must be an OpenAPI 3 version string such as '3.0.3', not 3", id="openapi-3"
    ),
    pytest.param(replaced(info=...), "info: must be a mapping with title and version, not null", id="no-info"),
    pytest.param(
        with_path("/{id}/{id}", {"get": {**GET, "parameters": [THING_ID]}}),
        "paths./{id}/{id}: the path parameter 'id' appears twice; the mock cannot route it",
        id="repeated-path-parameter",
    ),
    pytest.param(
        with_path("/{id}", {"get": {**GET, "parameters": [THING_ID, THING_ID]}}),
        "paths./{id}.get.parameters: the path parameter 'id' is declared twice",
        id="parameter-declared-twice",
    ),
]


@pytest.mark.parametrize("command", ["serve", "check"])
@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_hostile_document_is_one_line_and_exit_2(tmp_path, command, content, message):
    spec = write(tmp_path / "openapi.yaml", content)

    started = time.monotonic()
    if command == "serve":
        attempt = attempt_serve("--spec", str(spec), timeout=30)
        status, lines = attempt.status, attempt.error_lines
    else:
        result = run_wamock("check", UNREACHABLE, "--spec", str(spec), timeout=30)
        status, lines = result.returncode, result.stderr.splitlines()

    assert (status, len(lines)) == (2, 1), lines[-3:]
    assert lines[0].startswith(f"error: {spec}: ")
    assert message in lines[0]
    assert time.monotonic() - started < 15  # refused at once, never after expanding a bomb or walking a cycle


def test_what_connexion_finds_invalid_is_one_line(tmp_path):
    spec = write(tmp_path / "openapi.yaml", with_path("/things", {"get": {"responses": {"200": {}}}}))

    attempt = attempt_serve("--spec", str(spec))

    assert attempt.status == 2
    assert attempt.error_lines == [
        f"error: {spec}: paths./things.get.responses.200: not valid OpenAPI: 'description' is a required property"
    ]


def test_a_json_document_with_a_lone_surrogate_is_refused(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "\\ud800", "version": "1"}, "paths": {}}')

    with pytest.raises(spec_module.SpecError, match=r"info.title: a string with a lone surrogate"):
        spec_module.load(spec)


def test_a_json_document_is_read_as_json(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}}')

    assert spec_module.load(spec) == {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}}


def test_yaml_keys_are_strings(tmp_path):
    spec = write(
        tmp_path / "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: OK}\n",
    )

    assert spec_module.load(spec)["paths"]["/a"]["get"]["responses"] == {"200": {"description": "OK"}}


def test_a_document_at_a_url_is_fetched_once_and_served(tmp_path):
    with site({"/openapi.yaml": SPEC_FILE.read_bytes()}) as remote:
        attempt = attempt_serve("--spec", f"{remote.url}/openapi.yaml", get=("/openapi.json", "/chats"))

        assert remote.asked == ["/openapi.yaml"]
    assert attempt.served["/openapi.json"].json()["info"] == yaml.safe_load(SPEC_FILE.read_text())["info"]
    assert attempt.served["/chats"].status_code == 401  # served: the document's security asks for credentials


def test_check_takes_a_document_at_a_url(tmp_path):
    with site({"/openapi.yaml": SPEC_FILE.read_bytes()}) as remote:
        result = run_wamock("check", UNREACHABLE, "--spec", f"{remote.url}/openapi.yaml")

        assert remote.asked == ["/openapi.yaml"]
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: nothing answers at {UNREACHABLE} (")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "check"])
def test_an_unreachable_document_url_is_one_line(command):
    url = f"http://127.0.0.1:{closed_port()}/openapi.yaml"

    result = run_wamock(*(["serve", "--port", "0"] if command == "serve" else ["check", UNREACHABLE]), "--spec", url)

    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {url}: cannot fetch the document: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_document_url_is_one_line():
    with site({}) as remote:
        result = run_wamock("serve", "--port", "0", "--spec", f"{remote.url}/openapi.yaml")

    assert (result.returncode, result.stderr) == (
        2,
        f"error: {remote.url}/openapi.yaml: cannot fetch the document: HTTP 404\n",
    )


def test_an_oversized_document_url_is_one_line():
    with site({"/openapi.yaml": b"#" * (MAX_BYTES + 1)}) as remote:
        result = run_wamock("serve", "--port", "0", "--spec", f"{remote.url}/openapi.yaml")

    assert (result.returncode, result.stderr) == (
        2,
        f"error: {remote.url}/openapi.yaml: cannot fetch the document: larger than {MAX_BYTES} bytes\n",
    )


def test_a_document_url_that_never_answers_is_given_up(monkeypatch):
    from wamock.data import document

    monkeypatch.setattr(document, "FETCH_TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/openapi.yaml"

        started = time.monotonic()
        with pytest.raises(spec_module.SpecError, match=r"cannot fetch the document: "):
            spec_module.load(url)

    assert time.monotonic() - started < 5


def test_relative_refs_of_a_document_url_are_not_followed_unless_allowed():
    with site(
        {"/api/openapi.yaml": write_text(with_thing({"$ref": "thing.yaml"})), "/api/thing.yaml": b"type: object\n"}
    ) as remote:
        result = run_wamock("serve", "--port", "0", "--spec", f"{remote.url}/api/openapi.yaml")

        assert remote.asked == ["/api/openapi.yaml"]
    assert result.returncode == 2
    assert "a URL is fetched only if allowed; pass --allow-ref " in result.stderr


def write_text(value: dict) -> bytes:
    return yaml.safe_dump(value).encode()
