"""Live updates at `/ws`, as GOWA's websocket hub speaks them: frames `{code, message, result}`.

A client (GOWA's dashboard) connects to `/ws?device_id=ID&authorization=BASE64(user:password)`
(browsers cannot set a header on a WebSocket) and sends `{"code": "FETCH_DEVICES"}`; it is
answered `LIST_DEVICES`. When a device changes (a login completes, a device is logged out or
removed, added), through the API or the control API and in whichever worker, the events the
registry keeps (`wamock.data.device_registry`) are sent to every connection: each watches the
state's version (one memory read) and sends what it has not sent yet. A reset sends the list.

Safe as the HTTP side is: the Host allow-list, the Origin allowed as CORS allows it (any by
default), and Basic credentials from the `authorization` query parameter (or the header),
checked against the accounts; refused upgrades get the envelope with 401 or 403. The query's
credentials never reach the journal or the log (`wamock.adapters.uvicorn.redact_query`).
"""

import base64
import binascii
import json
from urllib.parse import parse_qs

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from wamock.data import device_registry
from wamock.serve import devices, envelope
from wamock.serve.auth import Accounts
from wamock.serve.journal import redacted
from wamock.serve.safety import HostAllowList, header, host_name
from wamock.serve.state import SharedState

PATH = "/ws"
SECRET_QUERY = frozenset({"authorization"})  # upstream's name for the credentials in the query
WATCH_INTERVAL = 0.05  # seconds between two looks at the state's version
LIST_MESSAGE = "Device found"  # upstream's words for LIST_DEVICES


def credentials(scope: Scope) -> tuple[str, str] | None:
    """User and password from `?authorization=BASE64` (a `+` read as a space restored, as upstream
    does), else from a Basic Authorization header; None if neither holds a pair."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    given = query.get("authorization", [None])[0]
    token = given.replace(" ", "+") if given else None
    if token is None:
        scheme, _, rest = (header(scope, b"authorization") or "").partition(" ")
        token = rest.strip() if scheme.lower() == "basic" else None
    if not token:
        return None
    try:
        pair = base64.b64decode(token, validate=True).decode("latin-1")
    except (binascii.Error, ValueError):
        return None
    user, colon, password = pair.partition(":")
    return (user, password) if colon else None


def frame(code: str, message: str, result) -> str:
    return json.dumps({"code": code, "message": message, "result": result})


class LiveUpdates:
    """Answers WebSocket connections to `/ws` (under the document's base path); passes anything else on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: SharedState,
        accounts: Accounts,
        allowed_hosts: list[str],
        origins: list[str],
        base_path: str = "",
        journal: bool = True,
    ) -> None:
        self.app = app
        self.state = state
        self.accounts = accounts
        self.hosts = HostAllowList(app, allowed_hosts=allowed_hosts)
        self.origins = set(origins)
        self.path = base_path.rstrip("/") + PATH
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        self.note(scope, refusal[0] if refusal else 101)
        if refusal is not None:
            await refuse(scope, send, *refusal)
            return
        await self.serve(WebSocket(scope, receive, send))

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        host = header(scope, b"host")
        if host is not None and not self.hosts.allows_host(host):
            name = host_name(host)
            return 403, f"Host {name!r} is not allowed (DNS rebinding guard); pass --allowed-host {name}"
        origin = header(scope, b"origin")
        if origin is not None and self.origins and origin not in self.origins:
            return 403, f"Origin {origin} is not allowed; pass --cors-origin {origin}"
        pair = credentials(scope)
        if pair is None or not self.accounts.verify(*pair):
            return 401, "Unauthorized access: pass ?authorization=BASE64(user:password)"
        return None

    def note(self, scope: Scope, status: int) -> None:
        """The upgrade in the request journal, its credentials never."""
        if not self.journal:
            return
        self.state.journal.record(
            {
                "method": "GET",
                "path": scope["path"],
                "query": redacted(scope["query_string"].decode("latin-1"), SECRET_QUERY),
                "auth": credentials(scope) is not None,
                "user": (credentials(scope) or (None,))[0],
                "status": status,
            }
        )

    async def serve(self, socket: WebSocket) -> None:
        await socket.accept()
        registry = devices.current(self.state)
        seen = (registry["epoch"], registry["seq"])
        async with anyio.create_task_group() as tasks:

            async def answer_requests() -> None:
                try:
                    while True:
                        request = await socket.receive_text()
                        if _code_of(request) == "FETCH_DEVICES":
                            listed = device_registry.listed(devices.current(self.state))
                            await socket.send_text(frame("LIST_DEVICES", LIST_MESSAGE, listed))
                except WebSocketDisconnect:
                    pass
                tasks.cancel_scope.cancel()

            async def send_events() -> None:
                try:
                    await watch()
                except (WebSocketDisconnect, OSError, RuntimeError):  # the client is gone
                    tasks.cancel_scope.cancel()

            async def watch() -> None:
                nonlocal seen
                version = self.state.version
                while True:
                    await anyio.sleep(WATCH_INTERVAL)
                    if self.state.version == version:
                        continue
                    version = self.state.version
                    registry = devices.current(self.state)
                    if registry["epoch"] != seen[0]:  # reset: another history, the whole list
                        listed = device_registry.listed(registry)
                        await socket.send_text(frame("LIST_DEVICES", LIST_MESSAGE, listed))
                    for event in device_registry.frames_after(registry, *seen):
                        await socket.send_text(json.dumps(event))
                    seen = (registry["epoch"], registry["seq"])

            tasks.start_soon(answer_requests)
            tasks.start_soon(send_events)


def _code_of(text: str) -> str | None:
    try:
        message = json.loads(text)
    except ValueError:
        return None
    return message.get("code") if isinstance(message, dict) else None


async def refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """An HTTP answer to the upgrade, in the envelope, where the server can send one; else a close (403)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    body = envelope.encode(envelope.error(str(status), message))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 401:
        headers.append((b"www-authenticate", b'Basic realm="wamock", charset="UTF-8"'))
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
