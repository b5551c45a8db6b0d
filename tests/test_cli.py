"""The `wamock` command, run as a user runs it: a real process on a real port."""

import json
import re
import signal
import socket
import subprocess
import sys

import httpx
import pytest
import yaml

from tests.conftest import AUTH, UPSTREAM, needs_upstream, start_wamock, stop
from tests.serve.test_chats import PAGE_EXAMPLE_CHAT
from wamock.cli import main
from wamock.data import spec as spec_module
from wamock.data.paths import SPEC_FILE

pytestmark = pytest.mark.live


def wamock(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wamock", *args], capture_output=True, text=True, timeout=60, **options
    )


def test_page_curl_gets_the_page_example(live_server):
    """The documentation page's own curl, verbatim but for the port."""
    result = subprocess.run(
        ["curl", "--silent", "--request", "GET", f"{live_server.base_url}/chats", "--user", "username:password"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    body = json.loads(result.stdout)

    assert body["results"]["data"][0] == PAGE_EXAMPLE_CHAT
    assert body["results"]["pagination"] == {"limit": 25, "offset": 0, "total": 150}


def test_banner_names_url_and_credentials(live_server):
    assert f"serving {live_server.base_url}/chats" in live_server.banner
    assert "basic auth: username:password" in live_server.banner


@needs_upstream
def test_banner_names_the_document_served_and_the_modes_on():
    server = start_wamock("--spec", str(UPSTREAM), "--delay", "5", "--logged-out")
    stop(server)

    assert f"  document: {UPSTREAM} (89 operations)\n" in server.banner
    assert "(logged out: /chats answers 500)  (every answer 5 ms late)\n" in server.banner


def test_every_link_of_the_banner_answers(live_server):
    links = re.findall(r"https?://[^\s]+", live_server.banner)

    answers = {link: httpx.get(link, auth=AUTH, timeout=10).status_code for link in links}

    assert len(links) >= 3
    assert answers == dict.fromkeys(links, 200)


@pytest.mark.parametrize(
    ("query", "status"),
    [("limit=101", 400), ("limit=abc", 400), ("limit=0", 400), ("offset=-1", 400), ("has_media=maybe", 400)],
)
def test_bad_queries_get_400_over_the_wire(live_client, query, status):
    response = live_client.get(f"/chats?{query}", auth=AUTH)

    assert response.status_code == status
    assert response.json()["code"] == "400"


def test_no_credentials_get_401_over_the_wire(live_client):
    response = live_client.get("/chats")

    assert response.status_code == 401
    assert response.json() == {"code": "401", "message": "Unauthorized access", "results": {}}


def test_accounts_from_options_replace_the_default():
    server = start_wamock("--auth", "alice:s3cret", "--auth", "bob:pw")
    try:
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/chats", auth=("alice", "s3cret")).status_code == 200
            assert client.get("/chats", auth=("bob", "pw")).status_code == 200
            assert client.get("/chats", auth=AUTH).status_code == 401
        assert "basic auth: alice:***, bob:***" in server.banner
        assert "s3cret" not in server.banner
    finally:
        stop(server)


def test_accounts_from_environment():
    server = start_wamock(env={"WAMOCK_AUTH": "u1:p1,u2:p2"})
    try:
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/chats", auth=("u2", "p2")).status_code == 200
            assert client.get("/chats", auth=AUTH).status_code == 401
    finally:
        stop(server)


def test_logged_out_serves_500(tmp_path):
    server = start_wamock("--logged-out", cwd=tmp_path)
    try:
        response = httpx.get(f"{server.base_url}/chats", auth=AUTH)
        assert response.status_code == 500
        assert response.json()["message"] == "you are not loggin"
    finally:
        stop(server)


def test_served_fixture_file_is_generated_one(tmp_path):
    fixtures = tmp_path / "big.json"
    assert wamock("fixtures", "--count", "1000", "--seed", "5", "-o", str(fixtures)).returncode == 0
    server = start_wamock("--fixtures", str(fixtures))
    try:
        body = httpx.get(f"{server.base_url}/chats?offset=990", auth=AUTH).json()
        assert body["results"]["pagination"] == {"limit": 25, "offset": 990, "total": 1000}
        assert len(body["results"]["data"]) == 10
    finally:
        stop(server)


def test_sigterm_stops_the_server_cleanly(tmp_path):
    server = start_wamock(cwd=tmp_path)
    stop(server)

    assert server.process.returncode == 0


def test_busy_port_is_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = wamock("serve", "--port", str(port))

    assert result.returncode == 2
    assert result.stderr == f"error: 127.0.0.1:{port} is already in use; stop what listens there or pass --port\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--fixtures", "nowhere.json"], "error: nowhere.json: no such fixture file\n", id="missing-fixtures"
        ),
        pytest.param(["--auth", "nocolon"], "error: account 'nocolon': expected USER:PASSWORD\n", id="bad-account"),
        pytest.param(["--port", "70000"], "error: --port 70000: must be from 0 to 65535\n", id="bad-port"),
        pytest.param(
            ["--spec", "nowhere.yaml"],
            "error: nowhere.yaml: cannot read the spec: No such file or directory\n",
            id="missing-spec",
        ),
    ],
)
def test_bad_serve_options_are_one_line(tmp_path, args, message):
    result = wamock("serve", *args, cwd=tmp_path)

    assert (result.returncode, result.stderr) == (2, message)


def test_bad_fixture_file_names_record_and_field(tmp_path):
    chats = json.loads(wamock("fixtures", "--count", "20").stdout)
    chats[17]["updated_at"] = "last tuesday"
    (tmp_path / "big.json").write_text(json.dumps(chats))

    result = wamock("--fixtures", "big.json", cwd=tmp_path)

    assert (result.returncode, result.stderr) == (
        2,
        "error: big.json: record 17: updated_at: not an RFC 3339 date-time\n",
    )


def test_fixtures_command_is_deterministic():
    first = wamock("fixtures", "--count", "50", "--seed", "9")
    second = wamock("fixtures", "--count", "50", "--seed", "9")

    assert first.returncode == 0
    assert first.stdout == second.stdout
    assert len(json.loads(first.stdout)) == 50


def test_fixtures_count_must_be_positive(capsys):
    assert main(["fixtures", "--count", "0"]) == 2
    assert capsys.readouterr().err == "error: --count 0: must be at least 1\n"


def test_document_paths_that_wamocks_own_shadow_are_named_at_start(tmp_path):
    document = spec_module.load(SPEC_FILE)
    shadowing = {"get": {"responses": {"200": {"description": "the document's own"}}}}
    paths = {**document["paths"], "/__wamock/reset": shadowing, "/ui/": shadowing, "/openapi.json": shadowing}
    spec = tmp_path / "shadowing.yaml"
    spec.write_text(yaml.safe_dump({**document, "paths": paths}))

    server = start_wamock("--spec", str(spec))
    stop(server)

    assert "  warning: wamock answers these paths of the document itself: /__wamock/reset, /openapi.json, /ui/\n" in (
        server.banner
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_right_after_the_banner_stops_the_server_cleanly(workers):
    """As a supervisor stops a service it has just seen start: the signal is not lost before uvicorn takes them over."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wamock", "serve", "--port", "0", "--no-access-log", "--workers", workers],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    first = process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=30)
    finally:
        process.kill()
        process.stdout.close()

    assert first.startswith("wamock ")
    assert status == 0
