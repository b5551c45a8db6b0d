"""Every security scheme a document names: who gets in, who gets 401 and with which challenge.

A small document of our own names each kind of scheme, alternatives and combinations, served
in process; real public documents (Swagger's petstore, ReadMe's security examples, from npm)
are served by a real `wamock serve --spec` process.
"""

import base64
import contextlib
import copy
import re

import httpx
import pytest

from tests import corpus
from tests.conftest import JSON, TEST_HOST, start_wamock, stop, wait_for
from tests.documents import run_wamock, write
from wamock.data import spec as spec_module
from wamock.data.facts import DocumentFacts
from wamock.serve import plain_pages
from wamock.serve.app import create_app

BASIC = 'Basic realm="wamock", charset="UTF-8"'
BEARER = 'Bearer realm="wamock"'
HEADER_KEY = 'APIKey realm="wamock", in="header", name="X-API-Key"'
QUERY_KEY = 'APIKey realm="wamock", in="query", name="api_key"'
COOKIE_KEY = 'APIKey realm="wamock", in="cookie", name="session"'
DIGEST = 'Digest realm="wamock"'
PLANTED_CALLS: list = []


def planted(*args, **kwargs):
    """A function a document names for connexion to call: it must never be called."""
    PLANTED_CALLS.append(args)
    return {"sub": "planted"}


def operation(security=None, responses=None) -> dict:
    found = {"responses": responses or {"200": {"description": "OK"}}}
    if security is not None:
        found["security"] = security
    return found


SCHEMES = {
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "oauth": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://auth.example/token", "scopes": {"read": "", "write": ""}}},
    },
    "oauth_b": {
        "type": "oauth2",
        "flows": {"implicit": {"authorizationUrl": "https://auth.example/authorize", "scopes": {"write": ""}}},
    },
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://auth.example/.well-known/openid-configuration"},
    "header_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "query_key": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookie_key": {"type": "apiKey", "in": "cookie", "name": "session"},
    "digest": {"type": "http", "scheme": "Digest"},
    # What the document's author names for connexion to call or fetch is never used.
    "planted_key": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Planted",
        "x-apikeyInfoFunc": f"{__name__}.planted",
    },
}
SHAPED_401 = {
    "description": "refused",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            "example": {"error": "token required", "status": 401},
        }
    },
}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "security", "version": "1"},
    "security": [{"basic": []}],
    "components": {"securitySchemes": SCHEMES},
    "paths": {
        "/inherits": {"get": operation()},
        "/open": {"get": operation(security=[])},
        "/optional": {"get": operation(security=[{"header_key": []}, {}])},
        **{f"/{name}": {"get": operation(security=[{name: ["read"] if name == "oauth" else []}])} for name in SCHEMES},
        "/either": {"get": operation(security=[{"bearer": []}, {"header_key": []}])},
        "/both": {"get": operation(security=[{"header_key": [], "query_key": []}])},
        "/both-or-cookie": {"get": operation(security=[{"header_key": [], "query_key": []}, {"cookie_key": []}])},
        "/two-oauth": {"get": operation(security=[{"oauth": ["read"], "oauth_b": ["write"]}])},
        "/shaped": {
            "get": operation(security=[{"bearer": []}], responses={"200": {"description": "OK"}, "401": SHAPED_401})
        },
    },
}

ACCOUNT = ("username", "password")
TOKEN, KEY = "t0ken", "k3y"
NO_CREDENTIAL: dict = {}


def bearer(token: str) -> dict:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def header_key(key: str) -> dict:
    return {"headers": {"X-API-Key": key}}


def query_key(key: str) -> dict:
    return {"params": {"api_key": key}}


def cookie_key(key: str) -> dict:
    return {"headers": {"Cookie": f"session={key}"}}


def basic(user: str, password: str) -> dict:
    return {"headers": {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}}


