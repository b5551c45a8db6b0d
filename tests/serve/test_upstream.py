"""`wamock serve --spec` with upstream's whole document: every operation answered, archive state.

The requests are built here from the document alone (its parameter and property examples), by
code that shares nothing with wamock's own example builder.
"""

from collections import Counter
from urllib.parse import quote

import httpx
import pytest
import yaml

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream, start_wamock, stop

METHODS = ("get", "put", "post", "delete", "patch")

pytestmark = [pytest.mark.live, needs_upstream]


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(UPSTREAM.read_text())


@pytest.fixture(scope="module")
def upstream_server(document):
    server = start_wamock("--spec", str(UPSTREAM))
    yield server
    stop(server)


@pytest.fixture
def upstream(upstream_server):
    with httpx.Client(base_url=upstream_server.base_url, auth=AUTH, timeout=10) as client:
        yield client
        client.post("/__wamock/reset", headers=JSON)


def follow(document: dict, item):
    while isinstance(item, dict) and "$ref" in item:
        target = document
        for part in item["$ref"][2:].split("/"):
            target = target[part]
        item = target
    return item


def sample(document: dict, schema: dict):
    """A value for `schema` from its examples, else the plainest value of its type."""
    schema = follow(document, schema)
    if "example" in schema and schema.get("type") != "object":
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("type") == "object" or "properties" in schema:
        return {name: sample(document, prop) for name, prop in schema.get("properties", {}).items()}
    if schema.get("type") == "array":
        return [sample(document, schema.get("items", {}))]
    return {"integer": 1, "number": 1, "boolean": True}.get(schema.get("type"), "x")


def request_for(document: dict, path: str, method: str, operation: dict) -> dict:
    """The keyword arguments of httpx.Client.request for a plain valid request of `operation`."""
    url, params, headers = path, {}, {}
    for parameter in [follow(document, p) for p in operation.get("parameters", [])]:
        value = parameter.get("example", sample(document, parameter.get("schema", {})))
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", quote(str(value), safe="@"))
        elif parameter["in"] == "query" and parameter.get("required"):
            params[parameter["name"]] = str(value).lower() if isinstance(value, bool) else value
    request = {"method": method.upper(), "url": url, "params": params, "headers": headers}
    content = follow(document, operation.get("requestBody", {})).get("content", {})
    if "application/json" in content:
        request["json"] = sample(document, content["application/json"]["schema"])
    elif "multipart/form-data" in content:
        fields = sample(document, content["multipart/form-data"]["schema"])
        schema = follow(document, content["multipart/form-data"]["schema"])
        files = {
            name: ("upload.bin", b"\x89PNG", "application/octet-stream")
            for name, prop in schema.get("properties", {}).items()
            if follow(document, prop).get("format") == "binary"
        }
        text = {name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in fields.items()}
        request["data"] = {name: value for name, value in text.items() if name not in files}
        request["files"] = files or {"unused": ("empty.txt", b"", "text/plain")}
    return request


def test_every_operation_answers_a_status_its_document_lists(upstream, document):
    operations = [
        (path, method, operation)
        for path, path_item in document["paths"].items()
        for method, operation in path_item.items()
        if method in METHODS
    ]
    # Deletions last, the deepest path first: what a DELETE removes, and what lies under it,
    # answers 404 afterwards (tested below; a removed device's Chatwoot config too).
    operations.sort(key=lambda operation: (1, -operation[0].count("/")) if operation[1] == "delete" else (0, 0))
    # Devices keep state: an unknown one is a 404, so each request names one the mock lists.
    device = upstream.get("/devices").json()["results"][0]["id"]
    answered = Counter()
    undocumented = []
    for path, method, operation in operations:
        path = path.replace("{device_id}", device)
        response = upstream.request(**request_for(document, path, method, operation))
        listed = {int(status) for status in operation["responses"]}
        if response.status_code in listed:
            answered[response.status_code] += 1
        else:
            undocumented.append(f"{method.upper()} {path}: {response.status_code} {response.text[:200]}")

    assert undocumented == []
    assert sum(answered.values()) == 89
    assert answered[200] == 89  # every one of them with its success, for a plain valid request


def test_each_answer_has_the_documented_media_type(upstream, document):
    health = upstream.get("/health")
    devices = upstream.get("/devices")
    export = upstream.get("/group/participants/export", params={"group_id": "1@g.us"})

    assert (health.status_code, health.headers["content-type"].split(";")[0], health.text) == (200, "text/plain", "OK")
    assert devices.headers["content-type"] == "application/json"
    assert devices.json()["results"][0]["id"] == "my-device-id"  # the DeviceInfo property example
    assert export.headers["content-type"].startswith("text/csv")


def test_operations_keep_the_documents_security(upstream_server):
    with httpx.Client(base_url=upstream_server.base_url, timeout=10) as anonymous:
        refused = anonymous.get("/devices")
        public = anonymous.get("/health")

    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic ")
    assert refused.json()["message"] == "Unauthorized access"
    assert public.status_code == 200


