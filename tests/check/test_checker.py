"""`wamock check` against real servers: the mock, two independent correct rewrites, and one broken per rule."""

import asyncio
import contextlib
import json
import os
import pty
import re
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.check import other_choices
from tests.check.broken import CHATS, DEFECTS, DEVICE_DEFECTS, DEVICES, HARMLESS, ORACLE_DEFECTS, implementation
from tests.conftest import JSON, UPSTREAM, needs_upstream, serving, start_wamock, stop
from wamock.check import runner
from wamock.cli import main

pytestmark = pytest.mark.live

QUICK = ["--max-examples", "25", "--seed", "7"]


def check(capsys, *args: str) -> tuple[int, str]:
    status = main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_mock_conforms(live_server, capsys):
    status, output = check(capsys, live_server.base_url, *QUICK)

    assert status == 0, output
    assert f"{live_server.base_url}: conforms" in output


def test_independent_correct_implementation_conforms(capsys):
    with serving(implementation()) as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 0, output


def test_implementation_taking_the_contracts_other_choices_conforms(capsys):
    with other_choices.serving() as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 0, output


def test_a_huge_offset_may_be_echoed_or_refused(capsys):
    """Both answers conform: one implementation refuses it with 400, the other pages past the end."""
    with serving(implementation()) as refusing, other_choices.serving() as echoing:
        answers = [
            httpx.get(f"{url}/chats?offset={2**63}", auth=("username", "password")) for url in (refusing, echoing)
        ]
        statuses = [check(capsys, url, *QUICK)[0] for url in (refusing, echoing)]

    assert [answer.status_code for answer in answers] == [400, 200]
    assert answers[1].json()["results"]["pagination"]["offset"] == 2**63
    assert statuses == [0, 0]


TOLD_DEVICES = ["--device", "phone-1", "--device", "phone-2"]


def test_independent_implementation_with_several_devices_conforms_when_told_them(capsys):
    with serving(implementation(devices=DEVICES)) as url:
        status, output = check(capsys, url, *QUICK, *TOLD_DEVICES)

    assert status == 0, output


def test_implementation_with_one_named_device_conforms_told_it_or_not(capsys):
    with other_choices.serving() as url:
        statuses = [check(capsys, url, *QUICK, *told)[0] for told in ([], ["--device", other_choices.DEVICE])]

    assert statuses == [0, 0]


def test_several_devices_and_none_told_is_a_usage_error(capsys):
    with serving(implementation(devices=DEVICES)) as url:
        status, output = check(capsys, url, *QUICK)

    assert (status, output) == (
        2,
        f"error: {url}/chats answers 400 DEVICE_ID_REQUIRED: name the devices it serves with --device ID (repeatable)\n",
    )


@pytest.mark.parametrize(("defect", "check_name"), DEVICE_DEFECTS.items(), ids=list(DEVICE_DEFECTS))
def test_each_broken_device_rule_is_caught_when_told_the_devices(capsys, defect, check_name):
    with serving(implementation(defect, DEVICES)) as url:
        status, output = check(capsys, url, *QUICK, *TOLD_DEVICES)

    assert status == 1
    assert f"FAILED {check_name}: " in output, output


@pytest.mark.parametrize(("defect", "check_name"), DEFECTS.items(), ids=list(DEFECTS))
def test_each_broken_rule_is_caught_by_its_check(capsys, defect, check_name):
    with serving(implementation(defect)) as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 1
    assert f"FAILED {check_name}: " in output, output


@pytest.mark.parametrize(("defect", "check_name"), ORACLE_DEFECTS.items(), ids=list(ORACLE_DEFECTS))
def test_data_oracle_catches_what_no_black_box_rule_sees(capsys, tmp_path, defect, check_name):
    data = tmp_path / "served.json"
    data.write_text(json.dumps(CHATS))
    with serving(implementation(defect)) as url:
        blind_status, blind_output = check(capsys, url, *QUICK)
        status, output = check(capsys, url, *QUICK, "--data", str(data))

    assert blind_status == 0, blind_output
    assert status == 1
    assert f"FAILED {check_name}: " in output, output


