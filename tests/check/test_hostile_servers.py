"""`wamock check` survives any server: each run ends in bounded time and memory, without a traceback.

Each hostile server is a few lines of plain sockets in a thread of this process (it shares no
code with wamock); the checker is the real CLI in a subprocess, so that its time, exit status,
output and peak memory are measured from outside, as a user would.
"""

import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.check.hostile import (
    deep_json,
    dribbling_body,
    dribbling_headers,
    endless_chunked_body,
    gzipped_bomb,
    hang_up,
    hostile,
    huge_content_length,
)

pytestmark = pytest.mark.live

TIMEOUT = 1  # the checker's --timeout, seconds
UVICORN = [sys.executable, "-m", "uvicorn", "--log-level", "info", "--factory"]
RUN_DEADLINE = 45.0  # seconds a whole run may take against any of these servers
SAFETY_TIMEOUT = 120.0  # a run still going then is killed: the test has failed already
MAX_RSS_MIB = 768  # a normal run peaks at 100 to 300 MiB; the old checker took 4 GiB and more
ADDRESS_SPACE_LIMIT = 4 * 2**30  # keeps a run that goes wrong from taking the machine's memory


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mib: float


def run_check(url: str, tmp_path, *args: str) -> Run:
    """The real CLI, as a subprocess: its exit status, output, duration and peak memory (from wait4)."""
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "wamock", "check", url, "--timeout", str(TIMEOUT), "--max-examples", "2", *args],
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    resource.prlimit(process.pid, resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    waited: list[tuple[int, int, resource.struct_rusage]] = []
    waiter = threading.Thread(target=lambda: waited.append(os.wait4(process.pid, 0)), daemon=True)
    waiter.start()
    waiter.join(SAFETY_TIMEOUT)
    if not waited:
        os.killpg(process.pid, signal.SIGKILL)
        waiter.join()
    _, wait_status, usage = waited[0]
    process.returncode = os.waitstatus_to_exitcode(wait_status)  # reaped by wait4; Popen need not wait again
    return Run(
        process.returncode,
        out.read_text(errors="replace"),
        err.read_text(errors="replace"),
        time.monotonic() - started,
        usage.ru_maxrss / 1024,
    )


def assert_bounded(run: Run) -> None:
    assert run.seconds < RUN_DEADLINE, run
    assert run.peak_rss_mib < MAX_RSS_MIB, run
    assert "Traceback" not in run.stdout + run.stderr, run


HOSTILE = [
    pytest.param(dribbling_headers, f"answer not finished within {TIMEOUT} s", id="dribbling-headers"),
    pytest.param(dribbling_body, f"answer not finished within {TIMEOUT} s", id="dribbling-body"),
    pytest.param(endless_chunked_body, "body larger than", id="endless-chunked-body"),
    pytest.param(huge_content_length, "body larger than", id="content-length-4-gib"),
    pytest.param(gzipped_bomb, "body larger than", id="gzip-bomb"),
    pytest.param(deep_json, "JSON nested deeper than", id="json-5000-deep"),
]


@pytest.mark.parametrize(("behaviour", "evidence"), HOSTILE)
def test_a_server_hostile_from_the_first_answer_cannot_be_checked(tmp_path, behaviour, evidence):
    """Not one answer to read: exit 2 with one line on stderr that says what the server did."""
    with hostile(behaviour, good_answers=0) as url:
        run = run_check(url, tmp_path)

    assert_bounded(run)
    assert run.status == 2, run
    assert run.stderr.count("\n") == 1, run
    assert evidence.lower() in run.stderr.lower(), run


def assert_one_finding_of_giving_up(run: Run, url: str, evidence: str) -> None:
    """The run gave up on the server after it had answered: a report (exit 1) whose one finding
    says since which request, with what the server did; not one finding a request."""
    assert run.status == 1, run
    assert run.stderr == "", run
    assert run.stdout.count("FAILED ") == 1, run
    assert "FAILED server_answers: The server is unreachable since request " in run.stdout, run
    assert evidence.lower() in run.stdout.lower(), run
    assert f"{url}: breaks the contract: 1 distinct failure" in run.stdout, run


@pytest.mark.parametrize(("behaviour", "evidence"), HOSTILE)
def test_a_server_turning_hostile_mid_run_is_one_finding(tmp_path, behaviour, evidence):
    """It answered once, then every request misbehaves: Schemathesis' cases and wamock's probes
    each meet it, and the run gives up after a few failed answers, reporting it once."""
    with hostile(behaviour, good_answers=1) as url:
        run = run_check(url, tmp_path)

    assert_bounded(run)
    assert_one_finding_of_giving_up(run, url, evidence)


def test_a_server_that_stops_listening_mid_run_is_one_finding(tmp_path):
    with hostile(hang_up, good_answers=1, then_close=True) as url:
        run = run_check(url, tmp_path)

    assert_bounded(run)
    assert_one_finding_of_giving_up(run, url, "Connection refused")


def test_a_server_killed_mid_run_keeps_what_was_found_and_is_one_finding(tmp_path):
    """A real server process, killed by SIGKILL once it has answered 40 requests: the defect it
    showed before is reported, and its death once, with the request since which it is gone."""
    server = subprocess.Popen(
        [*UVICORN, "tests.check.broken:implementation_named_by_environment", "--port", "0", "--access-log"],
        env={**os.environ, "WAMOCK_TEST_DEFECT": "missing_field"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    answered = 0
    killed = threading.Event()

    def kill_after_40_answers(url_found: list[str]) -> None:
        nonlocal answered
        for line in server.stdout:
            if "Uvicorn running on" in line:
                url_found.append(line.split("running on ")[1].split()[0])
            elif '" 200' in line or '" 4' in line or '" 5' in line:
                answered += 1
                if answered == 40:
                    server.kill()
                    killed.set()

    url_found: list[str] = []
    reader = threading.Thread(target=kill_after_40_answers, args=(url_found,), daemon=True)
    reader.start()
    try:
        wait_for_url = time.monotonic() + 30
        while not url_found and time.monotonic() < wait_for_url and server.poll() is None:
            time.sleep(0.05)  # polling for the server's own line, with a deadline
        assert url_found, "the server did not start"
        run = run_check(url_found[0], tmp_path, "--seed", "1")
    finally:
        server.kill()
        server.wait(timeout=10)
        reader.join(10)
        server.stdout.close()

    assert killed.is_set(), run
    assert_bounded(run)
    assert run.status == 1, run
    assert run.stderr == "", run
    assert "FAILED response_schema_conformance" in run.stdout, run
    assert run.stdout.count("FAILED server_answers: The server is unreachable since request ") == 1, run
    # Whichever saw it first (Schemathesis' outage check or wamock's transport), the death is
    # told once, with how the last request failed: refused, or cut off as the process died.
    death = run.stdout.split("FAILED server_answers:", 1)[1].split("\nFAILED ")[0]
    assert any(cause in death for cause in ("Connection refused", "reset", "closed", "aborted")), death
    assert run.stdout.count("Connection refused") <= 1, run


@pytest.mark.parametrize(("behaviour", "evidence"), HOSTILE)
def test_a_server_hostile_to_some_requests_breaks_the_contract_and_says_how(tmp_path, behaviour, evidence):
    """Only the requests for pages of 100 misbehave: each is a finding with the evidence, the rest
    of the run goes on, and it ends with exit 1."""
    with hostile(behaviour, only=b"limit=100") as url:
        run = run_check(url, tmp_path, "--seed", "1")

    assert_bounded(run)
    assert run.status == 1, run
    assert run.stderr == "", run
    assert evidence.lower() in run.stdout.lower(), run
    assert f"{url}: breaks the contract" in run.stdout, run


def test_a_request_the_server_hangs_up_on_is_named_and_reproduced(tmp_path):
    """A server that closes the connection on some requests (Prism 5, crashing on a body it
    cannot read): the test Schemathesis could not finish and the probe that got no answer each
    name the operation and the request, as a curl command that sends it again."""
    with hostile(hang_up, only=b"limit=100") as url:
        run = run_check(url, tmp_path, "--seed", "1")

    assert_bounded(run)
    assert run.status == 1, run
    for title in ("Schemathesis could not finish a test", "The server did not answer a probe"):
        block = run.stdout.split(f": {title}", 1)[1].split("\nFAILED ", 1)[0]
        assert "Reproduce: curl " in block and "limit=100" in block, block
    unfinished = run.stdout.split(": Schemathesis could not finish a test", 1)[1].split("\nFAILED ", 1)[0]
    assert "Operation: GET /chats" in unfinished, unfinished


def test_a_server_that_crashes_on_a_request_is_one_finding_and_the_run_says_it_ended(tmp_path):
    """Prism 5 crashed on a request of petstore's POST /pet/{petId}; Schemathesis found it gone
    and ended its run, and wamock check reported "completed" with no word of the crash. A real
    process that exits on one request: the request it crashed on is reproduced, its death is one
    finding, the report says the run ended there, and no probe is sent after it."""
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "crashing_server.py")],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        ready, _, _ = select.select([server.stdout], [], [], 30)
        assert ready, "the server did not start"
        url = server.stdout.readline().strip()
        run = run_check(url, tmp_path, "--seed", "1")
        crashed = server.poll()
    finally:
        server.kill()
        server.wait(timeout=10)
        server.stdout.close()

    assert crashed == 70, run
    assert_bounded(run)
    assert (run.status, run.stderr) == (1, ""), run
    assert run.stdout.count("FAILED server_answers: The server is unreachable since request ") == 1, run
    assert "cut short: the server stopped answering, and nothing was sent after it" in run.stdout, run
    crash = run.stdout.split("FAILED schemathesis: Schemathesis could not finish a test", 1)[1].split("\nFAILED ")[0]
    assert "Reproduce: curl " in crash and "limit=100" in crash, crash
    assert "  probes" not in run.stdout, run
