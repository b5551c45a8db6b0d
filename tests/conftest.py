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

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, settings

from tests.contract import response_validator
from wamock import spec as spec_module
from wamock.app import create_app

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

AUTH = ("username", "password")
JSON = {"Content-Type": "application/json"}  # the control API changes state only for JSON requests
TEST_HOST = "testserver"  # the Host of Starlette's test client: a name, so it must be allowed


@pytest.fixture(scope="session")
def spec() -> dict:
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
    match = re.search(r"(http://[^\s]+)/chats", banner)
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
            time.sleep(0.05)


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
    server = start_wamock()
    yield server
    stop(server)


@pytest.fixture
def live_client(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=live_server.base_url, timeout=10, event_hooks={"response": [response_validator(live_server.base_url)]}
    ) as client:
        yield client