def together(*credentials: dict) -> dict:
    merged: dict = {}
    for credential in credentials:
        for part, values in credential.items():
            merged.setdefault(part, {}).update(values)
    return merged


@pytest.fixture(scope="module")
def document_file(tmp_path_factory):
    return write(tmp_path_factory.mktemp("security") / "openapi.yaml", DOCUMENT)


@pytest.fixture
def serve(document_file):
    def make(**settings) -> httpx.Client:
        return create_app(spec_file=document_file, allowed_hosts=[TEST_HOST], **settings).test_client()

    return make


@pytest.fixture
def client(serve):
    return serve()


@pytest.fixture
def configured(serve):
    """Only TOKEN for bearer tokens, only KEY for API keys."""
    return serve(tokens=[TOKEN], api_keys=[KEY])


def answer(client: httpx.Client, path: str, credential: dict) -> tuple[int, str | None]:
    response = client.get(path, **copy.deepcopy(credential))
    return response.status_code, response.headers.get("WWW-Authenticate")


# (path, challenge, how a credential is given) for each kind of scheme that takes a token or key.
CARRIERS = [
    pytest.param("/bearer", BEARER, bearer, id="http-bearer"),
    pytest.param("/oauth", BEARER, bearer, id="oauth2"),
    pytest.param("/oidc", BEARER, bearer, id="openIdConnect"),
    pytest.param("/header_key", HEADER_KEY, header_key, id="apiKey-header"),
    pytest.param("/query_key", QUERY_KEY, query_key, id="apiKey-query"),
    pytest.param("/cookie_key", COOKIE_KEY, cookie_key, id="apiKey-cookie"),
]


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_a_missing_credential_gets_401_with_the_schemes_challenge(client, path, challenge, given):
    assert answer(client, path, NO_CREDENTIAL) == (401, challenge)


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_an_empty_credential_gets_401(client, path, challenge, given):
    assert answer(client, path, given("")) == (401, challenge)


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_any_non_empty_credential_gets_in_by_default(client, path, challenge, given):
    assert answer(client, path, given("anything-at-all"))[0] == 200


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_a_configured_credential_gets_in(configured, path, challenge, given):
    assert answer(configured, path, given(TOKEN if given is bearer else KEY))[0] == 200


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_an_unconfigured_credential_gets_401_once_some_are_configured(configured, path, challenge, given):
    assert answer(configured, path, given("anything-at-all")) == (401, challenge)


def test_a_token_is_not_a_key_nor_a_key_a_token(configured):
    assert answer(configured, "/bearer", bearer(KEY))[0] == 401
    assert answer(configured, "/header_key", header_key(TOKEN))[0] == 401


@pytest.mark.parametrize(
    ("path", "credential", "status"),
    [
        pytest.param("/basic", basic(*ACCOUNT), 200, id="basic-account"),
        pytest.param("/basic", basic("username", "wrong"), 401, id="basic-wrong-password"),
        pytest.param("/basic", bearer(TOKEN), 401, id="basic-given-a-token"),
        pytest.param("/bearer", basic(*ACCOUNT), 401, id="bearer-given-basic"),
        pytest.param("/digest", {"headers": {"Authorization": "Digest username=x"}}, 200, id="digest-any"),
        pytest.param("/digest", {"headers": {"Authorization": "Digest"}}, 401, id="digest-empty"),
        pytest.param("/digest", bearer(TOKEN), 401, id="digest-given-a-token"),
    ],
)
def test_http_schemes_take_only_their_own_authorization(client, path, credential, status):
    assert answer(client, path, credential)[0] == status


@pytest.mark.parametrize(
    ("path", "challenge"),
    [
        pytest.param("/basic", BASIC, id="basic"),
        pytest.param("/inherits", BASIC, id="the-documents-own-security"),
        pytest.param("/digest", DIGEST, id="digest"),
        pytest.param("/either", f"{BEARER}, {HEADER_KEY}", id="alternatives-name-each"),
        pytest.param("/both", f"{HEADER_KEY}, {QUERY_KEY}", id="combination-names-each"),
    ],
)
def test_each_401_challenges_with_the_operations_schemes(client, path, challenge):
    assert answer(client, path, NO_CREDENTIAL) == (401, challenge)


