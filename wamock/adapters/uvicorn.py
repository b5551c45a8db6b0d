"""uvicorn 0.5x: its HTTP/1.1 protocol, refusing what no handler should see; its worker supervisor.

Some requests never reach the ASGI app: uvicorn's parser (httptools) refuses a malformed
request line with a plain-text 400. `GuardedHttpTools` answers those with the body its
subclass gives (`refusal_body`: wamock's envelope), and draws lines of its own before the app is bothered (`Limits`, each a `wamock serve` option):
a request target over 8 KiB is 414; headers over 64 KiB in all are 431, counted as the bytes
arrive (httptools would otherwise gather one endless header line in memory); a body over
`max_body` is 413; a request not complete within `request_timeout` seconds (a connection
that sends nothing, say) is 408; a connection past `max_connections` is 503. Each is
answered so, then the connection is closed. An answer nobody reads for
`request_timeout` seconds (the client sends and never reads, so writing stays paused) closes
its connection as a request nobody finishes does, so that it cannot hold a slot forever.

uvicorn has no public hook for these (its `limit_concurrency` answers plain text, and it
has no timeout for a request's head), so this subclasses its protocol, overriding the
callbacks httptools calls (`on_url`, `on_header`, `on_headers_complete`, `on_body`,
`on_message_begin`, `on_message_complete`, `send_400_response`) and the connection's
(`connection_made`, `connection_lost`, `pause_writing`, `resume_writing`, `data_received`).
`Multiprocess` is the supervisor `uvicorn.run()` uses for workers, taken directly so that the
socket is wamock's own. tests/serve/test_robustness.py, test_safety.py and test_workers.py
pin each behaviour; pyproject.toml bounds uvicorn below 0.55.

uvicorn's WebSocket protocols log each upgrade at INFO with its whole target, query included
(`"WebSocket /ws?authorization=..." [accepted]`), on its "uvicorn.error" logger:
`redact_query` puts a filter there that writes `***` for the values of the named parameters
(tests/serve/test_live.py pins it on a real server's output). The same filter drops the
"ASGI callable returned without completing handshake" error that 0.5x's sans-I/O protocol
logs after a refused upgrade answered with an HTTP response (the ASGI denial-response
extension), which it answers fully but never marks as a completed handshake.
"""

import logging
import re
import signal
from dataclasses import dataclass

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

__all__ = ["MAX_HEADERS", "MAX_TARGET", "GuardedHttpTools", "Limits", "redact_query", "run_workers"]

MAX_TARGET = 8 * 1024
MAX_HEADERS = 64 * 1024
REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    413: b"Content Too Large",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


@dataclass(frozen=True)
class Limits:
    max_body: int = 32 * 1024 * 1024
    request_timeout: float = 10.0
    max_connections: int = 512