def test_data_oracle_passes_the_right_data(capsys, tmp_path):
    data = tmp_path / "served.json"
    data.write_text(json.dumps(CHATS))
    with serving(implementation()) as url:
        status, output = check(capsys, url, *QUICK, "--data", str(data))

    assert status == 0, output


def test_compare_reports_a_difference_apart_from_the_contract(capsys):
    with serving(implementation()) as here, serving(implementation(HARMLESS)) as there:
        status, output = check(capsys, here, *QUICK, "--compare", there)

    assert status == 1
    assert f"DIFFERS from {there}: Body differs on 400 at message" in output
    assert "FAILED" not in output, output
    assert f"{here}: conforms" in output
    assert f"{there}: conforms" in output
    assert f"{here} and {there}: disagree in 1 way" in output


def test_compare_shows_the_first_differing_path_not_whole_bodies(capsys):
    with serving(implementation()) as here, serving(implementation("names_mangled")) as there:
        output = check(capsys, here, *QUICK, "--compare", there)[1]

    block = output.split(f"DIFFERS from {there}: Body differs on 200 at results.data[*].name")[1].split("\n\n")[1]
    operation, *lines = [line.strip() for line in block.strip().splitlines()]
    assert operation == "Operation: GET /chats"
    assert lines[0].startswith("Here: results.data[0].name = ")
    assert lines[1].startswith("There: results.data[0].name = ")
    assert lines[2].startswith("and ") and lines[2].endswith(" more differences in this body")
    assert all(len(line) < 200 for line in lines)


def test_compare_of_equal_implementations_passes(capsys):
    with serving(implementation()) as here, serving(implementation()) as there:
        status, output = check(capsys, here, *QUICK, "--compare", there)

    assert status == 0, output


def test_same_seed_gives_same_findings(capsys):
    with serving(implementation("short_pages")) as url:
        first = check(capsys, url, *QUICK)[1]
        second = check(capsys, url, *QUICK)[1]

    def findings(output: str) -> list[str]:
        # How often a failure was seen may vary (Hypothesis replays while shrinking); which may not.
        return [line.split(" (seen ")[0] for line in output.splitlines() if line.startswith("FAILED")]

    assert findings(first) == findings(second)
    assert findings(first) != []


def test_the_same_seed_sends_the_same_requests_again_in_the_same_folder(tmp_path):
    server = start_wamock()
    sent = []
    try:
        for _ in range(2):
            httpx.delete(f"{server.base_url}/__wamock/journal", headers=JSON)
            subprocess.run(
                [sys.executable, "-m", "wamock", "check", server.base_url, "--seed", "7", "--max-examples", "30"],
                cwd=tmp_path,
                capture_output=True,
                timeout=300,
                check=True,
            )
            journal = httpx.get(f"{server.base_url}/__wamock/journal").json()["results"]["entries"]
            sent.append([(entry["method"], entry["path"], entry["query"]) for entry in journal])
    finally:
        stop(server)

    assert len(sent[0]) > 100
    assert sent[0] == sent[1]


def test_reproduce_line_reproduces_the_failure(capsys):
    with serving(implementation("offset_not_echoed")) as url:
        output = check(capsys, url, *QUICK)[1]
        block = output.split("FAILED pagination_echoes_request: ")[1]
        command = next(line for line in block.splitlines() if "Reproduce: " in line).split("Reproduce: ")[1]
        result = subprocess.run([*shlex.split(command), "--silent"], capture_output=True, text=True, timeout=10)

    pagination = json.loads(result.stdout)["results"]["pagination"]
    requested_offset = int(command.split("offset=")[1].split("&")[0].split("'")[0])
    assert requested_offset > 0
    assert pagination["offset"] == 0