@pytest.mark.parametrize(
    ("path", "credential", "status"),
    [
        pytest.param("/open", NO_CREDENTIAL, 200, id="security-empty-list-is-open"),
        pytest.param("/optional", NO_CREDENTIAL, 200, id="empty-requirement-is-open"),
        pytest.param("/optional", header_key("wrong"), 200, id="empty-requirement-holds-whatever-else-is-sent"),
        pytest.param("/either", bearer(TOKEN), 200, id="either-the-first"),
        pytest.param("/either", header_key(KEY), 200, id="either-the-second"),
        pytest.param("/either", query_key(KEY), 401, id="either-neither"),
        pytest.param("/both", together(header_key(KEY), query_key(KEY)), 200, id="both-given"),
        pytest.param("/both", header_key(KEY), 401, id="both-only-the-first"),
        pytest.param("/both", query_key(KEY), 401, id="both-only-the-second"),
        pytest.param("/both", together(header_key(KEY), query_key("wrong")), 401, id="both-one-wrong"),
        pytest.param("/both-or-cookie", cookie_key(KEY), 200, id="combination-or-alternative-the-alternative"),
        pytest.param("/both-or-cookie", header_key(KEY), 401, id="combination-or-alternative-half"),
        pytest.param("/two-oauth", bearer(TOKEN), 200, id="two-oauth2-combined-one-token"),
        pytest.param("/two-oauth", NO_CREDENTIAL, 401, id="two-oauth2-combined-none"),
    ],
)
def test_alternatives_and_combinations_as_openapi_defines_them(configured, path, credential, status):
    assert answer(configured, path, credential)[0] == status


def test_a_key_named_for_a_scheme_is_that_schemes_only(serve):
    client = serve(api_keys=["header_key=h", "api_key=q"])  # by the scheme's name, by its parameter's

    assert answer(client, "/header_key", header_key("h"))[0] == 200
    assert answer(client, "/header_key", header_key("q"))[0] == 401
    assert answer(client, "/query_key", query_key("q"))[0] == 200
    assert answer(client, "/query_key", query_key("h"))[0] == 401
    # A scheme no key is named for still takes any non-empty key.
    assert answer(client, "/cookie_key", cookie_key("anything"))[0] == 200


def test_a_key_with_equals_signs_that_name_no_scheme_is_the_whole_key(serve):
    client = serve(api_keys=["c2VjcmV0=="])

    assert answer(client, "/header_key", header_key("c2VjcmV0=="))[0] == 200
    assert answer(client, "/header_key", header_key("="))[0] == 401


def test_the_401_takes_the_shape_the_document_gives_it(client):
    response = client.get("/shaped")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == BEARER
    assert response.json() == {"error": "Unauthorized access", "status": 401}


