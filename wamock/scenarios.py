"""Scenarios a frontend asks for: a documented status, a slower answer.

Per request, with Prism's `Prefer` header: `Prefer: code=500` answers the example that the
spec documents for that status; `Prefer: delay=300` answers 300 ms later; both may be given
(`Prefer: code=401, delay=1000`). Server-wide, `--delay MS` slows every API answer. A
`Prefer` that wamock cannot honour gets a 400 envelope that says why.

The status is applied after the credentials are checked, so a request without them still
gets 401: a mock must not hide an auth bug.
"""

import asyncio
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from wamock import envelope

MAX_DELAY_MS = 30_000
SCOPE_KEY = "wamock.prefer"
CONTROL_PREFIX = "/__wamock"


class PreferError(ValueError):
    """A Prefer header wamock cannot honour; the message says why."""


@dataclass(frozen=True)
class Preference:
    code: int | None = None
    delay_ms: int = 0


def documented_examples(spec: dict, *, package: str) -> dict[str, dict[int, dict]]:
    """Handler (`package.operationId`, as connexion resolves it) -> status -> documented example."""
    examples: dict[str, dict[int, dict]] = {}
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for status, response in operation.get("responses", {}).items():
                example = response.get("content", {}).get("application/json", {}).get("example")
                if status.isdigit() and example is not None:
                    examples.setdefault(f"{package}.{operation['operationId']}", {})[int(status)] = example
    return examples


def parse_prefer(header: str, documented: set[int]) -> Preference:
    code, delay = None, 0
    for item in filter(None, (part.strip() for part in header.split(","))):
        name, _, value = item.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name == "code":
            if not value.isdigit() or int(value) not in documented:
                known = ", ".join(map(str, sorted(documented)))
                raise PreferError(f"Prefer: code={value}: GET /chats documents an example only for {known}")
            code = int(value)
        elif name == "delay":
            if not value.isdigit() or int(value) > MAX_DELAY_MS:
                raise PreferError(
                    f"Prefer: delay={value}: must be a whole number of milliseconds from 0 to {MAX_DELAY_MS}"
                )
            delay = int(value)
        else:
            raise PreferError(f"Prefer: {item}: not supported; wamock honours code=STATUS and delay=MS")
    return Preference(code=code, delay_ms=delay)


async def send_json(send: Send, status: int, body: dict) -> None:
    content = orjson.dumps(body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class DelayAndPreferMiddleware:
    """Outside the exception handlers: reads Prefer, rejects a bad one, delays the answer."""

    def __init__(self, app: ASGIApp, *, documented: set[int], delay_ms: int = 0) -> None:
        self.app = app
        self.documented = documented
        self.delay_ms = delay_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        preference = Preference()
        for name, value in scope["headers"]:
            if name == b"prefer":
                try:
                    preference = parse_prefer(value.decode("latin-1"), self.documented)
                except PreferError as exc:
                    await send_json(send, 400, envelope.error("400", str(exc)))
                    return
        delay = preference.delay_ms or self.delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        if preference.code is not None:
            scope[SCOPE_KEY] = preference
        await self.app(scope, receive, send)


class PreferredStatusMiddleware:
    """After the security check: answers the documented example of the preferred status."""

    def __init__(self, app: ASGIApp, *, examples: dict[str, dict[int, dict]]) -> None:
        self.app = app
        self.examples = examples

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        preference = scope.get(SCOPE_KEY)
        if preference is not None and preference.code != 200:
            operation_id = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
            example = self.examples.get(operation_id, {}).get(preference.code)
            if example is not None:
                await send_json(send, preference.code, example)
                return
        await self.app(scope, receive, send)
