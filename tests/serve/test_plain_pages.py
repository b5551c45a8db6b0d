"""The fast path of GET /chats against connexion's own path: the same status, headers and body.

Two apps of the same data, neither replaying answers: one with the fast path, one that takes
every request through connexion's whole chain. Hypothesis generates requests valid and
invalid (values of every kind, parameters given twice, unknown ones), with and without
credentials (right, wrong, malformed), naming devices or not.
"""

import base64
import copy
import inspect
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import TEST_HOST
from wamock.data import collections
from wamock.data import spec as spec_module
from wamock.data.facts import DocumentFacts
from wamock.data.generate import generate_devices
from wamock.serve import chat_list, plain_pages
from wamock.serve.app import create_app

INTEGERS = st.one_of(
    st.integers(min_value=-3, max_value=160).map(str),
    st.sampled_from(["0", "1", "100", "101", "+5", "05", "-0", " 5", "5 ", "1.5", "1e1", "0x10", "٣", "", "9" * 25]),
)
BOOLEANS = st.sampled_from(["true", "false", "TRUE", "False", "tRuE", "yes", "no", "1", "0", "on", "", "truee"])
STRINGS = st.one_of(st.sampled_from(["an", "John", "%", "ş", "İ", "", "phone-1"]), st.text(max_size=6))
PARAMETERS = st.one_of(
    st.tuples(st.sampled_from(["limit", "offset"]), INTEGERS),
    st.tuples(st.sampled_from(["has_media", "archived"]), BOOLEANS),
    st.tuples(st.sampled_from(["search", "device_id", "sort"]), STRINGS),
)
QUERIES = st.lists(PARAMETERS, max_size=4)


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode("utf-8")).decode()


CREDENTIALS = st.sampled_from(
    [
        basic("username:password"),
        basic("username:password"),
        basic("username:password"),
        None,
        basic("username:wrong"),
        basic("nobody:password"),
        basic("username"),
        "basic " + base64.b64encode(b"username:password").decode(),  # the scheme in lower case
        "Basic " + base64.b64encode(b"username:password").decode()[:-1] + "!",  # not strict base64
        "Basic",
        "Bearer abc",
    ]
)
DEVICES = st.sampled_from([None, "phone-1", "phone-2", "phone%2D1", "nope", ""])
PREFER = st.sampled_from([None, None, None, "code=500", "delay=0"])
ORIGINS = st.sampled_from([None, None, "http://localhost:5173"])


def pair(chats=None) -> tuple[TestClient, TestClient]:
    options = {"cache": False, "chats": chats, "allowed_hosts": [TEST_HOST]}
    fast = create_app(fast_path=True, **options)
    connexion_only = create_app(fast_path=False, **options)
    return TestClient(fast, base_url=f"http://{TEST_HOST}"), TestClient(connexion_only, base_url=f"http://{TEST_HOST}")


@pytest.fixture(scope="module")
def one_device():
    return pair()


@pytest.fixture(scope="module")
def two_devices():
    newest = collections.documented_chat(spec_module.load())
    return pair(generate_devices(40, 3, newest=newest, devices=2))


def answers_agree(clients, query, credentials, device, prefer, origin) -> None:
    headers = {
        name: value
        for name, value in (
            ("Authorization", credentials),
            ("X-Device-Id", device),
            ("Prefer", prefer),
            ("Origin", origin),
        )
        if value is not None
    }
    url = "/chats?" + urlencode(query)
    fast, slow = (client.get(url, headers=headers) for client in clients)

    assert slow.status_code in (200, 400, 401, 404, 500), url  # the API's answers, not the Host guard's
    assert fast.status_code == slow.status_code, url
    assert fast.headers.items() == slow.headers.items(), url
    assert fast.content == slow.content, url


@settings(max_examples=300)
@given(query=QUERIES, credentials=CREDENTIALS, device=DEVICES, prefer=PREFER, origin=ORIGINS)
def test_both_paths_answer_alike_with_one_device(one_device, query, credentials, device, prefer, origin):
    answers_agree(one_device, query, credentials, device, prefer, origin)


@settings(max_examples=300)
@given(query=QUERIES, credentials=CREDENTIALS, device=DEVICES, prefer=PREFER, origin=ORIGINS)
def test_both_paths_answer_alike_with_two_devices(two_devices, query, credentials, device, prefer, origin):
    answers_agree(two_devices, query, credentials, device, prefer, origin)


def test_the_fast_path_answers_the_plain_requests(one_device, monkeypatch):
    """Not only falling back: a plain page is answered by the fast path, not connexion's handler."""
    fast, _ = one_device
    callers = []
    original = chat_list.page

    def recorded(*args, **kwargs):
        callers.append(inspect.stack()[1].function)
        return original(*args, **kwargs)

    monkeypatch.setattr(chat_list, "page", recorded)
    plain = fast.get("/chats?limit=3&offset=7&has_media=TRUE", auth=("username", "password"))
    twice = fast.get("/chats?limit=3&limit=4", auth=("username", "password"))

    assert (plain.status_code, twice.status_code) == (200, 400)
    assert callers == ["__call__"]  # the fast path's; the refused one never reached a handler


def test_the_fast_path_stays_off_where_the_spec_has_rules_it_does_not_know(spec):
    patterned = copy.deepcopy(spec)
    for parameter in patterned["paths"]["/chats"]["get"]["parameters"]:
        if parameter["name"] == "search":
            parameter["schema"]["pattern"] = "^[a-z]+$"

    assert plain_pages.compiled(DocumentFacts.read(spec)) is not None
    assert plain_pages.compiled(DocumentFacts.read(patterned)) is None


@given(st.text(alphabet="ab=&%+;2x ", max_size=20))
def test_the_query_is_read_as_starlette_reads_it(query):
    assert plain_pages.query_pairs(query) == parse_qsl(query, keep_blank_values=True)
