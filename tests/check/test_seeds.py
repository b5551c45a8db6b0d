"""Every check on 20 seeds: each broken implementation caught on every one, the correct ones failed on none.

Not in the default run (`tox -e seeds`, about 20 minutes): the default run checks each on one seed.
The correct implementations get the default number of examples (more cases, more chances of a
false alarm); the broken ones a quarter of it (fewer cases, fewer chances to be caught).
"""

import contextlib

import pytest

from tests.check import other_choices
from tests.check.broken import DEFECTS, DEVICE_DEFECTS, DEVICES, implementation
from tests.conftest import serving
from wamock.cli import main

pytestmark = [pytest.mark.seeds, pytest.mark.live]

SEEDS = range(101, 121)
TOLD = ["--device", "phone-1", "--device", "phone-2"]


def check(capsys, url: str, seed: int, *args: str) -> tuple[int, str]:
    status = main(["check", url, "--seed", str(seed), *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["wamock", "independent", "independent-devices", "other_choices"])
def test_correct_implementations_pass_on_every_seed(capsys, live_server, name, seed):
    with contextlib.ExitStack() as stack:
        url, told = {
            "wamock": lambda: (live_server.base_url, []),
            "independent": lambda: (stack.enter_context(serving(implementation())), []),
            "independent-devices": lambda: (stack.enter_context(serving(implementation(devices=DEVICES))), TOLD),
            "other_choices": lambda: (stack.enter_context(other_choices.serving()), ["--device", other_choices.DEVICE]),
        }[name]()
        status, output = check(capsys, url, seed, *told)

    assert status == 0, output


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("defect", "check_name"), DEFECTS.items(), ids=list(DEFECTS))
def test_each_broken_rule_is_caught_on_every_seed(capsys, defect, check_name, seed):
    with serving(implementation(defect)) as url:
        status, output = check(capsys, url, seed, "--max-examples", "25")

    assert status == 1
    assert f"FAILED {check_name}: " in output, output


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("defect", "check_name"), DEVICE_DEFECTS.items(), ids=list(DEVICE_DEFECTS))
def test_each_broken_device_rule_is_caught_on_every_seed(capsys, defect, check_name, seed):
    with serving(implementation(defect, DEVICES)) as url:
        status, output = check(capsys, url, seed, "--max-examples", "25", *TOLD)

    assert status == 1
    assert f"FAILED {check_name}: " in output, output
