"""How the checker talks to a server it does not trust: every exchange bounded in time, size and depth.

Both ways the checker sends requests go through here: wamock's probes and oracles through an
`httpx.Client` whose transport is `HTTPXTransport`, Schemathesis' cases through
`RequestsAdapter` (mounted on Schemathesis' `requests` sessions by
`wamock.adapters.requests`). Each exchange is bounded three ways:

- time: `timeout` is the whole exchange, from sending the request to the last byte of the
  answer, not each read: a server that sends one byte a second is cut off at the deadline
  (a watchdog shuts down the exchange's sockets, so no read can outlast it);
- size: at most `max_body` bytes of body on the wire, and at most `max_body` once decompressed
  (gzip and deflate are decompressed here, a block at a time, never past the bound);
- depth: a JSON body nested deeper than `max_depth` is refused before anything parses it
  (Python's parser, Schemathesis' checks and wamock's rules all recurse).

An answer past a bound is a failed exchange; so is one that never comes. After
`FAILURES_IN_A_ROW` failed exchanges in a row, or `FAILURES_IN_ALL` in all, or once the bodies
of a run come to more than `max_bodies` bytes (Schemathesis keeps a phase's answers, and every
check reads each one), the run gives up on the server: every later exchange fails at once, and
the runner reports it as one finding, "unreachable since request N" (`failing_since`). So a
run against any server ends in bounded time and memory.

Exceptions:

    BoundExceeded             the answer broke a bound, or its coding is broken (`str` is the evidence)
    ├── TooSlow               "Answer not finished within 2 s"
    ├── TooLarge              "Body larger than 2097152 bytes"
    └── TooDeep               "JSON nested deeper than 128"
    GaveUp                    too many failed exchanges: no more are sent

Each is raised as the client's own error type too (`httpx.TransportError` for httpx,
`requests.RequestException` for requests), so that code catching those catches these.
"""

import contextlib
import re
import socket
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate

import httpcore
import httpx
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from wamock.adapters.requests import with_body

MAX_BODY = 2 * 2**20  # bytes: a page of 100 chats is about 30 KB
# Bytes, all the bodies of a run: a run against the mock reads about 2 MB. A server whose every
# answer is 1.9 MB reaches it in about 50 s, at 520 MB (Schemathesis keeps a phase's answers).
MAX_BODIES = 256 * 2**20
# serde_json's default recursion limit; deep enough for any API, shallow enough for every
# recursive reader of the parsed value (jsonschema descends a few frames a level).
MAX_DEPTH = 128
FAILURES_IN_A_ROW = 3
FAILURES_IN_ALL = 10
BLOCK = 64 * 1024


class BoundExceeded(Exception):
    """The server's answer broke one of the checker's bounds; the message is the evidence."""


class TooSlow(BoundExceeded):
    pass


class TooLarge(BoundExceeded):
    pass


class TooDeep(BoundExceeded):
    pass


class GaveUp(Exception):
    """Too many exchanges with the server failed: the run sends it no more."""


