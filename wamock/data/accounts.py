"""Credentials as people write them: accounts (`USER:PASSWORD`, and upstream's `u1:p1,u2:p2`; the
page's default), bearer tokens, API keys (`[NAME=]VALUE`)."""

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


def parse_token(text: str) -> str:
    """A bearer token as `--token` takes it: non-empty, no space around it (none survives after `Bearer `)."""
    if not text or text != text.strip():
        raise AccountError("--token: a token is non-empty text with no space around it")
    return text


def split_api_key(text: str, names: set[str]) -> tuple[str | None, str]:
    """`[NAME=]VALUE` as (NAME, VALUE): NAME only where the text before the first `=` is one of
    `names` (an apiKey scheme or its parameter); otherwise the whole text is the key, `=`s and
    all (base64 padding); a leading `=` says "no name" outright."""
    name, equals, value = text.partition("=")
    if equals and name in names:
        named = (name, value)
    elif equals and not name:
        named = (None, value)
    else:
        named = (None, text)
    if not named[1]:
        raise AccountError(f"--api-key {text!r}: the key is empty; expected [NAME=]VALUE")
    return named
