"""A long Schemathesis run against a real wamock: thousands of cases, valid and invalid.

Not part of the default run (it takes minutes): `tox -e fuzz` runs it. The number of cases
comes from WAMOCK_FUZZ_EXAMPLES (default 3000 a phase).
"""

import os
import re
import time

import pytest

from wamock.cli import main

pytestmark = [pytest.mark.fuzz, pytest.mark.live]


def test_long_fuzz_finds_no_5xx_and_no_contract_break(live_server, capsys):
    examples = os.environ.get("WAMOCK_FUZZ_EXAMPLES", "3000")
    started = time.monotonic()

    status = main(["check", live_server.base_url, "--max-examples", examples, "--seed", "20261125"])

    output = capsys.readouterr().out
    requests = int(re.search(r"checks?, ([\d,]+) requests?,", output).group(1).replace(",", ""))
    with capsys.disabled():
        print(f"\nfuzz: {requests} requests in {time.monotonic() - started:.0f} s, exit {status}")
    assert status == 0, output
    assert requests >= int(examples)
