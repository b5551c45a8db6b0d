"""The request journal: what each client request to the mock API was, for end-to-end tests.

An entry says what the client sent (method, path, raw query, whether it carried credentials
and which Basic user) and the status it got. Never a password, never a header value.
"""

import base64
import binascii

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
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            scope[STATE_KEY].record(
                {
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": scope["query_string"].decode("latin-1"),
                    "auth": authorization is not None,
                    "user": basic_user(authorization) if authorization is not None else None,
                    "status": status,
                }
            )
