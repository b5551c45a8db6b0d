"""`/ws`, GOWA's live updates: FETCH_DEVICES answered, each device change pushed, whoever made it
(the API, the control API, another worker), behind the same doors as the HTTP side, and the
credentials in its query never printed."""

import base64
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream, serving, start_wamock, stop, wait_for
from wamock.data import spec as spec_module
from wamock.data.paths import DEFAULT_FIXTURES
from wamock.serve.app import create_app
from wamock.serve.state import SharedState

pytestmark = [pytest.mark.live, needs_upstream]

TOKEN = base64.b64encode(":".join(AUTH).encode()).decode()
FRAME_TIMEOUT = 10  # seconds a pushed frame may take, at most


@pytest.fixture(scope="module")
def gowa_server():
    server = start_wamock("--spec", str(UPSTREAM), "--cors-origin", "http://dashboard.localhost:5173", access_log=True)
    yield server
    stop(server)


@pytest.fixture
def gowa(gowa_server) -> Iterator[str]:
    yield gowa_server.base_url
    httpx.post(f"{gowa_server.base_url}/__wamock/reset", headers=JSON)


def ws_url(base_url: str, query: str = f"device_id=my-device-id&authorization={TOKEN}") -> str:
    return base_url.replace("http://", "ws://") + "/ws?" + query


def next_frame(live: ClientConnection) -> dict:
    return json.loads(live.recv(timeout=FRAME_TIMEOUT))


def test_fetch_devices_is_answered_with_the_devices(gowa):
    with connect(ws_url(gowa)) as live:
        live.send(json.dumps({"code": "FETCH_DEVICES"}))
        answer = next_frame(live)

    assert answer == {
        "code": "LIST_DEVICES",
        "message": "Device found",
        "result": [{"name": "John Doe", "device": "my-device-id", "jid": "628123456789@s.whatsapp.net"}],
    }


def test_each_change_is_pushed_as_it_happens(gowa):
    with connect(ws_url(gowa)) as live:
        httpx.post(f"{gowa}/devices", json={"device_id": "harness-dev"}, auth=AUTH)
        added = next_frame(live)
        httpx.get(f"{gowa}/devices/harness-dev/login", auth=AUTH)
        httpx.put(f"{gowa}/__wamock/devices/harness-dev/session", json={"logged_in": True}, headers=JSON)
        logged_in = next_frame(live)
        httpx.post(f"{gowa}/devices/harness-dev/logout", auth=AUTH)
        logged_out = next_frame(live)
        httpx.delete(f"{gowa}/devices/harness-dev", auth=AUTH)
        removed = next_frame(live)

    assert (added["code"], [d["device"] for d in added["result"]]) == ("LIST_DEVICES", ["my-device-id", "harness-dev"])
    assert logged_in["code"] == "LOGIN_SUCCESS"
    assert logged_in["message"].startswith("Successfully pair with 62")
    assert logged_in["result"]["device_id"] == "harness-dev"
    assert [d["state"] for d in logged_in["result"]["devices"]] == ["logged_in", "logged_in"]
    assert logged_out["code"] == "DEVICE_LOGGED_OUT"
    assert logged_out["message"] == "Device harness-dev logged out (slot kept)"
    assert [d["state"] for d in logged_out["result"]["devices"]] == ["logged_in", "disconnected"]
    assert removed["code"] == "DEVICE_REMOVED"
    assert [d["id"] for d in removed["result"]["devices"]] == ["my-device-id"]


def test_a_reset_sends_the_devices_again(gowa):
    httpx.post(f"{gowa}/devices", json={"device_id": "harness-dev"}, auth=AUTH)
    with connect(ws_url(gowa)) as live:
        httpx.post(f"{gowa}/__wamock/reset", headers=JSON)
        answer = next_frame(live)

    assert (answer["code"], [d["device"] for d in answer["result"]]) == ("LIST_DEVICES", ["my-device-id"])


