"""HTTP Basic for the mock: checking credentials against the configured accounts, in constant time.

connexion calls the function a security scheme names in `x-basicInfoFunc` (its documented
extension point), with the request; `with_accounts` names these functions in the spec as
served, and the accounts travel in the ASGI scope (`AccountsMiddleware`).
"""

import copy
import hmac
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.data.accounts import AccountError, parse_account

REALM = "wamock"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'  # on every 401, whatever produced it
SCOPE_KEY = "wamock.accounts"


class Accounts:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = [(user.encode(), password.encode()) for user, password in pairs]
        if not self._pairs:
            raise AccountError("no accounts: give at least one USER:PASSWORD")

    @classmethod
    def parse(cls, specs: Iterable[str]) -> "Accounts":
        return cls(parse_account(spec) for spec in specs)

    @property
    def users(self) -> list[str]:
        return [user.decode() for user, _ in self._pairs]

    def verify(self, user: str, password: str) -> bool:
        # connexion decodes the header as latin-1; encoding back gives the client's raw bytes,
        # so UTF-8 credentials compare as the client sent them.
        given_user, given_password = user.encode("latin-1"), password.encode("latin-1")
        matched = False
        for known_user, known_password in self._pairs:
            # Both comparisons run for every account: no early exit reveals which part was wrong.
            user_ok = hmac.compare_digest(given_user, known_user)
            password_ok = hmac.compare_digest(given_password, known_password)
            matched |= user_ok & password_ok
        return matched


def api_basic_info(username: str, password: str, request) -> dict | None:
    return _checked(request.scope[SCOPE_KEY]["api"], username, password)


def control_basic_info(username: str, password: str, request) -> dict | None:
    return _checked(request.scope[SCOPE_KEY]["control"], username, password)


def _checked(accounts: Accounts, username: str, password: str) -> dict | None:
    return {"sub": username} if accounts.verify(username, password) else None


def with_accounts(spec: dict, function: str) -> dict:
    """The spec with each Basic scheme checked by `function` (a dotted name of this module)."""
    spec = copy.deepcopy(spec)
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
            scheme["x-basicInfoFunc"] = f"{__name__}.{function}"
    return spec


class AccountsMiddleware:
    """Puts the accounts where the basic-info functions find them: the request's scope."""

    def __init__(self, app: ASGIApp, *, api: Accounts, control: Accounts) -> None:
        self.app = app
        self.accounts = {"api": api, "control": control}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.accounts
        await self.app(scope, receive, send)
