"""The running mock's state, and how a handler reaches the state of the app serving it.

Each app carries its own state in the ASGI scope, so that several apps (tests, workers with
different data) can live in one process.
"""

from dataclasses import dataclass

from connexion import context
from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.store import ChatStore

SCOPE_KEY = "wamock.state"


@dataclass
class MockState:
    store: ChatStore
    logged_out: bool = False


class StateMiddleware:
    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.state
        await self.app(scope, receive, send)


def current() -> MockState:
    return context.scope[SCOPE_KEY]
