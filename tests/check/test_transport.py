"""wamock.check.transport: each exchange bounded in time, size and depth; a run gives up on a server."""

import time
import zlib

import httpx
import pytest
import requests

from tests.check.hostile import dribbling_body, dribbling_headers, hang_up, hostile
from wamock.adapters.requests import sessions_mounting
from wamock.check.transport import (
    FAILURES_IN_A_ROW,
    BoundExceeded,
    Bounds,
    Decoder,
    GaveUp,
    RequestsAdapter,
    TooLarge,
    httpx_client,
    nested_deeper_than,
)


@pytest.mark.parametrize(
    ("content", "deeper"),
    [
        pytest.param(b"[" * 129 + b"]" * 129, True, id="129-arrays"),
        pytest.param(b"[" * 128 + b"]" * 128, False, id="128-arrays"),
        pytest.param(b'{"a":' * 129 + b"1" + b"}" * 129, True, id="129-objects"),
        pytest.param(b"[" * 5000, True, id="never-closed"),
        pytest.param(b'["' + b"[" * 500 + b'"]', False, id="brackets-in-a-string"),
        pytest.param(b'["\\"' + b"[" * 500 + b'"]', False, id="escaped-quote-in-a-string"),
        pytest.param(b"  " + b"[]" * 10_000, False, id="wide-not-deep"),
        pytest.param(b"text " + b"[" * 500, False, id="not-json"),
        pytest.param(b"\xef\xbb\xbf" + b"[" * 129 + b"]" * 129, True, id="after-a-byte-order-mark"),
        pytest.param(("[" * 129 + "]" * 129).encode("utf-16-be"), True, id="utf-16"),
    ],
)
def test_depth_is_read_from_the_brackets_outside_strings(content, deeper):
    assert nested_deeper_than(content, 128) is deeper


def test_a_long_string_that_never_closes_is_scanned_in_linear_time():
    started = time.monotonic()

    assert nested_deeper_than(b'["' + b'\\"' * 2**20, 128) is False
    assert time.monotonic() - started < 2


def gzipped(data: bytes, wbits: int = 31) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "wbits"), [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15)], ids=str
)
def test_a_coded_body_within_the_limit_is_decoded(coding, wbits):
    decoder = Decoder(coding, limit=1000)

    assert decoder.feed(gzipped(b"x" * 1000, wbits)) + decoder.flush() == b"x" * 1000


def test_a_body_decoded_past_the_limit_is_refused_without_decoding_the_rest():
    bomb = gzipped(b"\0" * 50 * 2**20)
    decoder = Decoder("gzip", limit=2**20)

    with pytest.raises(TooLarge, match=r"^Body larger than 1048576 bytes once decompressed \(gzip\)$"):
        decoder.feed(bomb)


def test_a_body_that_is_not_what_its_coding_says_is_refused():
    with pytest.raises(BoundExceeded, match=r"^Body is not valid gzip$"):
        Decoder("gzip", limit=1000).feed(b"not gzip at all")


def test_an_unknown_coding_is_left_as_it_came():
    assert Decoder("br", limit=1000).feed(b"\x8b\x00") == b"\x8b\x00"


def test_after_failures_in_a_row_no_exchange_is_sent():
    bounds = Bounds(timeout=5)
    for _ in range(FAILURES_IN_A_ROW):
        with pytest.raises(OSError), bounds.exchange("GET", "http://server/chats"):
            raise OSError("Connection refused")

    with pytest.raises(
        GaveUp,
        match=r"^gave up after 3 answers in a row failed; the last: GET http://server/chats: Connection refused$",
    ):
        bounds.exchange("GET", "http://server/chats").__enter__()


def test_once_the_bodies_of_a_run_come_to_more_than_the_bound_no_exchange_is_sent():
    bounds = Bounds(timeout=5, max_bodies=1000)
    bounds.count_received(1000)
    with pytest.raises(TooLarge, match=r"^Answers larger than 1000 bytes in all$"):
        bounds.count_received(1)

    assert bounds.why_given_up().startswith("gave up after the answers came to more than 1000 bytes in all")
    with pytest.raises(GaveUp):
        bounds.exchange("GET", "http://server/chats").__enter__()


def test_an_answer_between_failures_starts_the_count_again():
    bounds = Bounds(timeout=5)
    for _ in range(FAILURES_IN_A_ROW - 1):
        with pytest.raises(OSError), bounds.exchange("GET", "http://server/chats"):
            raise OSError("reset")
    with bounds.exchange("GET", "http://server/chats"):
        pass

    assert (bounds.failures_in_a_row, bounds.failures, bounds.gave_up) == (0, 2, False)


@pytest.mark.live
@pytest.mark.parametrize("behaviour", [dribbling_headers, dribbling_body], ids=["headers", "body"])
def test_the_deadline_is_the_whole_exchange_for_httpx(behaviour):
    with hostile(behaviour, good_answers=0) as url, httpx_client(url, Bounds(timeout=0.5)) as client:
        started = time.monotonic()
        with pytest.raises(httpx.TransportError, match=r"^Answer not finished within 0.5 s$"):
            client.get("/chats")

    assert time.monotonic() - started < 1.5


@pytest.mark.live
@pytest.mark.parametrize("behaviour", [dribbling_headers, dribbling_body], ids=["headers", "body"])
def test_the_deadline_is_the_whole_exchange_for_requests(behaviour):
    with (
        hostile(behaviour, good_answers=0) as url,
        sessions_mounting(lambda: RequestsAdapter(Bounds(timeout=0.5))),
        requests.Session() as session,
    ):
        started = time.monotonic()
        with pytest.raises(requests.Timeout, match=r"^Answer not finished within 0.5 s$"):
            session.get(f"{url}/chats")

    assert time.monotonic() - started < 1.5


def test_a_failure_is_described_by_the_systems_reason_under_the_clients_wrappers():
    bounds = Bounds(timeout=5)
    with (
        pytest.raises(requests.ConnectionError),
        sessions_mounting(lambda: RequestsAdapter(bounds)),
        requests.Session() as session,
    ):
        session.get("http://127.0.0.1:1/chats")

    assert bounds.last_failure == "GET http://127.0.0.1:1/chats: Connection refused"


@pytest.mark.live
def test_a_request_the_client_will_not_send_is_no_failure_of_the_server():
    bounds = Bounds(timeout=5)
    with (
        hostile(hang_up, only=b"never") as url,
        sessions_mounting(lambda: RequestsAdapter(bounds)),
        requests.Session() as session,
    ):
        for _ in range(FAILURES_IN_A_ROW):
            with pytest.raises(ValueError):
                session.get(f"{url}/chats", headers={"X-Probe": "€"})  # not latin-1: http.client refuses it

    assert (bounds.exchanges, bounds.failures, bounds.gave_up) == (FAILURES_IN_A_ROW, 0, False)
