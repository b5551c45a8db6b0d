"""`wamock check` against a real third-party mock, installed from its published package."""

import shutil
import socket
import subprocess
import sys

import pytest

from tests.conftest import wait_until_answering
from wamock.data.paths import SPEC_FILE

pytestmark = pytest.mark.live


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prism(tmp_path_factory):
    """Stoplight Prism from npm, serving spec/openapi.yaml."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to install Stoplight Prism (Node 20 ships it)"
    prefix = tmp_path_factory.mktemp("prism")
    subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", "@stoplight/prism-cli@5"],
        check=True,
        timeout=300,
    )
    port = free_port()
    process = subprocess.Popen(
        [str(prefix / "node_modules" / ".bin" / "prism"), "mock", str(SPEC_FILE), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_answering(base_url, timeout=60)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_prism_breaks_the_contract_where_it_serves_one_example(prism):
    result = subprocess.run(
        [sys.executable, "-m", "wamock", "check", prism, "--seed", "1", "--max-examples", "30"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    failed = {
        line.split(":")[0].removeprefix("FAILED ") for line in result.stdout.splitlines() if line.startswith("FAILED")
    }

    assert result.returncode == 1
    assert {
        "credentials_are_required",
        "ignored_auth",
        "page_size_matches_total",
        "pagination_echoes_request",
        "pages_cover_every_chat_once",
    } <= failed