@dataclass
class Bounds:
    """The bounds of one run against one server, and how its exchanges have gone so far."""

    timeout: float
    max_body: int = MAX_BODY
    max_depth: int = MAX_DEPTH
    max_bodies: int = MAX_BODIES
    exchanges: int = 0
    received: int = 0  # bytes of body, decompressed, of the whole run
    failures_in_a_row: int = 0
    failures: int = 0
    failing_since: int | None = None  # the number of the exchange that began the failures in a row
    last_failure: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def gave_up(self) -> bool:
        return (
            self.failures_in_a_row >= FAILURES_IN_A_ROW
            or self.failures >= FAILURES_IN_ALL
            or self.received > self.max_bodies
        )

    def why_given_up(self) -> str:
        if self.received > self.max_bodies:
            count = f"the answers came to more than {self.max_bodies} bytes in all"
        elif self.failures_in_a_row >= FAILURES_IN_A_ROW:
            count = f"{self.failures_in_a_row} answers in a row failed"
        else:
            count = f"{self.failures} answers failed"
        return f"gave up after {count}; the last: {self.last_failure}"

    def count_received(self, size: int) -> None:
        with self._lock:
            self.received += size
        if self.received > self.max_bodies:
            raise TooLarge(f"Answers larger than {self.max_bodies} bytes in all")

    @contextlib.contextmanager
    def exchange(self, method: str, url: str) -> Iterator["Exchange"]:
        """One exchange against the deadline; its outcome counts towards giving up."""
        if self.gave_up:
            raise GaveUp(self.why_given_up())
        exchange = Exchange(self, f"{method} {url}")
        with self._lock:
            self.exchanges += 1
            number = self.exchanges
        try:
            with exchange:
                yield exchange
        except Exception as exc:
            if not the_servers_doing(exc):
                raise
            with self._lock:
                if not self.failures_in_a_row:
                    self.failing_since = number
                self.failures_in_a_row += 1
                self.failures += 1
                # One line, whatever the client's message: it ends a report.
                self.last_failure = " ".join(f"{exchange.label}: {described(exc)}".split())
            raise
        with self._lock:
            self.failures_in_a_row = 0
            self.failing_since = None


def the_servers_doing(exc: Exception) -> bool:
    """Whether a failed exchange tells of the server (a bound, the network, a broken answer),
    not of a request the client would not send (a NUL in a header, say: Schemathesis tries those)."""
    server = (BoundExceeded, OSError, httpcore.NetworkError, httpcore.TimeoutException, httpcore.RemoteProtocolError)
    # requests' errors are OSErrors; those that are also ValueErrors (InvalidHeader, InvalidURL) are the client's.
    return isinstance(exc, (*server, urllib3.exceptions.HTTPError)) and not isinstance(exc, ValueError)


def described(exc: BaseException) -> str:
    """What went wrong, in a few words: the system's reason ("Connection refused") where one lies
    under the client's wrappers, else the error's own message."""
    cause: BaseException | None = exc
    for _ in range(8):
        if cause is None or isinstance(cause, BoundExceeded | GaveUp):
            break  # its own words are the evidence
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        wrapped = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        context = None if cause.__suppress_context__ else cause.__context__
        cause = getattr(cause, "reason", None) or cause.__cause__ or context or wrapped
    return str(exc) or type(exc).__name__


_current = threading.local()


def watch(sock: socket.socket | None) -> None:
    """Put `sock` under the deadline of this thread's exchange, if one is open."""
    exchange = getattr(_current, "exchange", None)
    if exchange is not None and sock is not None:
        exchange.watch(sock)


