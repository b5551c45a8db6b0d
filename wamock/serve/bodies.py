"""Request bodies as connexion can read them: sent in chunks, or with a Content-Type that names no media type.

connexion 3.3 takes a request without `Content-Length` for one without a body ("RequestBody
is required"), though HTTP/1.1 clients may stream any body in chunks. This gathers such a
body (the protocol has already bounded it by `--max-body`), then hands it on whole, with its
`Content-Length`, as if it had been sent so.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DROPPED = (b"transfer-encoding", b"content-length")


def is_chunked(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" and b"chunked" in value.lower() for name, value in scope["headers"])


class ChunkedBodyLength:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_chunked(scope):
            await self.app(scope, receive, send)
            return
        parts = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # nobody left to answer
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        headers = [(name, value) for name, value in scope["headers"] if name not in DROPPED]
        headers.append((b"content-length", str(len(body)).encode()))
        given = False

        async def receive_whole() -> Message:
            nonlocal given
            if given:
                return await receive()  # after the body: a disconnect, when it comes
            given = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, receive_whole, send)


class MalformedContentType:
    """A `Content-Type` that names no media type (empty, or not one `/`: Schemathesis sends
    `Content-Type: ` and `E)uqF/*/|:` with a GET) is left out: connexion splits it on `/`
    into two and failed, a 500. A body then comes with no media type, which connexion reads as JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            name == b"content-type" and value.split(b";")[0].count(b"/") != 1 for name, value in scope["headers"]
        ):
            headers = [(name, value) for name, value in scope["headers"] if name != b"content-type"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)
