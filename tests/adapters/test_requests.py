"""Pins what wamock.adapters.requests relies on: requests 2.x and Schemathesis 4.32 make
every session of a run inside it, with `requests.sessions.HTTPAdapter()`."""

import pytest
import requests
import schemathesis
from requests.adapters import HTTPAdapter
from schemathesis.core.transport import Response
from schemathesis.engine.context import make_session
from schemathesis.transport.requests import SameHostRedirectsSession

from tests.check.broken import implementation
from tests.conftest import serving
from wamock.adapters.requests import sessions_mounting
from wamock.check import engine
from wamock.check.checks import Contract
from wamock.check.credentials import Credentials
from wamock.check.transport import Bounds, RequestsAdapter
from wamock.data import spec as spec_module
from wamock.data.paths import SPEC_FILE


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(requests.Session, id="requests"),
        pytest.param(SameHostRedirectsSession, id="schemathesis-replays"),
        pytest.param(lambda: make_session(schemathesis.Config().projects.default), id="schemathesis-cases"),
    ],
)
def test_a_session_made_inside_sends_through_the_bounded_adapter(make):
    bounds = Bounds(timeout=3)
    with sessions_mounting(lambda: RequestsAdapter(bounds)):
        inside = make()
    outside = make()

    for scheme in ("http://", "https://"):
        assert type(inside.get_adapter(scheme)) is RequestsAdapter
        assert inside.get_adapter(scheme).bounds is bounds
        assert type(outside.get_adapter(scheme)) is HTTPAdapter


@pytest.mark.live
def test_every_request_of_the_engine_is_a_bounded_exchange():
    bounds = Bounds(timeout=10)
    contract = Contract.from_spec(spec_module.load(SPEC_FILE), Credentials(("username", "password")))
    with serving(implementation()) as url:
        settings = engine.Settings(url, 7, SPEC_FILE, Credentials(("username", "password")), 5, 10.0, bounds=bounds)
        phases = list(engine.run_cases(settings, contract))

    assert bounds.exchanges >= sum(phase.requests for phase in phases) > 0
    assert bounds.failures == 0
    assert requests.sessions.HTTPAdapter is HTTPAdapter  # as it was, once the engine is done


@pytest.mark.live
def test_schemathesis_reads_the_body_the_adapter_read():
    """The adapter reads the body itself and hands it to requests as `_content` (requests 2.x)."""
    with (
        serving(implementation()) as url,
        sessions_mounting(lambda: RequestsAdapter(Bounds(timeout=10))),
        requests.Session() as session,
    ):
        answer = session.get(f"{url}/chats?limit=1", auth=("username", "password"), stream=True)
        response = Response.from_requests(answer, verify=True)

    assert response.status_code == 200
    assert response.json()["results"]["pagination"]["limit"] == 1
    assert response.headers["content-type"] == ["application/json"]
