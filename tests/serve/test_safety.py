"""Safe by default: no web page drives the mock, nothing a client or the terminal does blocks it,
nothing grows without bound, and every answer is the envelope whatever fails inside."""

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    AUTH,
    JSON,
    TEST_HOST,
    all_read_by_server,
    read_answer,
    send_requests,
    start_wamock,
    stop,
    wait_for,
    wait_until_answering,
)
from wamock.data.paths import DEFAULT_FIXTURES
from wamock.serve import journal, journal_file, safety, scenarios, state, state_directory
from wamock.serve.answer_cache import ResponseCacheMiddleware
from wamock.serve.app import create_app
from wamock.serve.plain_pages import FastChatsPath

EVIL = "https://evil.example"
BASIC = {"Authorization": "Basic " + base64.b64encode(b"username:password").decode()}


# A page of another origin, and DNS rebinding.


def test_control_api_gets_no_cors_for_another_origin(client):
    preflight = client.options("/__wamock/chats", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"})

    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("PUT", "/__wamock/chats", b"[]"), ("POST", "/__wamock/reset", b""), ("GET", "/__wamock/journal", b"")],
)
def test_control_api_refuses_requests_from_another_origin(client, method, path, body):
    response = client.request(method, path, content=body, headers={"Origin": EVIL, **JSON})

    assert response.status_code == 403
    assert response.json() == {
        "code": "403",
        "message": f"Origin {EVIL} may not use the control API; pass --control-origin {EVIL}",
        "results": {},
    }
    assert client.get("/chats", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_control_api_changes_state_only_for_json(client):
    client.put("/__wamock/session", json={"logged_in": False})

    response = client.post("/__wamock/reset", headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert response.json()["message"] == (
        "Content-Type: text/plain: the control API changes state only for application/json"
    )
    assert client.get("/chats", auth=AUTH).status_code == 500  # still logged out


def test_allowed_control_origin_gets_cors_and_may_change_state(make_client):
    client = make_client(control_origins=["http://localhost:5173"])
    preflight = client.options(
        "/__wamock/reset", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"}
    )

    response = client.post("/__wamock/reset", headers={"Origin": "http://localhost:5173", **JSON})

    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert response.status_code == 200


def test_mock_api_stays_callable_from_any_dev_page(client):
    response = client.get("/chats", auth=AUTH, headers={"Origin": "http://localhost:5173"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"


@pytest.mark.parametrize("path", ["/chats", "/__wamock/journal", "/ui/"])
def test_unknown_host_names_are_refused_everywhere(path):
    # Not the spec-validating client: a 403 is wamock's own answer, which the contract does not list.
    client = create_app(allowed_hosts=[TEST_HOST]).test_client()

    response = client.get(path, auth=AUTH, headers={"Host": "evil.example:3000"})

    assert response.status_code == 403
    assert response.json()["message"] == (
        "Host 'evil.example' is not allowed (DNS rebinding guard); pass --allowed-host evil.example"
    )


@pytest.mark.parametrize(
    "host", ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "app.localhost", "192.168.1.20:3000", TEST_HOST]
)
def test_local_names_and_addresses_are_allowed(client, host):
    assert client.get("/chats", auth=AUTH, headers={"Host": host}).status_code == 200


# Every layer may fail: the answer is still the envelope.


def failing(*args, **kwargs):
    raise RuntimeError("a layer failed")


@pytest.mark.parametrize(
    "layer",
    [
        safety.HostAllowList,
        state.StateMiddleware,
        journal.JournalMiddleware,
        safety.PathCORS,
        safety.ControlGuard,
        scenarios.DelayAndPreferMiddleware,
        ResponseCacheMiddleware,
        FastChatsPath,
        scenarios.PreferredStatusMiddleware,
    ],
    ids=lambda layer: layer.__name__,
)
def test_any_failing_layer_answers_the_500_envelope(monkeypatch, layer):
    monkeypatch.setattr(layer, "__call__", lambda self, scope, receive, send: failing())
    client = create_app(allowed_hosts=[TEST_HOST]).test_client()
    # Past the fast path, a page goes through the cache and connexion's chain: a Prefer takes it there.
    past_the_fast_path = layer in (
        safety.PathCORS,
        safety.ControlGuard,
        scenarios.DelayAndPreferMiddleware,
        ResponseCacheMiddleware,
        scenarios.PreferredStatusMiddleware,
    )
    headers = {"Prefer": "delay=0"} if past_the_fast_path else {}

    response = client.get("/chats", auth=AUTH, headers=headers)

    assert response.status_code == 500
    assert response.json() == {
        "code": "INTERNAL_SERVER_ERROR",
        "message": "internal error in wamock; see its log",
        "results": {},
    }


def test_a_failing_handler_answers_the_500_envelope(monkeypatch, client):
    monkeypatch.setattr(state.SharedState, "snapshot", failing)

    response = client.get("/chats", auth=AUTH)

    assert (response.status_code, response.json()["code"]) == (500, "INTERNAL_SERVER_ERROR")


# Prefer.


@pytest.mark.parametrize("value", [b"delay=\xb3", b"code=\xb9\xb2\xb3"], ids=["superscript-3", "superscript-123"])
def test_prefer_with_digits_int_cannot_read_is_a_400(client, value):
    # Latin-1 superscripts: str.isdigit() takes them, int() does not.
    response = client.get("/chats", auth=AUTH, headers={"Prefer": value})

    assert response.status_code == 400
    assert response.json()["message"].startswith("Prefer: ")


def test_bad_prefer_without_credentials_is_a_401(client):
    response = client.get("/chats", headers={"Prefer": "code=404"})

    assert response.status_code == 401


def test_preferred_401_carries_the_challenge(client):
    response = client.get("/chats", auth=AUTH, headers={"Prefer": "code=401"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")


# Against a real wamock: the terminal, the network, files.


def start_with_stdout_pipe(stderr) -> tuple[subprocess.Popen, str]:
    """wamock with its access log on a pipe of the test's, read only as far as the banner's first line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wamock", "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=stderr
    )
    return process, re.search(r"serving (http://[^/\s]+)", process.stdout.readline().decode()).group(1)


@pytest.mark.live
def test_an_unread_stdout_pipe_never_stalls_the_server():
    process, base_url = start_with_stdout_pipe(subprocess.DEVNULL)
    try:
        wait_until_answering(base_url)
        # About 1,100 access log lines fill a pipe; nobody reads this one past the banner.
        with httpx.Client(base_url=base_url, auth=AUTH, timeout=10) as client:
            statuses = {client.get("/chats", params={"limit": 1 + n % 100}).status_code for n in range(3000)}
        assert statuses == {200}
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


@pytest.mark.live
def test_a_closed_stdout_costs_no_traceback_and_no_answer():
    process, base_url = start_with_stdout_pipe(subprocess.PIPE)
    try:
        process.stdout.close()
        wait_until_answering(base_url)
        statuses = [httpx.get(f"{base_url}/chats", auth=AUTH).status_code for _ in range(50)]
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=20)

    assert statuses == [200] * 50
    assert b"Traceback" not in errors
    assert b"BrokenPipe" not in errors


@pytest.mark.live
def test_a_forged_line_in_the_path_stays_one_escaped_log_line():
    server = start_wamock(access_log=True)
    try:
        httpx.get(f"{server.base_url}/chats%0d%0aSet-Cookie:%20x", auth=AUTH)
        line = wait_for(lambda: next((line for line in server.output if "Set-Cookie" in line), None))
    finally:
        stop(server)

    assert "/chats\\x0d\\x0aSet-Cookie: x 404" in line
    assert not any(line.startswith("Set-Cookie") for line in server.output)


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def send_endless_header(base_url: str, megabytes: int) -> bytes:
    """A header line that never ends; returns what the server answered before it stopped reading."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
        chunk = b"a" * 65536
        try:
            for _ in range(megabytes * 16):
                connection.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: what we want
        answer = b""
        try:
            while data := connection.recv(65536):
                answer += data
        except OSError:
            pass
        return answer


@pytest.mark.live
def test_endless_header_lines_get_431_and_hold_no_memory(live_server):
    before = rss_kib(live_server.process.pid)
    answers: list[bytes] = []
    senders = [
        threading.Thread(target=lambda: answers.append(send_endless_header(live_server.base_url, 40))) for _ in range(8)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)
    grown_mib = (rss_kib(live_server.process.pid) - before) / 1024

    assert [answer.split(b"\r\n")[0] for answer in answers] == [b"HTTP/1.1 431 Request Header Fields Too Large"] * 8
    assert all(b'{"code":"431","message":"request headers longer than 65536 bytes in all"' in a for a in answers)
    assert grown_mib < 40
    assert httpx.get(f"{live_server.base_url}/chats", auth=AUTH).status_code == 200


@pytest.mark.live
def test_idle_connections_are_capped_and_timed_out():
    server = start_wamock("--max-connections", "20", "--request-timeout", "1")
    host, port = server.base_url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(30)]
    try:
        answers = [connection.recv(4096) for connection in idle]  # each ends: 503 at once, or 408 after 1 s
        after = httpx.get(f"{server.base_url}/chats", auth=AUTH)
    finally:
        for connection in idle:
            connection.close()
        stop(server)

    statuses = sorted(int(answer.split()[1]) for answer in answers)
    assert statuses == [408] * 20 + [503] * 10
    assert all(answer.endswith(b',"results":{}}') for answer in answers)
    assert after.status_code == 200


def unread_pipeline(host: str, port: int, requests: int) -> socket.socket:
    """A connection that sends `requests` pipelined GETs and never reads what comes back."""
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once: the server must hold the rest
    connection.connect((host, port))
    head = f"GET /chats?limit=100 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=\r\n\r\n"
    connection.sendall(head.encode() * requests)
    return connection


@pytest.mark.live
def test_connections_whose_answers_nobody_reads_are_closed_like_unfinished_requests():
    server = start_wamock("--max-connections", "20", "--request-timeout", "1")
    host, port = server.base_url.removeprefix("http://").split(":")
    unread = [unread_pipeline(host, int(port), 200) for _ in range(20)]
    try:
        # Each answer is ~27 KB: 200 of them fill any buffer, so every slot is held by an unread answer.
        refused = httpx.get(f"{server.base_url}/chats", auth=AUTH)
        served = wait_for(
            lambda: httpx.get(f"{server.base_url}/chats", auth=AUTH).status_code == 200,
            timeout=20,
            what="a slot freed by closing a connection that reads nothing",
        )
    finally:
        for connection in unread:
            connection.close()
        stop(server)

    assert refused.status_code == 503
    assert served


@pytest.mark.live
def test_oversized_data_set_is_refused_before_it_is_read():
    server = start_wamock("--max-body", "100000")
    try:
        response = httpx.put(f"{server.base_url}/__wamock/chats", content=b"[" + b" " * 200_000 + b"]", headers=JSON)
    finally:
        stop(server)

    assert response.status_code == 413
    assert response.json()["message"] == "request body longer than 100000 bytes (--max-body)"


def state_directory_of(pid: int) -> Path:
    owned = [
        path
        for path in Path(tempfile.gettempdir()).glob(state_directory.STATE_PREFIX + "*")
        if (path / "owner.pid").exists() and (path / "owner.pid").read_text() == str(pid)
    ]
    assert len(owned) == 1
    return owned[0]


@pytest.mark.live
def test_journal_keeps_its_limit_on_disk_and_in_answers():
    server = start_wamock("--journal-limit", "50")
    try:
        on_disk = state_directory_of(server.process.pid) / "journal.jsonl"
        with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=10) as client:
            for n in range(2000):
                client.get("/chats", params={"limit": 1, "pad": "x" * 7000, "n": n})
            entries = client.get("/__wamock/journal").json()["results"]["entries"]
        size = on_disk.stat().st_size
    finally:
        stop(server)

    assert len(entries) == 50
    assert entries[-1]["query"].endswith("...")
    assert len(entries[-1]["query"]) == 2048 + 3
    assert size <= 50 * journal_file.MAX_ENTRY_BYTES + 64 * 1024


@pytest.mark.live
def test_reset_with_a_broken_fixture_file_changes_nothing(tmp_path):
    fixtures = tmp_path / "chats.json"
    shutil.copy(DEFAULT_FIXTURES, fixtures)
    server = start_wamock("--fixtures", str(fixtures), "--workers", "2")
    try:
        fixtures.write_text("[{")  # edited while serving
        reset = httpx.post(f"{server.base_url}/__wamock/reset", headers=JSON)
        statuses = {httpx.get(f"{server.base_url}/chats", auth=AUTH).status_code for _ in range(40)}
        alive = server.process.poll() is None
    finally:
        stop(server)

    assert reset.status_code == 409
    assert reset.json()["message"].startswith(f"{fixtures}: not valid JSON: ")
    assert reset.json()["message"].endswith("; still serving the data as it was")
    assert statuses == {200}
    assert alive
    assert not [line for line in server.output if "Traceback" in line or "Child process" in line]


@pytest.mark.live
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_unusable_fixture_files_are_one_line_errors_not_hangs(tmp_path, kind):
    path = tmp_path / "chats.json"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")

    result = subprocess.run(
        [sys.executable, "-m", "wamock", "--port", "0", "--fixtures", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stderr) == (
        2,
        f"error: {path}: not a regular file; expected a JSON list of chats\n",
    )


@pytest.mark.live
def test_sigterm_answers_requests_delayed_past_the_shutdown_timeout_with_503():
    server = start_wamock("--shutdown-timeout", "1")
    request = b"GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nPrefer: delay=30000\r\nConnection: close\r\n"
    request += b"Authorization: " + BASIC["Authorization"].encode() + b"\r\n\r\n"
    connections = send_requests(server.base_url, request, 3)
    wait_for(lambda: all_read_by_server(connections), what="the requests to be read")
    server.process.send_signal(signal.SIGTERM)
    answers = [read_answer(connection) for connection in connections]
    server.process.wait(timeout=30)
    stop(server)

    assert [status for status, _ in answers] == [503] * 3
    assert all(
        body == b'{"code":"503","message":"wamock is shutting down; the request was not answered","results":{}}'
        for _, body in answers
    )
    assert server.process.returncode == 0


@pytest.mark.live
def test_state_directory_of_a_killed_wamock_is_removed_at_the_next_start():
    killed = start_wamock()
    directory = state_directory_of(killed.process.pid)
    killed.process.kill()
    killed.process.wait()
    stop(killed)

    assert directory.exists()
    after = start_wamock()
    stop(after)

    assert not directory.exists()
