"""`wamock check` against real servers: the mock, a correct rewrite, and one broken per rule."""

import json
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.broken import CHATS, DEFECTS, HARMLESS, ORACLE_DEFECTS, REFUSES_WITH_414, implementation
from tests.conftest import serving
from wamock.cli import main
from wamock.generate import dumps

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


def test_refusing_bad_requests_with_414_counts_as_rejecting_them(capsys):
    with serving(implementation(REFUSES_WITH_414)) as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 0, output


@pytest.mark.parametrize(("defect", "check_name"), DEFECTS.items(), ids=list(DEFECTS))
def test_each_broken_rule_is_caught_by_its_check(capsys, defect, check_name):
    with serving(implementation(defect)) as url:
        status, output = check(capsys, url, *QUICK)

    assert status == 1
    assert f"FAILED {check_name}: " in output, output


@pytest.mark.parametrize(("defect", "check_name"), ORACLE_DEFECTS.items(), ids=list(ORACLE_DEFECTS))
def test_data_oracle_catches_what_no_black_box_rule_sees(capsys, tmp_path, defect, check_name):
    data = tmp_path / "served.json"
    data.write_bytes(dumps(CHATS))
    with serving(implementation(defect)) as url:
        blind_status, blind_output = check(capsys, url, *QUICK)
        status, output = check(capsys, url, *QUICK, "--data", str(data))

    assert blind_status == 0, blind_output
    assert status == 1
    assert f"FAILED {check_name}: " in output, output


def test_data_oracle_passes_the_right_data(capsys, tmp_path):
    data = tmp_path / "served.json"
    data.write_bytes(dumps(CHATS))
    with serving(implementation()) as url:
        status, output = check(capsys, url, *QUICK, "--data", str(data))

    assert status == 0, output


def test_compare_reports_each_difference_beside_each_sides_findings(capsys):
    with serving(implementation()) as here, serving(implementation(HARMLESS)) as there:
        status, output = check(capsys, here, *QUICK, "--compare", there)

    assert status == 1
    assert "FAILED agrees_with_peer: Body differs on 400 at message" in output
    assert f"{there}: conforms" in output


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
    assert output.startswith(f"error: cannot reach {url}/chats: ")
    assert len(output.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example"], "error: ftp://example: not an http:// or https:// URL\n"),
        (["http://127.0.0.1:9", "--auth", "nocolon"], "error: --auth 'nocolon': expected USER:PASSWORD\n"),
        (["http://127.0.0.1:9", "--max-examples", "0"], "error: --max-examples 0: must be at least 1\n"),
    ],
)
def test_bad_check_options_are_one_line(capsys, args, message):
    assert check(capsys, *args) == (2, message)
