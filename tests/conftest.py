import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, settings

from tests.contract import response_validator
from wamock.data import spec as spec_module
from wamock.serve.app import create_app

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Upstream's whole API description, beside the project (never copied into it); the tests that
# read it are skipped, saying so, where it is absent.
UPSTREAM = Path(
    os.environ.get("WAMOCK_UPSTREAM_SPEC", Path(__file__).resolve().parents[2] / "shared" / "upstream" / "openapi.yaml")
)
UPSTREAM_SOURCE = "https://raw.githubusercontent.com/aldinokemal/go-whatsapp-web-multidevice/main/docs/openapi.yaml"
needs_upstream = pytest.mark.skipif(
    not UPSTREAM.exists(),
    reason=f"{UPSTREAM} is absent: save upstream's document there ({UPSTREAM_SOURCE}), "
    "or name it with WAMOCK_UPSTREAM_SPEC=FILE",
)

AUTH = ("username", "password")
JSON = {"Content-Type": "application/json"}  # the control API changes state only for JSON requests
TEST_HOST = "testserver"  # the Host of Starlette's test client: a name, so it must be allowed


@pytest.fixture(scope="session")
def spec() -> dict:
    """The served spec, read once: tests derive expectations from it rather than restating it."""
    return spec_module.load()


@pytest.fixture
def make_client():
    """A test client of a fresh app; openapi-core validates each of its /chats responses."""

    def make(**app_options) -> httpx.Client:
        client = create_app(**{"allowed_hosts": [TEST_HOST], **app_options}).test_client()
        client.event_hooks["response"].append(response_validator(str(client.base_url)))
        return client

    return make


@pytest.fixture
def client(make_client) -> httpx.Client:
    """The default mock in process: fast, and every /chats answer checked against the spec."""
    return make_client()


@dataclass
class LiveServer:
    process: subprocess.Popen
    base_url: str
    banner: str
    output: list[str]
    reader: threading.Thread


def start_wamock(*args: str, env: dict | None = None, cwd=None, access_log: bool = False) -> LiveServer:
    """`wamock serve --port 0 ARGS` as a subprocess, once it answers at the URL it printed."""
    quiet = [] if access_log else ["--no-access-log"]
    process = subprocess.Popen(
        [sys.executable, "-m", "wamock", "serve", "--port", "0", *quiet, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    banner = process.stdout.readline()
    match = re.search(r"serving (http://[^/\s]+)", banner)
    if not match:
        process.kill()
        raise RuntimeError(f"wamock did not start: {banner}{process.stdout.read()}")
    while "try: curl" not in banner:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
    output: list[str] = []
    # Drained in the background, so that a chatty server never blocks on a full pipe.
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    server = LiveServer(process, match.group(1), banner, output, reader)
    wait_until_answering(server.base_url)
    return server


def wait_until_answering(base_url: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base_url}/chats", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # poll, until the deadline


def wait_for(condition, timeout: float = 20, what: str = "the condition"):
    """Poll until condition() is truthy, with a deadline; returns its value."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # poll
    return value


def send_requests(base_url: str, request: bytes, count: int) -> list[socket.socket]:
    """`count` connections, each with `request` sent whole: bytes in the kernel, not yet answered."""
    host, port = base_url.removeprefix("http://").split(":")
    connections = [socket.create_connection((host, int(port)), timeout=60) for _ in range(count)]
    for connection in connections:
        connection.sendall(request)
    return connections


def all_read_by_server(connections: list[socket.socket]) -> bool:
    """Whether the server process has read every byte these connections sent (from /proc/net/tcp).

    A request the server has read is one it answers when it stops gracefully; one still in
    the kernel's buffers is not, so tests wait for this instead of sleeping.
    """
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            rows += [line.split() for line in list(lines)[1:]]

    def port(address: str) -> int:
        return int(address.rsplit(":", 1)[1], 16)

    for connection in connections:
        mine, server = connection.getsockname()[1], connection.getpeername()[1]
        unsent = [row for row in rows if port(row[1]) == mine and port(row[2]) == server]
        unread = [row for row in rows if port(row[1]) == server and port(row[2]) == mine]
        if not unsent or not unread:
            return False
        if int(unsent[0][4].split(":")[0], 16) or int(unread[0][4].split(":")[1], 16):
            return False
    return True


def read_answer(connection: socket.socket) -> tuple[int, bytes]:
    """Status and body of the one answer on a `Connection: close` request."""
    answer = b""
    with connection:
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def stop(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.reader.join(timeout=5)
    server.process.stdout.close()


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free port of 127.0.0.1, in a thread; yields its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        wait_until_answering(base_url)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """One real `wamock serve` process for the session: what only a real server and port show."""
    server = start_wamock()
    yield server
    stop(server)


@pytest.fixture
def live_client(live_server) -> Iterator[httpx.Client]:
    """A client of the live server whose /chats answers openapi-core checks against the spec."""
    with httpx.Client(
        base_url=live_server.base_url, timeout=10, event_hooks={"response": [response_validator(live_server.base_url)]}
    ) as client:
        yield client
