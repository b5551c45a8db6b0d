"""`wamock check` survives any server: each run ends in bounded time and memory, without a traceback.

Each hostile server is a few lines of plain sockets in a thread of this process (it shares no
code with wamock); the checker is the real CLI in a subprocess, so that its time, exit status,
output and peak memory are measured from outside, as a user would.
"""

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

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


@pytest.mark.parametrize(("behaviour", "evidence"), HOSTILE)
def test_a_server_turning_hostile_mid_run_is_given_up_on(tmp_path, behaviour, evidence):
    """It answered once, then every request misbehaves: Schemathesis' cases and wamock's probes
    each meet it, and the run gives up after a few failed answers: exit 2, one line naming the last."""
    with hostile(behaviour, good_answers=1) as url:
        run = run_check(url, tmp_path)

    assert_bounded(run)
    assert run.status == 2, run
    assert run.stderr.count("\n") == 1, run
    assert run.stderr.startswith(f"error: could not check {url}"), run
    assert evidence.lower() in run.stderr.lower(), run


def test_a_server_that_stops_listening_mid_run_is_given_up_on(tmp_path):
    with hostile(hang_up, good_answers=1, then_close=True) as url:
        run = run_check(url, tmp_path)

    assert_bounded(run)
    assert run.status == 2, run
    assert run.stderr.count("\n") == 1, run
    assert run.stderr.startswith(f"error: could not check {url}"), run


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