def test_a_preferred_401_challenges_with_the_operations_scheme(client):
    response = client.get("/shaped", headers={"Authorization": "Bearer t", "Prefer": "code=401"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == BEARER
    assert response.json() == {"error": "token required", "status": 401}


def test_a_function_the_document_names_is_never_called(client):
    PLANTED_CALLS.clear()

    assert answer(client, "/planted_key", {"headers": {"X-Planted": "anything"}})[0] == 200
    assert PLANTED_CALLS == []


@pytest.mark.parametrize(("path", "challenge", "given"), CARRIERS)
def test_an_answer_given_with_a_credential_is_never_replayed_without_it(client, path, challenge, given):
    assert answer(client, path, given("c"))[0] == 200
    assert answer(client, path, NO_CREDENTIAL) == (401, challenge)
    assert answer(client, path, given("c"))[0] == 200


def test_keys_in_the_query_never_reach_the_journal(client):
    client.delete("/__wamock/journal", headers=JSON)
    client.get("/query_key", params={"api_key": "s3cret-key", "other": "kept"})
    client.get("/query_key", params={"api%5Fkey": "x"})  # a name escaped is the same name

    queries = [entry["query"] for entry in client.get("/__wamock/journal").json()["results"]["entries"]]
    assert queries == ["api_key=***&other=kept", "api%255Fkey=x"]


def test_a_browser_may_send_an_api_key_header_from_another_origin(client):
    response = client.options(
        "/header_key",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )

    assert response.status_code == 200
    assert "x-api-key" in response.headers["Access-Control-Allow-Headers"].lower().split(", ")


def test_the_fast_path_stays_off_for_any_scheme_but_basic(tmp_path):
    spec = copy.deepcopy(spec_module.load())
    for name in spec["components"]["securitySchemes"]:
        spec["components"]["securitySchemes"][name] = {"type": "http", "scheme": "bearer"}
    served = write(tmp_path / "bearer.yaml", spec)
    client = create_app(spec_file=served, allowed_hosts=[TEST_HOST]).test_client()

    assert plain_pages.compiled(DocumentFacts.read(spec)) is None
    assert answer(client, "/chats", NO_CREDENTIAL) == (401, BEARER)
    assert answer(client, "/chats", basic(*ACCOUNT)) == (401, BEARER)
    assert answer(client, "/chats", bearer("any"))[0] == 200


def test_mutual_tls_is_not_asked_of_a_plain_http_mock(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    document["components"]["securitySchemes"]["tls"] = {"type": "mutualTLS"}
    document["paths"]["/tls-and-key"] = {"get": operation(security=[{"tls": [], "header_key": []}])}
    client = create_app(spec_file=write(tmp_path / "tls.yaml", document), allowed_hosts=[TEST_HOST]).test_client()

    assert answer(client, "/tls-and-key", header_key("k"))[0] == 200
    assert answer(client, "/tls-and-key", NO_CREDENTIAL) == (401, HEADER_KEY)


def test_a_scheme_the_document_does_not_declare_is_refused_at_start(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    document["paths"]["/basic"]["get"]["security"] = [{"basic": []}, {"nowhere": []}]
    result = run_wamock("serve", "--port", "0", "--spec", str(write(tmp_path / "undeclared.yaml", document)))

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'undeclared.yaml'}: paths./basic.get.security: names the security scheme 'nowhere', "
        "which components.securitySchemes does not declare"
    ]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        pytest.param(["--token", ""], "error: --token: a token is non-empty text with no space around it", id="token"),
        pytest.param(["--api-key", "header_key="], "error: --api-key 'header_key=': the key is empty", id="api-key"),
    ],
)
def test_an_empty_token_or_key_is_refused_in_one_line(document_file, option, message):
    result = run_wamock("serve", "--port", "0", "--spec", str(document_file), *option)

    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_workers_take_the_configured_tokens_and_keys(document_file):
    server = start_wamock("--spec", str(document_file), "--workers", "2", "--token", TOKEN, "--api-key", KEY)
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            # Several requests each: both workers answer some of them.
            assert {
                http.get("/bearer", headers={"Authorization": f"Bearer {TOKEN}"}).status_code for _ in range(8)
            } == {200}
            assert {http.get("/bearer", headers={"Authorization": "Bearer other"}).status_code for _ in range(8)} == {
                401
            }
            assert {http.get("/header_key", headers={"X-API-Key": KEY}).status_code for _ in range(8)} == {200}
            assert {http.get("/header_key", headers={"X-API-Key": "other"}).status_code for _ in range(8)} == {401}
    finally:
        stop(server)


# Real public documents, served by a real `wamock serve --spec` process.
PETSTORE = ("@readme/oas-examples", "3.0/json/petstore.json")  # Swagger's petstore: OAuth2 and an apiKey header
EVERY_KIND = ("@readme/oas-examples", "3.0/json/security.json")  # ReadMe's: each kind of scheme alone
COMBINED = ("@readme/oas-examples", "3.0/json/security-multiple.json")  # ReadMe's: alternatives, combinations


