"""The app factory: connexion serving spec/openapi.yaml with wamock's handlers, auth and errors."""

from pathlib import Path

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition
from connexion.resolver import RelativeResolver

from wamock import errors, fixtures
from wamock import spec as spec_module
from wamock.auth import DEFAULT_ACCOUNT, Accounts, security_handler
from wamock.paths import DEFAULT_FIXTURES, SPEC_FILE
from wamock.state import MockState, StateMiddleware
from wamock.store import ChatStore
from wamock.validation import NamingParameterValidator


def create_app(
    *,
    spec_file: Path = SPEC_FILE,
    fixtures_file: Path = DEFAULT_FIXTURES,
    chats: list[dict] | None = None,
    accounts: Accounts | None = None,
    logged_out: bool = False,
) -> AsyncApp:
    """`chats`, when given, are served instead of `fixtures_file`'s."""
    spec_file = Path(spec_file)
    spec = spec_module.load(spec_file)
    if chats is None:
        chats = fixtures.load_chats(fixtures_file, spec)
    state = MockState(store=ChatStore(chats), logged_out=logged_out)

    app = AsyncApp(
        __name__,
        specification_dir=spec_file.parent,
        security_map={"basic": security_handler(accounts or Accounts.parse([DEFAULT_ACCOUNT]))},
        validator_map={"parameter": NamingParameterValidator},
    )
    app.add_api(spec_file.name, resolver=RelativeResolver("handlers"))
    app.add_middleware(StateMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, state=state)
    errors.register(app)
    return app
