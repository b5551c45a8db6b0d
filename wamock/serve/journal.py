"""The request journal and the access log: what each client request to the mock API was.

A journal entry says what the client sent (method, path, raw query, whether it carried
credentials and which Basic user) and the status it got, for end-to-end tests to read. The
access log line says the same to a person watching the terminal. Never a password, never a
header or cookie value, never an API key in the query (`redacted`). (uvicorn's own access log is off: it costs a third of a cached answer's time.)

The access log never blocks the server: lines go through a bounded queue to a writer
thread, so a terminal or pipe that nobody reads costs dropped lines (counted), not a stalled
event loop; a closed standard output ends the log quietly. Control characters in a path are
escaped, so no request can forge a line.
"""

import base64
import binascii
import functools
import os
import queue
import re
import sys
import threading
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.serve import CONTROL_PREFIX
from wamock.serve.state import SCOPE_KEY as STATE_KEY

UNJOURNALED_PREFIXES = (CONTROL_PREFIX, "/ui", "/openapi.")
NOTES_KEY = "wamock.journal_notes"  # what a part of the mock notes about a request, for its entry


@functools.lru_cache(maxsize=256)
def basic_user(authorization: bytes) -> str | None:
    scheme, _, credentials = authorization.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        user, colon, _ = base64.b64decode(credentials.strip(), validate=True).partition(b":")
    except (binascii.Error, ValueError):
        return None
    return user.decode("utf-8", "replace") if colon else None


def redacted(query: str, secret: frozenset[str]) -> str:
    """The raw query with the value of each `secret` parameter (an API key) replaced by `***`."""
    if not secret or not query:
        return query
    parts = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        parts.append(f"{name}=***" if equals and unquote_plus(name) in secret else part)
    return "&".join(parts)


class JournalMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = True, secret_query: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.access_log = AccessLog() if access_log else None
        self.secret_query = secret_query  # query parameters that carry an API key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNJOURNALED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 500
        notes = scope[NOTES_KEY] = []

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            authorization = next((value for name, value in scope["headers"] if name == b"authorization"), None)
            entry = {
                "method": scope["method"],
                "path": scope["path"],
                "query": redacted(scope["query_string"].decode("latin-1"), self.secret_query),
                "auth": authorization is not None,
                "user": basic_user(authorization) if authorization is not None else None,
                "status": status,
            }
            if notes:
                entry["note"] = "; ".join(notes)
            scope[STATE_KEY].journal.record(entry)
            if self.access_log is not None:
                self.access_log.write(scope, entry)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUEUED_LINES = 10_000


def escaped(text: str) -> str:
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class AccessLog:
    """Lines for standard output, written by a thread of their own."""

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdout.fileno() if fd is None else fd
        self.lines: queue.Queue[bytes] = queue.Queue(MAX_QUEUED_LINES)
        self.dropped = 0
        self.closed = False
        threading.Thread(target=self._write_lines, name="wamock-access-log", daemon=True).start()

    def write(self, scope: Scope, entry: dict) -> None:
        if self.closed:
            return
        client = ":".join(map(str, scope["client"])) if scope.get("client") else "-"
        target = escaped(entry["path"] + ("?" + entry["query"] if entry["query"] else ""))
        user = f" user={escaped(entry['user'])}" if entry["user"] is not None else (" user=?" if entry["auth"] else "")
        try:
            self.lines.put_nowait(
                f"{client} {entry['method']} {target} {entry['status']}{user}\n".encode("utf-8", "replace")
            )
        except queue.Full:
            self.dropped += 1

    def _write_lines(self) -> None:
        while True:
            line = self.lines.get()
            if self.dropped:
                line = b"(%d access log lines dropped: standard output is not being read)\n" % self.dropped + line
                self.dropped = 0
            try:
                os.write(self.fd, line)  # one write a line, so the terminal shows each as it is answered
            except OSError:  # standard output closed (EPIPE, EBADF): the log ends, the server goes on
                self.closed = True
                return
