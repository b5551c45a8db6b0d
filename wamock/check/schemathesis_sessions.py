"""Schemathesis' requests go through the run's bounded transport (`wamock.check.transport`).

Schemathesis 4.32 has no public way to hand its engine a `requests` session or adapter: the
engine makes its sessions itself, in several places (`schemathesis.engine.context.make_session`
for the cases, a fresh `SameHostRedirectsSession` for some replays and when none is given, another
for its probing phase). Each is a `requests.Session`, and requests 2.x mounts
`requests.sessions.HTTPAdapter()` on every new session for http:// and https://. So while the
engine runs, that name makes the run's `RequestsAdapter`: every session made then sends through
it. This module is the one place that relies on that; tests/check/test_schemathesis_sessions.py
pins it, and pyproject.toml bounds schemathesis (<5) and requests (<3).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import requests.sessions

from wamock.check.transport import Bounds, RequestsAdapter


@contextmanager
def bounded_sessions(bounds: Bounds) -> Iterator[None]:
    """Every `requests.Session` made inside sends through a `RequestsAdapter` with `bounds`."""
    original = requests.sessions.HTTPAdapter
    requests.sessions.HTTPAdapter = partial(RequestsAdapter, bounds)
    try:
        yield
    finally:
        requests.sessions.HTTPAdapter = original


Event = TypeVar("Event")


def bounded(events: Iterable[Event], bounds: Bounds) -> Iterator[Event]:
    """The engine's `events`, each made (and its requests sent) inside `bounded_sessions(bounds)`."""
    with bounded_sessions(bounds):
        yield from events
