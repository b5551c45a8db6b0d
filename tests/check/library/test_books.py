"""books.yaml, a small API of our own: wamock serves it as a collection, an implementation that
shares no code with wamock keeps it, and each broken implementation really breaks its rule over
HTTP (the checker's rules, written later, have something true to catch)."""

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openapi_core import OpenAPI

from tests import collection_probes as probes
from tests.conftest import AUTH, start_wamock, stop, wait_for
from tests.contract import HttpxOpenAPIRequest, HttpxOpenAPIResponse
from tests.documents import run_wamock
from wamock.data import spec as spec_module
from wamock.data.inference import inferred, served_collections
from wamock.data.operations import operations

BOOKS = Path(__file__).with_name("books.yaml")
DEFECTS = ("page-repeated", "filter-ignored", "write-lost", "delete-kept")
# Each defect, and the probe it must fail.
BROKEN_RULE = {
    "page-repeated": probes.pages_differ_and_keep_their_size,
    "filter-ignored": probes.a_filter_narrows,
    "write-lost": probes.writes_stick,
    "delete-kept": probes.writes_stick,
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return spec_module.load(BOOKS)


def api(spec: dict, base_url: str, hook=None) -> probes.Api:
    client = httpx.Client(base_url=base_url, auth=AUTH, timeout=30, event_hooks={"response": [hook] if hook else []})
    return probes.Api(client, spec, served_collections(spec)["GET /books"])


@contextlib.contextmanager
def books_server(defect: str | None = None) -> Iterator[str]:
    """tests/check/library/books_server.py as a process of its own, with `defect`; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.check.library.books_server", *(["--defect", defect] if defect else [])],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().split()[-1]
        wait_for(lambda: httpx.get(url + "/books", timeout=5).status_code == 200, what="the books server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def validated(spec: dict, base_url: str):
    """An httpx hook: every answer must meet books.yaml (openapi-core's judgement, not wamock's)."""
    openapi = OpenAPI.from_dict({**spec, "servers": [{"url": base_url}]})

    def validate(response: httpx.Response) -> None:
        response.read()
        openapi.validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))

    return validate


def test_the_books_list_is_inferred_with_its_paging_filters_and_item_path(spec):
    assert inferred(spec, operations(spec)["GET /books"], operations(spec)) == {
        "items": "data",
        "paging": {"style": "offset", "size": "limit", "start": "offset", "total": "total"},
        "filters": {"author": {"field": "author", "match": "equals"}, "q": {"field": "title", "match": "contains"}},
        "id": "id",
        "item": "/books/{bookId}",
    }


@pytest.fixture(scope="module")
def wamock_books():
    server = start_wamock("--spec", str(BOOKS))
    yield server
    stop(server)


def test_wamock_keeps_every_rule_with_answers_the_document_validates(spec, wamock_books):
    with api(spec, wamock_books.base_url, validated(spec, wamock_books.base_url)) as books:
        probes.pages_differ_and_keep_their_size(books)
        assert probes.a_filter_narrows(books) == "author"
        probes.writes_stick(books)
        total = books.list().json()["total"]
        assert books.items(books.list(limit=5, offset=total)) == []  # past the end: empty
        assert all("an" in book["title"].lower() for book in books.items(books.list(q="AN", limit=50)))


def test_the_independent_implementation_keeps_every_rule(spec):
    with books_server() as url, api(spec, url, validated(spec, url)) as books:
        probes.pages_differ_and_keep_their_size(books)
        assert probes.a_filter_narrows(books) == "author"
        probes.writes_stick(books)


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_broken_implementation_breaks_its_rule_and_only_it(spec, defect):
    with books_server(defect) as url, api(spec, url) as books:
        for probe in {probes.pages_differ_and_keep_their_size, probes.a_filter_narrows, probes.writes_stick}:
            if probe is BROKEN_RULE[defect]:
                with pytest.raises(AssertionError):
                    probe(books)
            else:
                probe(books)


def test_wamock_check_finds_the_independent_implementation_and_wamock_conforming(wamock_books):
    """No false alarm on either correct implementation: the rules the lead adds start from here."""
    with books_server() as url:
        independent = run_wamock("check", url, "--spec", str(BOOKS), "--seed", "1", "--max-examples", "20", timeout=300)
    mock = run_wamock(
        "check", wamock_books.base_url, "--spec", str(BOOKS), "--seed", "1", "--max-examples", "20", timeout=300
    )

    assert independent.returncode == 0, independent.stdout[-2000:]
    assert mock.returncode == 0, mock.stdout[-2000:]
