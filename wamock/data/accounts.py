"""Accounts as people write them: `USER:PASSWORD`, and upstream's `u1:p1,u2:p2`; the page's default."""

DEFAULT_ACCOUNT = "username:password"
ENV_VAR = "WAMOCK_AUTH"


class AccountError(ValueError):
    """An account given on the command line or in WAMOCK_AUTH is not USER:PASSWORD."""


def parse_account(spec: str, *, what: str = "account") -> tuple[str, str]:
    """(user, password); the password may hold colons. AccountError names the user, never the password."""
    user, colon, password = spec.partition(":")
    if not colon:
        raise AccountError(f"{what} {user!r}: expected USER:PASSWORD")
    if not user:
        raise AccountError(f"{what}: the user name before the colon is empty; expected USER:PASSWORD")
    return user, password


def split_env(value: str) -> list[str]:
    """`u1:p1,u2:p2`, as upstream takes its accounts."""
    return [part for part in value.split(",") if part]
