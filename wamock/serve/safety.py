"""What keeps a web page the developer visits from driving the mock.

- DNS rebinding: a page on `evil.example` whose name is made to resolve to 127.0.0.1 calls
  the mock as if same-origin. So every request must name an allowed `Host`: `localhost` and
  its subdomains, any IP address literal (rebinding needs a name), and `--allowed-host` names
  (`*` allows any), as frontend dev servers do.
- The control API changes the mock's state. It gets no CORS unless `--control-origin` allows
  an origin; a request from another origin is refused (browsers send `Origin` on every
  cross-origin request that changes state); and a change needs `Content-Type:
  application/json`, which no page can send cross-origin without a preflight.
"""

import functools
import ipaddress

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.serve import CONTROL_PREFIX, envelope

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def header(scope: Scope, name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)


def host_name(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:3000` -> `::1`."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


MAX_JUDGED_HOSTS = 256


class HostAllowList:
    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.allowed = {name.lower().rstrip(".") for name in allowed_hosts}
        self.judged: dict[str, bool] = {}  # Host header -> allowed: parsing an address each request is slow

    def allows(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        return (
            self.any_host
            or name == "localhost"
            or name.endswith(".localhost")
            or is_ip_address(name)
            or name in self.allowed
        )

    def allows_host(self, host: str) -> bool:
        allowed = self.judged.get(host)
        if allowed is None:
            allowed = self.allows(host_name(host))
            if len(self.judged) >= MAX_JUDGED_HOSTS:
                self.judged.clear()
            self.judged[host] = allowed
        return allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = header(scope, b"host") if scope["type"] == "http" else None
        if host is not None and not self.allows_host(host):
            name = host_name(host)
            await envelope.send_error(
                send, 403, "403", f"Host {name!r} is not allowed (DNS rebinding guard); pass --allowed-host {name}"
            )
            return
        await self.app(scope, receive, send)


class ControlGuard:
    """The control API's own rules: same origin (or an allowed one), and JSON for every change."""

    def __init__(self, app: ASGIApp, *, control_origins: list[str]) -> None:
        self.app = app
        self.control_origins = set(control_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        if origin is not None and origin not in self.control_origins and not same_origin(scope, origin):
            await envelope.send_error(
                send, 403, "403", f"Origin {origin} may not use the control API; pass --control-origin {origin}"
            )
            return
        if scope["method"] in STATE_CHANGING:
            content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                await envelope.send_error(
                    send,
                    415,
                    "415",
                    f"Content-Type: {content_type or '(none)'}: the control API changes state only for application/json",
                )
                return
        await self.app(scope, receive, send)


def same_origin(scope: Scope, origin: str) -> bool:
    """An Origin of the page the mock itself served (its Swagger UI, say): scheme://Host."""
    host = header(scope, b"host")
    return host is not None and origin.lower() in (f"http://{host}".lower(), f"https://{host}".lower())


class PathCORS:
    """CORS for the API as configured; for the control API only for --control-origin origins; for
    the published document (`published_paths`) without credentials, which it never needs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api: dict,
        control: dict | None,
        published: dict | None = None,
        published_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.api = CORSMiddleware(app, **api)
        self.control = CORSMiddleware(app, **control) if control else app
        self.published = CORSMiddleware(app, **published) if published else app
        self.published_paths = frozenset(published_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROL_PREFIX):
            await self.control(scope, receive, send)
        elif scope["type"] == "http" and scope["path"] in self.published_paths:
            await self.published(scope, receive, send)
        elif scope["type"] == "http" and header(scope, b"origin") is None:
            # Not a browser's cross-origin request: only the Vary that Starlette's CORS would add,
            # without its per-request header objects.
            await self.app(scope, receive, functools.partial(send_varying_by_origin, send))
        else:
            await self.api(scope, receive, send)


async def send_varying_by_origin(send: Send, message: Message) -> None:
    """What Starlette 1.x's CORSMiddleware sends for a request without Origin: `Vary` joined with `Origin`."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", []))
        varies = [value.decode("latin-1") for name, value in headers if name.lower() == b"vary"]
        kept = [(name, value) for name, value in headers if name.lower() != b"vary"]
        message["headers"] = [*kept, (b"vary", ", ".join([*varies, "Origin"]).encode("latin-1"))]
    await send(message)