def expected_challenge(scheme: dict) -> str:
    """What the README says a 401 carries, for a scheme as a document declares it."""
    if scheme["type"] == "apiKey":
        return f'APIKey realm="wamock", in="{scheme["in"]}", name="{scheme["name"]}"'
    if scheme["type"] == "http" and scheme["scheme"].lower() == "basic":
        return BASIC
    return BEARER


def credential_for(scheme: dict, value: str) -> dict:
    """A request's credential for `scheme`; for Basic, `value` is USER:PASSWORD."""
    if scheme["type"] == "apiKey":
        place = {"header": "headers", "query": "params", "cookie": "headers"}[scheme["in"]]
        if scheme["in"] == "cookie":
            return {"headers": {"Cookie": f"{scheme['name']}={value}"}}
        return {place: {scheme["name"]: value}}
    if scheme["type"] == "http" and scheme["scheme"].lower() == "basic":
        return {
            "headers": {"Authorization": "Basic " + base64.b64encode(value.encode()).decode() if value else "Basic"}
        }
    return {"headers": {"Authorization": f"Bearer {value}" if value else "Bearer"}}


def secured_operations(document: dict):
    """(method, path as requested, the one scheme, documented statuses) of each operation behind one scheme."""
    base = re.sub(r"^https?://[^/]+", "", (document.get("servers") or [{"url": ""}])[0]["url"]).rstrip("/")
    schemes = document["components"]["securitySchemes"]
    for template, item in document["paths"].items():
        for method, found in item.items():
            security = found.get("security", document.get("security")) if isinstance(found, dict) else None
            if not security or len(security) != 1 or len(security[0]) != 1:
                continue
            path = base + re.sub(r"\{[^}]+\}", "1", template)
            yield method.upper(), path, schemes[next(iter(security[0]))], set(found["responses"])


CASES = ("missing", "empty", "any", "configured-match", "configured-mismatch")
REFUSED = {"missing", "empty", "configured-mismatch"}


def case_request(case: str, scheme: dict) -> tuple[str, dict]:
    """Which server (default or configured) a case asks, and with what credential."""
    basic_scheme = scheme["type"] == "http" and scheme["scheme"].lower() == "basic"
    if case == "missing":
        return "default", NO_CREDENTIAL
    if case == "empty":
        return "default", credential_for(scheme, "")
    if case == "any":
        return "default", credential_for(scheme, "username:password" if basic_scheme else "anything")
    if case == "configured-match":
        match = "username:password" if basic_scheme else KEY if scheme["type"] == "apiKey" else TOKEN
        return "configured", credential_for(scheme, match)
    return "configured", credential_for(scheme, "username:wrong" if basic_scheme else "anything")


def observed(document: dict, servers: dict[str, str]) -> dict:
    """For each operation behind one scheme and each case: the status and challenge it got."""
    table = {}
    with httpx.Client(timeout=10) as http:
        for method, path, scheme, _ in secured_operations(document):
            for case in CASES:
                server, given = case_request(case, scheme)
                response = http.request(method, servers[server] + path, **copy.deepcopy(given))
                table[(method, path, case)] = (response.status_code, response.headers.get("WWW-Authenticate"))
    return table


def expected(document: dict) -> dict:
    table = {}
    for method, path, scheme, statuses in secured_operations(document):
        for case in CASES:
            if case in REFUSED:
                table[(method, path, case)] = (401, expected_challenge(scheme))
            elif statuses == {"401"}:  # an operation whose only answer is 401 gives it
                table[(method, path, case)] = (401, None)
            else:
                table[(method, path, case)] = "admitted"
    return table


