"""uvicorn's HTTP/1.1 protocol, refusing what no handler should see, in the page's envelope.

Some requests never reach the ASGI app: uvicorn's parser (httptools) refuses a malformed
request line with a plain-text 400. This subclass answers those in the JSON envelope too,
and draws three lines of its own before the app is bothered: a request target over
MAX_TARGET bytes is 414, headers over MAX_HEADERS bytes in all are 431, and a body over
MAX_BODY bytes is 413.
"""

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from wamock import envelope

MAX_TARGET = 8 * 1024
MAX_HEADERS = 64 * 1024
MAX_BODY = 256 * 1024 * 1024
REASONS = {
    400: b"Bad Request",
    413: b"Content Too Large",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
}


class EnvelopeHttpToolsProtocol(HttpToolsProtocol):
    _refusal: tuple[int, str] | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._refusal = None
        self._header_bytes = 0
        self._body_bytes = 0

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
        declared = next((value for name, value in self.headers if name == b"content-length"), b"0")
        if declared.isdigit() and int(declared) > MAX_BODY:
            self.refuse(413, f"request body longer than {MAX_BODY} bytes")
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > MAX_BODY:
            self.refuse(413, f"request body longer than {MAX_BODY} bytes")
        super().on_body(body)

    def send_400_response(self, msg: str) -> None:
        status, message = self._refusal or (
            400,
            "malformed HTTP request: its request line or a header cannot be parsed",
        )
        self.send_refusal(status, message)

    def send_refusal(self, status: int, message: str) -> None:
        if self.transport.is_closing():
            return
        body = orjson.dumps(envelope.error(str(status), message))
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