class GuardedHttpTools(HttpToolsProtocol):
    limits = Limits()  # set before serving (and in each worker)

    @staticmethod
    def refusal_body(status: int, message: str) -> bytes:
        """The JSON body of a refusal; a subclass gives its own."""
        raise NotImplementedError

    _refusal: tuple[int, str] | None = None
    _timer = None
    _deadline: float | None = None  # when the request under way must be complete
    _head_complete = False
    _head_bytes = 0
    _unread_timer = None  # armed while writing is paused: the client is not reading its answers

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self.send_refusal(503, f"more than {self.limits.max_connections} connections open; try again shortly")
            return
        self._start_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_timer()
        self._cancel_unread_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._unread_timer is None:
            self._unread_timer = self.loop.call_later(self.limits.request_timeout, self._answers_unread)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_unread_timer()

    def _cancel_unread_timer(self) -> None:
        if self._unread_timer is not None:
            self._unread_timer.cancel()
            self._unread_timer = None

    def _answers_unread(self) -> None:
        self._unread_timer = None
        self.transport.abort()  # nothing more can reach a client that reads nothing

    def _start_timer(self) -> None:
        # One timer a connection, moved on lazily: arming and cancelling one for every request
        # of a keep-alive connection costs more than the rest of the protocol's work.
        if self._deadline is None:  # else the request started when the connection opened: its deadline holds
            self._deadline = self.loop.time() + self.limits.request_timeout
        if self._timer is None:
            self._timer = self.loop.call_at(self._deadline, self._timed_out)

    def _stop_timer(self) -> None:
        self._deadline = None

    def _cancel_timer(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if self._deadline is None:
            return  # no request under way
        if self.loop.time() < self._deadline:
            self._timer = self.loop.call_at(self._deadline, self._timed_out)  # a later request's deadline
            return
        if self.cycle is None or not self.cycle.response_started:
            self.send_refusal(408, f"the request was not complete within {self.limits.request_timeout:g} s")

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._head_complete and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_TARGET + MAX_HEADERS + 1024:
                self._refusal = (431, f"request headers longer than {MAX_HEADERS} bytes in all")
                self.send_400_response("")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._refusal = None
        self._header_bytes = 0
        self._body_bytes = 0
        self._head_complete = False
        self._head_bytes = 0
        self._start_timer()

    def on_message_complete(self) -> None:
        self._stop_timer()
        super().on_message_complete()

    def refuse(self, status: int, message: str):
        # Raising in a callback makes httptools stop and uvicorn call send_400_response.
        self._refusal = (status, message)
        raise httptools.HttpParserCallbackError(message)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_TARGET:
            self.refuse(414, f"request target longer than {MAX_TARGET} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > MAX_HEADERS:
            self.refuse(431, f"request headers longer than {MAX_HEADERS} bytes in all")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_complete = True
        declared = next((value for name, value in self.headers if name == b"content-length"), b"0")
        if declared.isdigit() and int(declared) > self.limits.max_body:
            self.refuse(413, f"request body longer than {self.limits.max_body} bytes (--max-body)")
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self.limits.max_body:
            self.refuse(413, f"request body longer than {self.limits.max_body} bytes (--max-body)")
        super().on_body(body)

    def send_400_response(self, msg: str) -> None:
        status, message = self._refusal or (
            400,
            "malformed HTTP request: its request line or a header cannot be parsed",
        )
        self.send_refusal(status, message)

    def send_refusal(self, status: int, message: str) -> None:
        self._cancel_timer()
        if self.transport.is_closing():
            return
        body = self.refusal_body(status, message)
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def run_workers(config, sock, ready) -> bool:
    """Run `config.workers` workers, all accepting on `sock`, until SIGINT or SIGTERM; True if
    it was SIGINT. `ready` is called once the signals are the supervisor's.

    uvicorn 0.5x's `Multiprocess` queues each signal in its handler and acts on it in run(),
    which returns alike after SIGINT and SIGTERM; wamock wraps the SIGINT handler to tell them
    apart (tests/serve/test_workers.py pins both)."""
    supervisor = Multiprocess(config, sockets=[sock])
    queue = signal.getsignal(signal.SIGINT)
    interrupted = []

    def interrupt(signum, frame) -> None:
        interrupted.append(signum)
        queue(signum, frame)

    signal.signal(signal.SIGINT, interrupt)
    ready()
    supervisor.run()
    return bool(interrupted)


UVICORN_LOGGER = "uvicorn.error"  # where uvicorn's protocols log, WebSocket upgrades included
DENIAL_NOT_MARKED = "ASGI callable returned without completing handshake."


class RedactedQuery(logging.Filter):
    """Writes `***` for the values of `names` in a query of any argument of a log record."""

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names
        alternatives = "|".join(re.escape(name) for name in sorted(names))
        self.pattern = re.compile(rf"([?&](?:{alternatives})=)[^&\s\"]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == DENIAL_NOT_MARKED:
            return False
        if isinstance(record.args, tuple):
            record.args = tuple(self.pattern.sub(r"\1***", arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = self.pattern.sub(r"\1***", record.msg)
        return True


def redact_query(names: frozenset[str]) -> None:
    """uvicorn's own log lines never show the values of the query parameters `names` (once a process)."""
    logger = logging.getLogger(UVICORN_LOGGER)
    if not any(isinstance(f, RedactedQuery) and f.names == names for f in logger.filters):
        logger.addFilter(RedactedQuery(names))
