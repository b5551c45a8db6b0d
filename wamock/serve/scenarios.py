"""Scenarios a frontend asks for: a documented status, a slower answer.

Per request, with Prism's `Prefer` header: `Prefer: code=500` answers what the document
gives for that status of the operation (its example, or one built from its schema);
`Prefer: delay=300` answers 300 ms later; both may be given (`Prefer: code=401, delay=1000`).
Server-wide, `--delay MS` slows every API answer. A `Prefer` that wamock cannot honour gets a
400 envelope that says why.

The status is applied after the credentials are checked, so a request without them still
gets 401: a mock must not hide an auth bug.
"""

import asyncio
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.adapters.connexion import routed_operation_id
from wamock.data.examples import Answer
from wamock.serve import CONTROL_PREFIX, envelope
from wamock.serve.auth import challenge
from wamock.serve.routes import response_of

MAX_DELAY_MS = 30_000
SCOPE_KEY = "wamock.prefer"


class PreferError(ValueError):
    """A Prefer header wamock cannot honour; the message says why."""


@dataclass(frozen=True)
class Preference:
    code: int | None = None
    delay_ms: int = 0


def is_digits(text: str) -> bool:
    # str.isdigit() also takes "³" and "٣", which int() then refuses.
    return text.isascii() and text.isdigit()


def parse_prefer(header: str) -> Preference:
    code, delay = None, 0
    for item in filter(None, (part.strip() for part in header.split(","))):
        name, _, value = item.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name == "code":
            if not is_digits(value) or not 100 <= int(value) <= 599:
                raise PreferError(f"Prefer: code={value}: must be an HTTP status, 100 to 599")
            code = int(value)
        elif name == "delay":
            if not is_digits(value) or int(value) > MAX_DELAY_MS:
                raise PreferError(
                    f"Prefer: delay={value}: must be a whole number of milliseconds from 0 to {MAX_DELAY_MS}"
                )
            delay = int(value)
        else:
            raise PreferError(f"Prefer: {item}: not supported; wamock honours code=STATUS and delay=MS")
    return Preference(code=code, delay_ms=delay)


class DelayAndPreferMiddleware:
    """Outside the exception handlers: reads Prefer and delays the answer.

    A Prefer wamock cannot honour is only noted here: PreferredStatusMiddleware refuses it
    after the credentials are checked, so that a request without them still gets 401.
    """

    def __init__(self, app: ASGIApp, *, delay_ms: int = 0) -> None:
        self.app = app
        self.delay_ms = delay_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        preference = Preference()
        for name, value in scope["headers"]:
            if name == b"prefer":
                try:
                    preference = parse_prefer(value.decode("latin-1"))
                except PreferError as exc:
                    scope[SCOPE_KEY] = exc
                    preference = Preference()
                    break
        delay = preference.delay_ms or self.delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        if preference.code is not None:
            scope[SCOPE_KEY] = preference
        await self.app(scope, receive, send)


class PreferredStatusMiddleware:
    """After the security check: refuses a bad Prefer, or answers what the document gives for the preferred status."""

    def __init__(self, app: ASGIApp, *, answers: dict[str, dict[int, Answer]]) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        preference = scope.get(SCOPE_KEY)
        if isinstance(preference, PreferError):
            await envelope.send_error(send, 400, "400", str(preference))
            return
        if preference is not None and preference.code != 200:
            operation = routed_operation_id(scope)
            answers = self.answers.get(operation, {})
            answer = answers.get(preference.code)
            if answer is None:
                known = ", ".join(map(str, sorted(answers)))
                message = f"Prefer: code={preference.code}: {operation} documents an answer only for {known}"
                await envelope.send_error(send, 400, "400", message)
                return
            # A 401 carries the challenges of the operation's schemes, whatever produced it.
            headers = {"WWW-Authenticate": challenge(scope, operation)} if preference.code == 401 else None
            await response_of(answer, headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)