def test_invalid_requests_get_400_naming_the_problem(upstream):
    missing = upstream.post("/send/message", json={"phone": 5})
    wrong_type = upstream.post("/chat/1@s.whatsapp.net/archive", json={"archived": "yes"})
    no_boundary = upstream.post("/group/photo", headers={"Content-Type": "multipart/form-data"})

    assert (missing.status_code, wrong_type.status_code, no_boundary.status_code) == (400, 400, 400)
    assert "phone" in missing.json()["message"]
    assert "archived" in wrong_type.json()["message"]
    assert "boundary" in no_boundary.json()["message"]


def test_prefer_answers_what_the_document_gives_for_that_status(upstream):
    failed = upstream.get("/devices", headers={"Prefer": "code=500"})
    undocumented = upstream.get("/devices", headers={"Prefer": "code=404"})

    assert failed.status_code == 500
    assert failed.json() == {"code": "INTERNAL_SERVER_ERROR", "message": "you are not loggin", "results": {}}
    assert undocumented.status_code == 400
    assert undocumented.json()["message"] == "Prefer: code=404: GET /devices documents an answer only for 200, 500"


def test_a_405_allows_every_method_the_document_gives_the_path(upstream):
    response = upstream.request("PUT", "/devices")

    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST", "HEAD"}


def test_a_path_parameter_may_hold_a_newline(upstream):
    added = upstream.post("/devices", json={"device_id": "a\nb"})
    response = upstream.get("/devices/a%0Ab")

    assert added.status_code == 200
    assert (response.status_code, response.json()["results"]["id"]) == (200, "a\nb")


def first_kept_chat(client: httpx.Client) -> str:
    return client.get("/chats", params={"archived": "false", "limit": 1}).json()["results"]["data"][0]["jid"]


def jids(client: httpx.Client, archived: str) -> list[str]:
    """Every chat of the list, page by page."""
    found, offset = [], 0
    while True:
        page = client.get("/chats", params={"archived": archived, "limit": 100, "offset": offset}).json()["results"]
        found += [chat["jid"] for chat in page["data"]]
        offset += 100
        if offset >= page["pagination"]["total"]:
            return found


def test_archiving_moves_a_chat_until_it_is_unarchived(upstream):
    jid = first_kept_chat(upstream)
    archived_before = jids(upstream, "true")

    archived = upstream.post(f"/chat/{jid}/archive", json={"archived": True})
    after_archive = jids(upstream, "true"), jids(upstream, "false")
    unarchived = upstream.post(f"/chat/{jid}/archive", json={"archived": False})

    assert archived.status_code == 200
    assert archived.json()["results"] == {
        "status": "success",
        "message": "Chat archived successfully",
        "chat_jid": jid,
        "archived": True,
    }
    assert jid in after_archive[0] and jid not in after_archive[1]
    assert len(after_archive[0]) == len(archived_before) + 1
    assert unarchived.json()["results"]["archived"] is False
    assert jid not in jids(upstream, "true")
    assert jid in jids(upstream, "false")


def test_archiving_an_unknown_chat_is_the_documented_404(upstream):
    response = upstream.post("/chat/0@s.whatsapp.net/archive", json={"archived": True})

    assert response.status_code == 404
    assert response.json() == {"code": "404", "message": "Chat not found", "results": {}}


def test_reset_restores_what_archiving_changed(upstream):
    jid = first_kept_chat(upstream)
    upstream.post(f"/chat/{jid}/archive", json={"archived": True})

    upstream.post("/__wamock/reset", headers=JSON)

    assert jid not in jids(upstream, "true")


# Devices are the registry's (tests/serve/test_device_state.py); a device's Chatwoot config is
# any API's resource: a DELETE removes it until a PUT creates it again.
CONFIG = "/devices/{}/chatwoot/config"
A_CONFIG = {"chatwoot_url": "https://chatwoot.example.com", "account_id": 1, "inbox_id": 5, "api_token": "t"}


def test_a_deleted_resource_is_gone_until_created_again(upstream):
    removed = upstream.delete(CONFIG.format("phone-1"))
    gone = upstream.get(CONFIG.format("phone-1"))
    other = upstream.get(CONFIG.format("phone-2"))
    created = upstream.put(CONFIG.format("phone-1"), json=A_CONFIG)
    back = upstream.get(CONFIG.format("phone-1"))

    assert removed.status_code == 200
    assert gone.status_code == 404
    assert other.status_code == 200
    assert created.status_code == 200
    assert back.status_code == 200


def test_reset_brings_deleted_resources_back(upstream):
    upstream.delete(CONFIG.format("phone-1"))

    upstream.post("/__wamock/reset", headers=JSON)

    assert upstream.get(CONFIG.format("phone-1")).status_code == 200