def refusal(url: str, **options) -> tuple[int, dict]:
    with pytest.raises(InvalidStatus) as refused, connect(url, **options):
        pass
    response = refused.value.response
    return response.status_code, json.loads(response.body)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("device_id=my-device-id", id="none"),
        pytest.param("authorization=" + base64.b64encode(b"username:wrong").decode(), id="wrong-password"),
        pytest.param("authorization=not%20base64!", id="not-base64"),
        pytest.param("authorization=" + base64.b64encode(b"no-colon").decode(), id="no-colon"),
    ],
)
def test_an_upgrade_without_an_account_is_a_401(gowa, query):
    status, body = refusal(ws_url(gowa, query))

    assert status == 401
    assert body["message"].startswith("Unauthorized access")


def test_an_upgrade_naming_another_host_is_a_403(gowa):
    """Sent by hand: a WebSocket client names the host it connects to."""
    host, port = gowa.removeprefix("http://").split(":")
    upgrade = (
        f"GET /ws?authorization={TOKEN} HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(upgrade.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split()[1] == b"403"
    assert "Host 'evil.example' is not allowed" in json.loads(body)["message"]


def test_the_origin_is_allowed_as_cors_allows_it(gowa):
    status, body = refusal(ws_url(gowa), origin="http://elsewhere.example")
    with connect(ws_url(gowa), origin="http://dashboard.localhost:5173") as allowed:
        allowed.send(json.dumps({"code": "FETCH_DEVICES"}))
        answered = next_frame(allowed)["code"]

    assert (status, answered) == (403, "LIST_DEVICES")
    assert body["message"] == (
        "Origin http://elsewhere.example is not allowed; pass --cors-origin http://elsewhere.example"
    )


def test_the_credentials_in_the_query_are_never_printed(gowa, gowa_server):
    with connect(ws_url(gowa)) as live:
        live.send(json.dumps({"code": "FETCH_DEVICES"}))
        next_frame(live)
    refusal(ws_url(gowa, "authorization=" + base64.b64encode(b"username:wrong").decode()))
    journal = httpx.get(f"{gowa}/__wamock/journal").json()["results"]["entries"]
    upgrades = [entry for entry in journal if entry["path"] == "/ws"]

    printed = wait_for(lambda: [line for line in gowa_server.output if "/ws" in line][-2:], what="the log's lines")
    assert all("authorization=***" in line for line in printed), printed
    assert not [line for line in gowa_server.output if TOKEN in line or "d3Jvbmc" in line]
    assert [(entry["query"], entry["status"]) for entry in upgrades[-2:]] == [
        ("device_id=my-device-id&authorization=***", 101),
        ("authorization=***", 401),
    ]
    assert not [line for line in gowa_server.output if "without completing handshake" in line]


def test_a_change_made_in_another_worker_reaches_the_connection(tmp_path):
    """Two servers on one state directory, as `--workers 2` runs them: the connection is held by
    one, the changes are made through the other."""
    spec = spec_module.load(UPSTREAM)
    SharedState.create(fixtures_file=DEFAULT_FIXTURES, spec=spec, directory=tmp_path, for_workers=True)
    holding = create_app(spec_file=UPSTREAM, state_dir=tmp_path)
    changing = create_app(spec_file=UPSTREAM, state_dir=tmp_path)

    with serving(holding) as held, serving(changing) as other, connect(ws_url(held)) as live:
        httpx.post(f"{other}/devices", json={"device_id": "harness-dev"}, auth=AUTH)
        httpx.put(f"{other}/__wamock/devices/harness-dev/session", json={"logged_in": True}, headers=JSON)
        frames = [next_frame(live), next_frame(live)]

    assert [frame["code"] for frame in frames] == ["LIST_DEVICES", "LOGIN_SUCCESS"]


def test_sigterm_closes_the_live_connections_and_exits_at_once():
    server = start_wamock("--spec", str(UPSTREAM))
    with connect(ws_url(server.base_url)) as live:
        started = time.monotonic()
        server.process.terminate()
        status = server.process.wait(timeout=FRAME_TIMEOUT)
        with pytest.raises(ConnectionClosed) as closed:
            live.recv(timeout=FRAME_TIMEOUT)
    stop(server)

    assert status == 0
    assert time.monotonic() - started < 5  # not the graceful shutdown's 10 s timeout
    assert closed.value.rcvd.code == 1012  # service restart: a dashboard reconnects