@contextlib.contextmanager
def server_stopped(server):
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="module")
def real_servers():
    """Each real document served twice: as it comes, and with --token and --api-key configured."""
    started = []

    def serve(package_path: tuple[str, str]):
        document_path = corpus.document(*package_path)
        default = start_wamock("--spec", str(document_path))
        started.append(default)
        configured = start_wamock("--spec", str(document_path), "--token", TOKEN, "--api-key", KEY)
        started.append(configured)
        return spec_module.load(document_path), {"default": default.base_url, "configured": configured.base_url}

    yield serve
    for server in started:
        stop(server)


@pytest.mark.parametrize(
    ("package_path", "operations"),
    [pytest.param(PETSTORE, 9, id="petstore-oauth2-apikey"), pytest.param(EVERY_KIND, 13, id="readme-every-kind")],
)
def test_a_real_documents_secured_operations_refuse_without_and_admit_with_a_credential(
    real_servers, package_path, operations
):
    document, servers = real_servers(package_path)
    got = observed(document, servers)
    admitted = {key: "admitted" if status != 401 else (status, challenge) for key, (status, challenge) in got.items()}
    want = expected(document)

    assert len({key[:2] for key in want}) == operations
    assert {key: value for key, value in admitted.items() if value != want[key]} == {}


def test_a_real_documents_alternatives_and_combinations(tmp_path):
    document = spec_module.load(corpus.document(*COMBINED))
    # Each of its operations documents only a 401 (httpbin's forced failure), which would hide
    # whether a request got in: each is given a 200 too, its security untouched.
    for item in document["paths"].values():
        for found in item.values():
            found["responses"]["200"] = {"description": "OK"}
    server = start_wamock("--spec", str(write(tmp_path / "security-multiple.yaml", document)))
    header, token = {"X-API-KEY": "k"}, {"Authorization": "Bearer t"}
    with server_stopped(server), httpx.Client(base_url=server.base_url, timeout=10) as http:

        def status(path: str, **given) -> int:
            return http.post(path, **given).status_code

        # (oauth2) or (apiKey_header)
        assert status("/anything/or", headers=token) != 401
        assert status("/anything/or", headers=header) != 401
        assert status("/anything/or") == 401
        # (oauth2 and apiKey_header) or (oauth2_alternate): a bearer token alone is the second
        assert status("/anything/and-or", headers=header) == 401
        assert status("/anything/and-or", headers={**header, **token}) != 401
        # (apiKey_cookie and apiKey_header and apiKey_query), among others: all three, or it is refused
        three = {"headers": {**header, "Cookie": "api_key=c"}, "params": {"apiKey": "q"}}
        assert status("/anything/many-and-or", **three) != 401
        assert status("/anything/many-and-or", headers=three["headers"]) == 401
        # apiKey_header and basic and oauth2: Basic and Bearer cannot share one Authorization header
        assert status("/anything/and", headers={**header, **token}) == 401


def test_a_real_documents_keys_never_reach_the_access_log():
    document_path = corpus.document(*EVERY_KIND)
    server = start_wamock("--spec", str(document_path), access_log=True)
    try:
        httpx.get(f"{server.base_url}/anything/apiKey", params={"apiKey": "qu3ry-s3cret"}, timeout=10)
        httpx.post(f"{server.base_url}/anything/apiKey", headers={"Cookie": "api_key=c00kie-s3cret"}, timeout=10)
        httpx.put(f"{server.base_url}/anything/apiKey", headers={"X-API-KEY": "h3ader-s3cret"}, timeout=10)
        httpx.post(f"{server.base_url}/anything/bearer", headers={"Authorization": "Bearer b3arer-s3cret"}, timeout=10)
        wait_for(lambda: sum("/anything/" in line for line in server.output) == 4, what="4 access log lines")
        lines = list(server.output)
    finally:
        stop(server)
    assert [line for line in lines if "s3cret" in line] == []
    assert "GET /anything/apiKey?apiKey=*** 200" in "\n".join(lines)