@settings(max_examples=40, deadline=None)
@given(body=st.binary(min_size=1, max_size=64) | st.sampled_from([b"--boundary\r\n", b"%s%d\\n'\"", b"\x00\xff"]))
def test_a_reproduce_lines_body_is_the_bytes_sent(body):
    command = runner.curl("POST", "http://127.0.0.1:9/x", {}, runner.Options("http://127.0.0.1:9"), body)
    piped = command.split(" | curl ")[0]

    assert subprocess.run(["bash", "-c", piped], capture_output=True, timeout=10).stdout == body
    assert subprocess.run(["sh", "-c", piped], capture_output=True, timeout=10).stdout == body


def test_a_reproduce_lines_headers_are_the_headers_sent_empty_ones_too():
    """curl drops a header written `Name:`; an empty header the run sent must still be sent."""

    async def echo_headers(scope, receive, send):
        sent = [[name.decode(), value.decode()] for name, value in scope["headers"]]
        body = json.dumps(sent).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    headers = {"Content-Language": "", "X-Tag": "a b", "Accept-Charset": "utf-8"}
    with serving(echo_headers) as url:
        command = runner.curl("GET", url + "/x", headers, runner.Options(url))
        result = subprocess.run([*shlex.split(command), "--silent"], capture_output=True, text=True, timeout=10)

    received = {name: value for name, value in json.loads(result.stdout)}
    assert {name: received.get(name.lower()) for name in headers} == headers


def slow(app, seconds: float):
    """`app`, answering each request `seconds` late: the slowness is the behaviour under test."""

    async def answer(scope, receive, send):
        if scope["type"] == "http":
            await asyncio.sleep(seconds)  # the behaviour under test: a server this slow, not a wait
        await app(scope, receive, send)

    return answer


def test_max_time_cuts_a_long_run_short_and_says_so(capsys):
    with serving(slow(implementation(), 0.05)) as url:
        started = time.monotonic()
        status, output = check(capsys, url, "--max-examples", "1000", "--seed", "7", "--max-time", "3")
        elapsed = time.monotonic() - started

    assert status == 0, output
    assert "cut short by --max-time" in output
    assert elapsed < 30  # a thousand examples a phase at 50 ms an answer would take many minutes


def test_junit_xml_lists_every_check(capsys, tmp_path):
    report = tmp_path / "report.xml"
    with serving(implementation("oldest_first")) as url:
        status, _ = check(capsys, url, *QUICK, "--junit-xml", str(report))

    suite = ET.parse(report).getroot().find("testsuite")
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert status == 1
    assert "pages_are_ordered" in failed
    assert {"not_a_server_error", "pagination_echoes_request", "pages_cover_every_chat_once"} <= {
        case.get("name") for case in suite.iter("testcase")
    }


def test_unreachable_server_is_a_usage_error(capsys):
    with serving(implementation()) as url:
        pass  # the server is gone again: its port is closed

    status, output = check(capsys, url, *QUICK)

    assert status == 2
    assert output.startswith(f"error: nothing answers at {url} (")
    assert output.endswith("start the server (the mock: wamock serve), or fix the host and port\n")
    assert len(output.splitlines()) == 1


@pytest.mark.parametrize("suffix", ["/chats", "/chats/"])
def test_a_url_ending_in_the_documented_path_gets_the_base_url_to_pass(capsys, suffix):
    with serving(implementation()) as url:
        status, output = check(capsys, url + suffix, *QUICK)

    assert (status, output) == (
        2,
        f"error: {url}/chats ends in the documented path /chats; pass the server's base URL: wamock check {url}\n",
    )


def test_a_base_url_where_the_chat_list_is_not_found_is_a_usage_error(capsys):
    with serving(implementation()) as url:
        status, output = check(capsys, f"{url}/api", *QUICK)

    assert (status, output) == (
        2,
        f"error: {url}/api/chats answers 404: pass the server's base URL, where the document's paths start\n",
    )


@needs_upstream
def test_a_url_ending_in_a_templated_path_keeps_the_servers_own_prefix(capsys):
    with serving(implementation()) as url:
        status, output = check(capsys, f"{url}/api/chat/1@g.us/messages", "--spec", str(UPSTREAM), *QUICK)

    assert status == 2
    assert output.endswith(f"pass the server's base URL: wamock check {url}/api\n")


