"""A cache of whole answers, in front of connexion, for requests it has already judged.

GET /chats is a pure function of the request and of the mock's state: the same path, query,
credentials, headers the spec declares (X-Device-Id) and state version always get the same answer. connexion's per-request work
(routing, security, parameter validation, the handler's decorators) costs about half a
millisecond; replaying its answer costs a few microseconds. So the first request of a kind
goes through connexion, and byte-identical ones after it get that answer again until the
state changes.

Nothing is decided here: the key holds everything the answer depends on (credentials as a
keyed digest, never in clear), a request with a `Prefer` header is never cached, and every
change through the control API moves the state version on, which retires every entry.
"""

import hashlib
import os
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.serve.state import SCOPE_KEY as STATE_KEY

MAX_ENTRIES = 4096
MAX_BODY = 64 * 1024


class ResponseCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: set[str],
        varies: list[str] = (),
        credentials: frozenset[str] = frozenset({"authorization"}),
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.app = app
        self.paths = paths
        self.varies = frozenset(name.lower().encode() for name in varies)  # headers an answer depends on
        # Headers that carry a credential (Authorization, an API key's header, Cookie): kept as a digest.
        self.credentials = frozenset(name.lower().encode() for name in credentials)
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, tuple[int, tuple, bytes]] = OrderedDict()
        self._salt = os.urandom(16)

    def key(self, scope: Scope) -> tuple | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            return None
        given = []
        declared = []
        for name, value in scope["headers"]:
            if name == b"prefer":
                return None
            if name in self.credentials:
                given.append(b"%s:%s" % (name, value))
            elif name in self.varies:
                declared.append((name, value))
        credentials = hashlib.blake2b(b"\n".join(sorted(given)), key=self._salt, digest_size=16).digest()
        return (scope[STATE_KEY].version, scope["path"], scope["query_string"], credentials, tuple(sorted(declared)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self.key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        cached = self.entries.get(key)
        if cached is not None:
            self.entries.move_to_end(key)
            status, headers, body = cached
            # Fresh messages every time: middleware outside (CORS) adds headers to what it sends.
            await send({"type": "http.response.start", "status": status, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})
            return

        start: dict | None = None
        chunks: list[bytes] = []
        complete = False

        async def send_and_keep(message: Message) -> None:
            nonlocal start, complete
            if message["type"] == "http.response.start":
                start = {"status": message["status"], "headers": tuple(message.get("headers", ()))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, send_and_keep)
        body = b"".join(chunks)
        if start is not None and complete and len(body) <= MAX_BODY:
            self.entries[key] = (start["status"], start["headers"], body)
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
