"""The run's credentials, and which of them each operation is sent, by its security requirement.

`--auth USER:PASSWORD` answers an HTTP Basic scheme; `--token TOKEN` an HTTP bearer, OAuth2 or
OpenID Connect one (a bearer token); `--api-key [NAME=]VALUE` an apiKey scheme, the one named
(by scheme or parameter name) or, without NAME, any; `-H NAME:VALUE` goes with every request.
An operation is sent the first of its security requirements (alternatives) whose every scheme
(a combination) has a credential, as OpenAPI defines them; an open operation, none.
"""

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from wamock.data.operations import Operation
from wamock.data.security import Scheme, schemes_of

REFUSAL_HINT = (
    "pass credentials it accepts: --auth USER:PASSWORD, --token TOKEN, --api-key [NAME=]VALUE or -H NAME:VALUE"
)


class CredentialsError(ValueError):
    """A credential option that cannot be read: the message names it."""


@dataclass(frozen=True)
class Sent:
    """What a request carries to meet a security requirement."""

    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Credentials:
    basic: tuple[str, str]
    token: str | None = None
    api_keys: tuple[tuple[str | None, str], ...] = ()  # (scheme or parameter name, or None for any; value)
    headers: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def api_key(text: str) -> tuple[str | None, str]:
        name, equals, value = text.partition("=")
        if not equals:
            return None, text
        if not name or not value:
            raise CredentialsError(f"--api-key {text!r}: give VALUE or NAME=VALUE")
        return name, value

    @staticmethod
    def header(text: str) -> tuple[str, str]:
        name, colon, value = text.partition(":")
        if not colon or not name.strip() or name != name.strip():
            raise CredentialsError(f"-H {text!r}: give NAME:VALUE")
        return name, value.strip()

    @property
    def basic_header(self) -> str:
        return "Basic " + base64.b64encode(":".join(self.basic).encode()).decode()

    def for_scheme(self, name: str, scheme: Scheme) -> dict | None:
        """The credential for one security scheme, as Schemathesis' `auth.openapi` takes it; None
        if the run has none ({} for a scheme that asks nothing plain HTTP carries)."""
        if scheme.kind == "basic":
            return {"username": self.basic[0], "password": self.basic[1]}
        if scheme.kind == "bearer":
            return {"bearer": self.token} if self.token else None
        if scheme.kind == "apiKey":
            keys = dict(self.api_keys)
            value = keys.get(name) or keys.get(scheme.name) or keys.get(None)
            return {"api_key": value} if value else None
        return {} if scheme.kind == "none" else None

    def schemes(self, spec: dict) -> dict[str, dict]:
        """Every scheme of the document the run has a credential for, by its name."""
        found = {name: self.for_scheme(name, scheme) for name, scheme in schemes_of(spec).items()}
        return {name: credential for name, credential in found.items() if credential}

    def sent(self, spec: dict, operation: Operation) -> Sent:
        """What a request of `operation` carries: its first requirement the run can meet."""
        declared = schemes_of(spec)
        for requirement in operation.security:
            credentials = {
                name: self.for_scheme(name, declared[name]) if name in declared else None for name in requirement
            }
            if all(credential is not None for credential in credentials.values()):
                sent = Sent()
                for name, credential in credentials.items():
                    place(sent, declared[name], credential)
                return sent
        return Sent()


def place(sent: Sent, scheme: Scheme, credential: dict) -> None:
    if "username" in credential:
        user_password = f"{credential['username']}:{credential['password']}".encode()
        sent.headers["Authorization"] = "Basic " + base64.b64encode(user_password).decode()
    elif "bearer" in credential:
        sent.headers["Authorization"] = f"Bearer {credential['bearer']}"
    elif "api_key" in credential:
        where = {"header": sent.headers, "query": sent.params, "cookie": sent.cookies}[scheme.place]
        where[scheme.name] = credential["api_key"]


class SentAuth(httpx.Auth):
    """httpx's way to send what a requirement asks on every request, and none on a request
    that passes `auth=None` (the probes that send credentials of their own)."""

    def __init__(self, sent: Sent) -> None:
        self.sent = sent

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers.update(self.sent.headers)
        if self.sent.params:
            request.url = request.url.copy_merge_params(self.sent.params)
        if self.sent.cookies:
            cookies = "; ".join(f"{name}={value}" for name, value in self.sent.cookies.items())
            given = request.headers.get("cookie")
            request.headers["Cookie"] = f"{given}; {cookies}" if given else cookies
        yield request