def test_errors_take_the_shape_the_document_gives_that_status(tmp_path):
    document = yaml.safe_load(UPSTREAM.read_text())
    # Another document's 400: {"error": ..., "hint": ...}; its 401: its own words.
    responses = document["paths"]["/devices"]["post"]["responses"]
    responses["400"] = {
        "description": "refused",
        "content": {"application/json": {"example": {"error": "bad", "hint": "see the docs"}}},
    }
    responses["401"] = {
        "description": "who?",
        "content": {"application/json": {"example": {"code": "AUTH", "message": "Log in first", "results": {}}}},
    }
    path = tmp_path / "shaped.yaml"
    path.write_text(yaml.safe_dump(document))
    server = start_wamock("--spec", str(path))
    try:
        refused = httpx.post(f"{server.base_url}/devices", json={"device_id": 5}, auth=AUTH)
        anonymous = httpx.post(f"{server.base_url}/devices", json={"device_id": "x"})
    finally:
        stop(server)

    assert refused.status_code == 400
    assert set(refused.json()) == {"error", "hint"}
    assert "device_id" in refused.json()["error"]
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"code": "AUTH", "message": "Log in first", "results": {}},
    )
    assert anonymous.headers["www-authenticate"].startswith("Basic ")


def test_deletions_kept_are_bounded(upstream_server):
    with httpx.Client(base_url=upstream_server.base_url, auth=AUTH, timeout=10) as client:
        first = CONFIG.format("first-of-many")
        client.delete(first)
        for index in range(1000):
            client.delete(CONFIG.format(f"many-{index}"))
        oldest_forgotten = client.get(first).status_code
        latest_remembered = client.get(CONFIG.format("many-999")).status_code
        client.post("/__wamock/reset", headers=JSON)

    assert (oldest_forgotten, latest_remembered) == (200, 404)


DEEP = "[" * 5000 + "]" * 5000
LONG_NUMBER = "1" * 100_000


@needs_upstream
@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/chat/6289685028129@s.whatsapp.net/archive", f'{{"archived": {DEEP}}}', "body: JSON nested too deep"),
        ("/chat/6289685028129@s.whatsapp.net/archive", f'{{"archived": {LONG_NUMBER}}}', "body: a number longer than"),
        ("/send/message", f'{{"phone": "62812", "message": {DEEP}}}', "body: JSON nested too deep"),
        ("/send/message", f'{{"phone": {LONG_NUMBER}, "message": "hi"}}', "body: a number longer than"),
    ],
)
def test_json_bodies_too_deep_or_with_endless_numbers_get_400(upstream, path, body, message):
    response = upstream.post(path, content=body, headers=JSON, auth=AUTH)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


@needs_upstream
def test_a_body_sent_in_chunks_is_read_whole(upstream):
    jid = upstream.get("/chats", params={"archived": "true", "limit": 1}).json()["results"]["data"][0]["jid"]

    def chunks():
        yield b'{"archi'
        yield b'ved": false}'

    response = upstream.post(f"/chat/{jid}/archive", content=chunks(), headers=JSON)

    assert response.status_code == 200, response.text
    listed = upstream.get("/chats", params={"archived": "false", "limit": 100}).json()["results"]["data"]
    assert jid in [chat["jid"] for chat in listed]


@needs_upstream
def test_a_body_sent_in_chunks_is_validated_as_any_other(upstream):
    def chunks():
        yield b'{"archived": '
        yield b'"yes"}'

    response = upstream.post("/chat/6289685028129@s.whatsapp.net/archive", content=chunks(), headers=JSON)

    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("body.archived: ")


@pytest.fixture(scope="module")
def two_workers(document):
    server = start_wamock("--spec", str(UPSTREAM), "--workers", "2")
    yield server
    stop(server)


def test_a_chat_archived_through_one_worker_is_archived_in_every_worker(two_workers):
    # A new connection each request, so that both workers answer.
    with httpx.Client(base_url=two_workers.base_url, auth=AUTH, timeout=10, headers={"Connection": "close"}) as client:
        jid = first_kept_chat(client)
        client.post(f"/chat/{jid}/archive", json={"archived": True})
        seen = [jid in jids(client, "true") for _ in range(6)]
        data = client.get("/__wamock/chats").json()["results"]["data"]
        client.post("/__wamock/reset", headers=JSON)
        after_reset = jid in jids(client, "true")

    assert seen == [True] * 6
    assert [chat["archived"] for chat in data if chat["jid"] == jid] == [True]
    assert not after_reset


def test_data_replaced_after_an_archive_carries_its_own_flags(upstream):
    jid = first_kept_chat(upstream)
    upstream.post(f"/chat/{jid}/archive", json={"archived": True})
    data = upstream.get("/__wamock/chats").json()["results"]["data"]

    upstream.put("/__wamock/chats", json=[{**chat, "archived": False} for chat in data])

    assert jids(upstream, "true") == []
