"""Pins what wamock.check.engine relies on in Schemathesis' undocumented engine (4.x)."""

import pytest

from tests.check.broken import implementation
from tests.conftest import serving
from wamock.check import engine
from wamock.check.checks import RULES, Contract
from wamock.check.runner import basic_header
from wamock.data import spec as spec_module
from wamock.data.paths import SPEC_FILE

pytestmark = pytest.mark.live


def phases(url: str) -> list[engine.Phase]:
    contract = Contract.from_spec(spec_module.load(SPEC_FILE), basic_header(("username", "password")))
    settings = engine.Settings(url, 7, SPEC_FILE, ("username", "password"), 10, 10.0)
    return list(engine.run_cases(settings, contract))


def test_phases_report_requests_and_every_rule_that_ran_as_a_check():
    with serving(implementation()) as url:
        found = phases(url)

    assert [phase.name for phase in found if phase.requests] == ["coverage", "fuzzing"]
    assert set(RULES) - {"matches_data_file"} <= set().union(*(phase.checks for phase in found))
    assert [failure for phase in found for failure in phase.failures] == []


def test_a_broken_rule_comes_back_with_the_request_that_broke_it():
    with serving(implementation("offset_not_echoed")) as url:
        failures = [failure for phase in phases(url) for failure in phase.failures]

    echoed = [failure for failure in failures if failure.check == "pagination_echoes_request"]
    assert echoed != []
    assert all(failure.method == "GET" and "offset=" in failure.url for failure in echoed)
    assert all(failure.title == "Pagination does not echo the request" for failure in echoed)