def test_progress_piped_is_one_line_a_phase_naming_its_operations(capsys):
    with serving(implementation()) as url:
        output = check(capsys, url, *QUICK)[1]

    progress = output.split("\n\n")[0].splitlines()
    assert progress[0] == f"checking {url} (seed 7, up to 25 examples a phase)"
    assert [line.split(":")[0] for line in progress[1:]] == [
        "  schemathesis coverage",
        "  schemathesis fuzzing",
        "  probes",
    ]
    assert all(re.search(r": (1 operation, )?[\d,]+ requests, \d+\.\d s$", line) for line in progress[1:3])
    assert "\r" not in output


def test_progress_on_a_terminal_shows_each_operation_in_place():
    primary, secondary = pty.openpty()
    with serving(implementation()) as url:
        process = subprocess.Popen(
            [sys.executable, "-m", "wamock", "check", url, *QUICK], stdout=secondary, stderr=secondary
        )
        os.close(secondary)
        shown = b""
        with contextlib.suppress(OSError):  # EIO: the terminal's last writer has gone
            while chunk := os.read(primary, 65536):
                shown += chunk
        process.wait(timeout=120)
    os.close(primary)
    text = shown.decode()

    assert process.returncode == 0, text
    assert re.search(r"\r\x1b\[K  schemathesis fuzzing \[#+\.*\] 1/1 GET /chats \(\d+ requests\)", text)
    assert re.search(r"\r\x1b\[K  probes \[[#.]+\] \d+/\d+ pages_are_ordered", text)
    assert f"{url}: conforms" in text


def test_credentials_the_server_refuses_are_a_usage_error(capsys):
    with serving(implementation()) as url:
        status, output = check(capsys, url, *QUICK, "--auth", "username:wrong")

    assert (status, output) == (
        2,
        f"error: {url}/chats refuses the run's credentials (401); pass credentials it accepts: "
        "--auth USER:PASSWORD, --token TOKEN, --api-key [NAME=]VALUE or -H NAME:VALUE\n",
    )


def test_rerun_command_keeps_every_option_that_shapes_the_cases(capsys, tmp_path):
    data = tmp_path / "served.json"
    served = [
        {**{k: v for k, v in chat.items() if k != "media"}, "has_media": chat["media"]} for chat in other_choices.CHATS
    ]
    data.write_text(json.dumps(served))
    with other_choices.serving() as url, other_choices.serving() as other:
        output = check(capsys, url, *QUICK, "--auth", "admin:s3:cr:et", "--data", str(data), "--compare", other)[1]

    rerun = output.split("Run again with the same cases: ")[1].strip()
    assert rerun == (
        f"wamock check {url} --seed 7 --auth 'admin:<password>' --max-examples 25 --data {data} --compare {other}"
    )


@pytest.mark.parametrize("defect", ["plain_text_401", "malformed_credentials_crash", "wrong_content_type"])
def test_reports_show_bodies_as_text_and_no_empty_phases(capsys, defect):
    with serving(implementation(defect)) as url:
        output = check(capsys, url, *QUICK)[1]

    assert "Received: " in output
    assert "b'" not in output and 'b"' not in output
    assert ": 0 requests" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example"], "error: ftp://example: not an http:// or https:// URL\n"),
        (["http://127.0.0.1:9", "--auth", "nocolon"], "error: --auth 'nocolon': expected USER:PASSWORD\n"),
        (
            ["http://127.0.0.1:9", "--auth", ":secret"],
            "error: --auth: the user name before the colon is empty; expected USER:PASSWORD\n",
        ),
        (["http://127.0.0.1:9", "--max-examples", "0"], "error: --max-examples 0: must be at least 1\n"),
    ],
)
def test_bad_check_options_are_one_line(capsys, args, message):
    assert check(capsys, *args) == (2, message)
