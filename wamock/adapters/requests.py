"""requests 2.x: the adapter every new session mounts, and the body a response holds once read.

Schemathesis 4.32 has no public way to hand its engine a `requests` session or adapter: the
engine makes its sessions itself, in several places (`schemathesis.engine.context.make_session`
for the cases, a fresh `SameHostRedirectsSession` for some replays and when none is given,
another for its probing phase). Each is a `requests.Session`, and requests mounts
`requests.sessions.HTTPAdapter()` on every new session for http:// and https://. So while the
engine runs, that name makes the checker's own adapter: every session made then sends through
it. An adapter that reads a body itself hands it over as requests does once it has read one,
in the private `_content` (as Schemathesis itself sets it). tests/adapters/test_requests.py
pins both; pyproject.toml bounds requests (<3) and schemathesis.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import requests
import requests.sessions
from requests.adapters import BaseAdapter


@contextmanager
def sessions_mounting(make_adapter: Callable[[], BaseAdapter]) -> Iterator[None]:
    """Every `requests.Session` made inside mounts `make_adapter()` for http:// and https://."""
    original = requests.sessions.HTTPAdapter
    requests.sessions.HTTPAdapter = make_adapter
    try:
        yield
    finally:
        requests.sessions.HTTPAdapter = original


Event = TypeVar("Event")


def made_mounting(events: Iterable[Event], make_adapter: Callable[[], BaseAdapter]) -> Iterator[Event]:
    """`events` (a generator that makes sessions as it goes), each made inside `sessions_mounting`."""
    with sessions_mounting(make_adapter):
        yield from events


def with_body(response: requests.Response, content: bytes) -> requests.Response:
    """`response` holding `content` as its body, read already."""
    response._content = content
    response._content_consumed = True
    return response
