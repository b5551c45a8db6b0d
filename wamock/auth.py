"""HTTP Basic accounts: parsing `user:pass` lists and checking credentials in constant time."""

import hmac
from collections.abc import Iterable

from connexion.security import BasicSecurityHandler

DEFAULT_ACCOUNT = "username:password"
ENV_VAR = "WAMOCK_AUTH"
REALM = "wamock"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'  # on every 401, whatever produced it


class AccountError(ValueError):
    """An account given on the command line or in WAMOCK_AUTH is not USER:PASSWORD."""


class Accounts:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = [(user.encode(), password.encode()) for user, password in pairs]
        if not self._pairs:
            raise AccountError("no accounts: give at least one USER:PASSWORD")

    @classmethod
    def parse(cls, specs: Iterable[str]) -> "Accounts":
        pairs = []
        for spec in specs:
            user, colon, password = spec.partition(":")
            if not colon or not user:
                raise AccountError(f"account {spec.split(':')[0]!r}: expected USER:PASSWORD")
            pairs.append((user, password))
        return cls(pairs)

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


def split_env(value: str) -> list[str]:
    """`u1:p1,u2:p2`, as upstream takes its accounts."""
    return [part for part in value.split(",") if part]


def security_handler(accounts: Accounts, control_accounts: Accounts | None = None) -> type[BasicSecurityHandler]:
    """connexion's Basic handler, checking these accounts instead of an x-basicInfoFunc.

    A scheme marked `x-wamock-accounts: control` (the control API's) checks `control_accounts`.
    """

    def checker(known: Accounts):
        def basic_info(username: str, password: str) -> dict | None:
            return {"sub": username} if known.verify(username, password) else None

        return basic_info

    by_role = {"api": checker(accounts), "control": checker(control_accounts or accounts)}

    class AccountsBasicHandler(BasicSecurityHandler):
        def _resolve_func(self, security_scheme):
            return by_role[security_scheme.get("x-wamock-accounts", "api")]

    return AccountsBasicHandler
