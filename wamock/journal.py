"""The request journal and the access log: what each client request to the mock API was.

A journal entry says what the client sent (method, path, raw query, whether it carried
credentials and which Basic user) and the status it got, for end-to-end tests to read. The
access log line says the same to a person watching the terminal. Never a password, never a
header value. (uvicorn's own access log is off: it costs a third of a cached answer's time.)
"""

import base64
import binascii
import os
import sys

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.state import SCOPE_KEY as STATE_KEY

UNJOURNALED_PREFIXES = ("/__wamock", "/ui", "/openapi.")


def basic_user(authorization: bytes) -> str | None:
    scheme, _, credentials = authorization.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        user, colon, _ = base64.b64decode(credentials.strip(), validate=True).partition(b":")
    except (binascii.Error, ValueError):
        return None
    return user.decode("utf-8", "replace") if colon else None


class JournalMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNJOURNALED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 500

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
                "query": scope["query_string"].decode("latin-1"),
                "auth": authorization is not None,
                "user": basic_user(authorization) if authorization is not None else None,
                "status": status,
            }
            scope[STATE_KEY].record(entry)
            if self.access_log:
                log_access(scope, entry)


def log_access(scope: Scope, entry: dict) -> None:
    client = ":".join(map(str, scope["client"])) if scope.get("client") else "-"
    target = entry["path"] + ("?" + entry["query"] if entry["query"] else "")
    user = f" user={entry['user']}" if entry["user"] is not None else (" user=?" if entry["auth"] else "")
    line = f"{client} {entry['method']} {target} {entry['status']}{user}\n"
    # One write a line, unbuffered, so the terminal shows each request as it is answered.
    os.write(sys.stdout.fileno(), line.encode("utf-8", "replace"))