class Exchange:
    """A request and its answer: at the deadline, a watchdog shuts down every socket it used."""

    def __init__(self, bounds: Bounds, label: str) -> None:
        self.bounds = bounds
        self.label = label
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(bounds.timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Exchange":
        _current.exchange = self
        self._timer.start()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()
        _current.exchange = None
        if kind is not None and self.expired and not isinstance(value, BoundExceeded):
            # Whatever the shut-down socket made the client raise, the cause is the deadline.
            raise self.too_slow() from None

    def too_slow(self) -> TooSlow:
        return TooSlow(f"Answer not finished within {self.bounds.timeout:g} s")

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._done and sock not in self._sockets:
                self._sockets.append(sock)
            expired = self.expired
        if expired:
            shut(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            shut(sock)

    def check_deadline(self) -> None:
        if self.expired:
            raise self.too_slow()

    def body(self, blocks: Iterable[bytes], content_length: str | None, content_encoding: str | None) -> bytes:
        """The whole body from the wire's `blocks`, decompressed, within the bounds."""
        limit = self.bounds.max_body
        if content_length is not None and content_length.strip().isdigit() and int(content_length) > limit:
            raise TooLarge(f"Body larger than {limit} bytes (Content-Length: {content_length.strip()})")
        decoder = Decoder(content_encoding or "", limit)
        received = 0
        parts: list[bytes] = []
        for block in blocks:
            self.check_deadline()
            received += len(block)
            if received > limit:
                raise TooLarge(f"Body larger than {limit} bytes")
            parts.append(decoder.feed(block))
        parts.append(decoder.flush())
        self.check_deadline()
        content = b"".join(parts)
        self.bounds.count_received(len(content))
        if nested_deeper_than(content, self.bounds.max_depth):
            raise TooDeep(f"JSON nested deeper than {self.bounds.max_depth}")
        return content


def shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Decoder:
    """Content-Encoding gzip and deflate (each in any order), decompressed a block at a time
    with at most `limit` bytes of output; any other coding is left as it came."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        self.limit = limit
        self.stages = [Inflater(coding, limit) for coding in reversed(codings) if coding in WBITS]
        self.out = 0

    def feed(self, data: bytes) -> bytes:
        for stage in self.stages:
            data = stage.feed(data)
        return self.counted(data)

    def flush(self) -> bytes:
        data = b""
        for stage in self.stages:
            data = stage.feed(data) + stage.flush()
        return self.counted(data)

    def counted(self, data: bytes) -> bytes:
        self.out += len(data)
        if self.out > self.limit:
            raise TooLarge(f"Body larger than {self.limit} bytes once decompressed")
        return data


WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}  # zlib's window bits for each coding


class Inflater:
    """One content coding undone, a block at a time, never past `limit` bytes of output."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.out = 0
        self.started = False
        self.inflater = zlib.decompressobj(WBITS[coding])

    def feed(self, data: bytes) -> bytes:
        try:
            output = self.inflater.decompress(data, self.limit - self.out + 1)
        except zlib.error:
            if self.coding != "deflate" or self.started:
                raise BoundExceeded(f"Body is not valid {self.coding}") from None
            # "deflate" without the zlib header, as some servers send it (httpx reads it so too).
            self.inflater = zlib.decompressobj(-15)
            output = self.inflater.decompress(data, self.limit - self.out + 1)
        self.started = self.started or bool(data)
        self.out += len(output)
        if self.out > self.limit or self.inflater.unconsumed_tail:
            raise TooLarge(f"Body larger than {self.limit} bytes once decompressed ({self.coding})")
        return output

    def flush(self) -> bytes:
        output = self.inflater.flush()
        self.out += len(output)
        if self.out > self.limit:
            raise TooLarge(f"Body larger than {self.limit} bytes once decompressed ({self.coding})")
        return output


# A string, closed or not: it always matches once begun, so the scan stays linear on any input.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
STEPS = bytes.maketrans(b"[{]}", bytes([1, 1, 255, 255]))  # as signed bytes: +1 for each opening, -1 for each closing


def nested_deeper_than(content: bytes, limit: int) -> bool:
    """Whether `content`, read as JSON, has more than `limit` arrays or objects open at once: a
    scan of its brackets outside strings, so that no recursive parser need see it first."""
    # Past whitespace, byte order marks and the NULs of UTF-16 and UTF-32 (json.loads reads those too).
    if content.lstrip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff")[:1] not in (b"[", b"{"):
        return False
    brackets = JSON_STRING.sub(b"", content).translate(None, NOT_A_BRACKET)
    if len(brackets) <= limit:
        return False
    return max(accumulate(array("b", brackets.translate(STEPS)))) > limit


# httpx: probes, oracles, the peer of --compare.


class HTTPXError(httpx.TransportError):
    """A bound or the give-up rule, as httpx reports a failed exchange."""


def httpx_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    if isinstance(exc, httpcore.TimeoutException | httpcore.NetworkError | httpcore.ProtocolError):
        # httpcore's errors have httpx counterparts of the same name (httpx maps them so itself).
        kind = getattr(httpx, type(exc).__name__, httpx.TransportError)
        return kind(str(exc) or type(exc).__name__, request=request)
    return HTTPXError(str(exc), request=request)


class WatchedStream(httpcore.NetworkStream):
    """An httpcore connection whose socket each read and write puts under the exchange's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        watch(self.stream.get_extra_info("socket"))
        return self.stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        watch(self.stream.get_extra_info("socket"))
        self.stream.write(buffer, timeout)

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        return WatchedStream(self.stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):
        return self.stream.get_extra_info(info)


class WatchedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self.backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return WatchedStream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return WatchedStream(self.backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


class HTTPXTransport(httpx.BaseTransport):
    """httpx's transport with the run's bounds: the answer comes back whole, already decompressed."""

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=WatchedBackend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            with self.bounds.exchange(request.method, str(url)) as exchange:
                answer = self.pool.handle_request(sent)
                try:
                    headers = httpx.Headers(answer.headers)
                    content = exchange.body(
                        answer.stream, headers.get("content-length"), headers.get("content-encoding")
                    )
                finally:
                    answer.close()
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise httpx_error(exc, request) from None
        except (BoundExceeded, GaveUp) as exc:
            raise HTTPXError(str(exc), request=request) from None
        # Decompressed here, so httpx must not decompress it again.
        kept = [(name, value) for name, value in answer.headers if name.lower() != b"content-encoding"]
        return httpx.Response(
            answer.status, headers=kept, stream=httpx.ByteStream(content), extensions=answer.extensions
        )

    def close(self) -> None:
        self.pool.close()


def httpx_client(base_url: str, bounds: Bounds, **options) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=bounds.timeout, transport=HTTPXTransport(bounds), **options)


# requests: Schemathesis' cases.


class RequestsError(requests.exceptions.RequestException):
    """A bound or the give-up rule, as requests reports a failed exchange."""


class RequestsTimeout(RequestsError, requests.exceptions.Timeout):
    """The deadline, as requests reports a timeout. Not a `ReadTimeout`: Schemathesis 4.32 reads
    the read timeout out of such an error's urllib3 cause, which this has not."""


class Watched:
    """A urllib3 connection whose socket each exchange puts under its deadline (http or https)."""

    def connect(self) -> None:
        super().connect()
        watch(self.sock)

    def request(self, *args, **kwargs) -> None:
        watch(self.sock)  # a connection kept alive from an earlier exchange; a new one is watched on connect
        super().request(*args, **kwargs)

    def getresponse(self, *args, **kwargs):
        watch(self.sock)
        return super().getresponse(*args, **kwargs)


class WatchedHTTPConnection(Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


class RequestsAdapter(HTTPAdapter):
    """requests' transport adapter with the run's bounds: the answer is read whole here, whatever
    `stream` asks, and is already decompressed when requests hands it on.

    An event stream (text/event-stream) is read so too, to the deadline; Schemathesis' own reader
    of event streams then finds nothing left to read. The contract (and upstream's document)
    has none."""

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": WatchedHTTPConnectionPool,
            "https": WatchedHTTPSConnectionPool,
        }

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        try:
            with self.bounds.exchange(request.method, request.url) as exchange:
                response = super().send(request, True, timeout, verify, cert, proxies)
                try:
                    headers = response.headers
                    content = exchange.body(
                        response.raw.stream(BLOCK, decode_content=False),
                        headers.get("content-length"),
                        headers.get("content-encoding"),
                    )
                except BaseException:
                    response.close()
                    raise
        except TooSlow as exc:
            raise RequestsTimeout(str(exc), request=request) from None
        except (BoundExceeded, GaveUp) as exc:
            raise RequestsError(str(exc), request=request) from None
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc, request=request) from None
        except urllib3.exceptions.ProtocolError as exc:
            # The body broke off: requests says so in these words when it reads a body itself.
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(exc, request=request) from None
        with_body(response, content)
        response.raw.release_conn()
        return response
