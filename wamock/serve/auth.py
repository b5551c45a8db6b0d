"""Every security scheme a document names, checked by the mock.

connexion judges each operation's security as OpenAPI defines it: any one requirement of the
list suffices, every scheme of a requirement must pass, and `security: []` or a `{}`
requirement is open. For each credential it finds, it calls the function the scheme names
(its documented extension points `x-basicInfoFunc`, `x-bearerInfoFunc`, `x-apikeyInfoFunc`).
`with_checks` gives connexion its own copy of the document in which every scheme names
wamock's functions, and nothing the document's author named (a function to import, a URL to
call):

- HTTP Basic: wamock's accounts (`--auth`).
- HTTP bearer, OAuth2 and OpenID Connect: a bearer token in Authorization; any non-empty one,
  or only a `--token`. OAuth2 and OpenID Connect are given to connexion as bearer schemes:
  its OAuth2 handler drops a requirement that combines two OAuth2 schemes and judges scopes
  that a token given to a mock does not carry, and it has none for OpenID Connect.
- apiKey in a header, query or cookie: any non-empty key, or only an `--api-key` for it.
- Any other HTTP scheme (Digest, ...): Authorization naming that scheme, with any credentials.
- mutualTLS: not asked (the mock speaks plain HTTP).

A missing or refused credential gets 401 with the challenges of the operation's schemes
(`challenge`), the configuration travelling in the ASGI scope (`AccountsMiddleware`).
"""

import copy
import hmac
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.adapters.connexion import routed_operation_id, share_routing
from wamock.data.accounts import AccountError, parse_account, split_api_key
from wamock.data.operations import operations
from wamock.data.security import Scheme, schemes_of
from wamock.data.spec import resolved

REALM = "wamock"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'  # a 401 of an operation that names no scheme
BEARER_CHALLENGE = f'Bearer realm="{REALM}"'
SCOPE_KEY = "wamock.accounts"
# What connexion would resolve and call, or fetch, from a scheme: never the document's choice.
CONNEXION_KEYS = (
    "x-basicInfoFunc",
    "x-bearerInfoFunc",
    "x-apikeyInfoFunc",
    "x-tokenInfoFunc",
    "x-tokenInfoUrl",
    "x-scopeValidateFunc",
)


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


class Secrets:
    """Tokens or keys: any non-empty one where none is configured, else only those, compared in constant time."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values = [value.encode() for value in values]

    def accepts(self, given: bytes) -> bool:
        if not given:
            return False
        if not self._values:
            return True
        matched = False
        for known in self._values:
            matched |= hmac.compare_digest(given, known)
        return matched


def scheme_challenge(scheme: Scheme) -> str:
    if scheme.kind == "basic":
        return CHALLENGE
    if scheme.kind == "bearer":
        return BEARER_CHALLENGE
    if scheme.kind == "apiKey":
        # No standard challenge names an API key: this one says where the key goes.
        return f'APIKey realm="{REALM}", in="{scheme.place}", name="{quoted(scheme.name)}"'
    return f'{scheme.name} realm="{REALM}"'


def quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class Security:
    """What the served document's schemes accept, and the challenge of each operation's 401."""

    def __init__(self, spec: dict, *, tokens: Iterable[str] = (), api_keys: Iterable[str] = ()) -> None:
        self.schemes = schemes_of(spec)
        self.tokens = Secrets(tokens)
        keyed = {name: scheme for name, scheme in self.schemes.items() if scheme.kind == "apiKey"}
        names = set(keyed) | {scheme.name for scheme in keyed.values()}
        given = [split_api_key(text, names) for text in api_keys]
        # A key named for a scheme (or its parameter) is that scheme's; an unnamed one, every scheme's.
        self.api_keys = {
            name: Secrets(value for named, value in given if named in (None, name, scheme.name))
            for name, scheme in keyed.items()
        }
        self.challenges = {key: self._challenge(op.security) for key, op in operations(spec).items() if op.security}

    def _challenge(self, security) -> str | None:
        challenges = []
        for requirement in security:
            for name in requirement:
                scheme = self.schemes.get(name)
                if scheme is not None and scheme.kind != "none" and scheme_challenge(scheme) not in challenges:
                    challenges.append(scheme_challenge(scheme))
        return ", ".join(challenges) or None

    def api_key(self, scheme_name: str, given: str) -> bool:
        scheme = self.schemes[scheme_name]
        if scheme.kind == "http":
            word, _, credentials = given.partition(" ")
            return word.lower() == scheme.name.lower() and bool(credentials.strip())
        # Starlette decodes a query as UTF-8 and headers (cookies) as latin-1: back to the client's bytes.
        raw = given.encode("utf-8" if scheme.place == "query" else "latin-1")
        return self.api_keys[scheme_name].accepts(raw)

    def secret_query_names(self) -> frozenset[str]:
        """The query parameters that carry a key: never journaled or logged."""
        return frozenset(s.name for s in self.schemes.values() if s.kind == "apiKey" and s.place == "query")

    def api_key_headers(self) -> list[str]:
        """The headers an API key goes in, as the document names them (a browser's CORS must allow them)."""
        return sorted({s.name for s in self.schemes.values() if s.kind == "apiKey" and s.place == "header"})

    def credential_headers(self) -> frozenset[str]:
        """The request headers that carry a credential, lowercase (Authorization always)."""
        names = {"authorization"}
        for scheme in self.schemes.values():
            if scheme.kind == "apiKey" and scheme.place != "query":
                names.add("cookie" if scheme.place == "cookie" else scheme.name.lower())
        return frozenset(names)


def challenge(scope: Scope, operation: str | None = None) -> str:
    """The `WWW-Authenticate` of a 401: the challenges of the operation's schemes (the one
    connexion routed the request to, else `operation`), else Basic's."""
    security = scope.get(SCOPE_KEY, {}).get("security")
    operation = routed_operation_id(scope) or operation
    found = security.challenges.get(operation) if security is not None else None
    return found or CHALLENGE


def api_basic_info(username: str, password: str, request) -> dict | None:
    return _checked(request.scope[SCOPE_KEY]["api"], username, password)


def control_basic_info(username: str, password: str, request) -> dict | None:
    return _checked(request.scope[SCOPE_KEY]["control"], username, password)


def _checked(accounts: Accounts, username: str, password: str) -> dict | None:
    return {"sub": username} if accounts.verify(username, password) else None


def bearer_info(token: str, request) -> dict | None:
    return {"sub": "bearer"} if request.scope[SCOPE_KEY]["security"].tokens.accepts(token.encode("latin-1")) else None


class KeyChecks:
    """`api_key_info.scheme_<hex of a scheme's name>`: that scheme's check, as connexion resolves a
    dotted name (module, object, attribute). connexion tells an apiKey function only the key, so
    the name of the function is what says which scheme the key is for."""

    PREFIX = "scheme_"

    @classmethod
    def name_for(cls, scheme_name: str) -> str:
        return f"{__name__}.api_key_info.{cls.PREFIX}{scheme_name.encode().hex()}"

    def __getattr__(self, attribute: str):
        if not attribute.startswith(self.PREFIX):
            raise AttributeError(attribute)
        try:
            scheme_name = bytes.fromhex(attribute.removeprefix(self.PREFIX)).decode()
        except ValueError:
            raise AttributeError(attribute) from None

        def check(api_key: str, request) -> dict | None:
            accepted = request.scope[SCOPE_KEY]["security"].api_key(scheme_name, api_key)
            return {"sub": scheme_name} if accepted else None

        return check


api_key_info = KeyChecks()


def with_checks(spec: dict) -> dict:
    """connexion's copy of the document: each scheme checked by this module's functions."""
    spec = copy.deepcopy(spec)
    declared = (spec.get("components") or {}).get("securitySchemes") or {}
    schemes = schemes_of(spec)
    for name in declared:
        scheme = schemes.get(name)
        if scheme is None:  # a shape connexion refuses as not valid OpenAPI; nothing of it is called
            found = resolved(spec, declared[name])
            if isinstance(found, dict):
                declared[name] = {key: value for key, value in found.items() if key not in CONNEXION_KEYS}
        elif scheme.kind == "basic":
            declared[name] = {"type": "http", "scheme": "basic", "x-basicInfoFunc": f"{__name__}.api_basic_info"}
        elif scheme.kind == "bearer":
            declared[name] = {"type": "http", "scheme": "bearer", "x-bearerInfoFunc": f"{__name__}.bearer_info"}
        elif scheme.kind in ("apiKey", "http"):
            place = {
                "type": "apiKey",
                "in": scheme.place,
                "name": scheme.name if scheme.kind == "apiKey" else "Authorization",
            }
            declared[name] = {**place, "x-apikeyInfoFunc": KeyChecks.name_for(name)}
    unasked = {name for name, scheme in schemes.items() if scheme.kind == "none"}
    if unasked:
        for name in unasked:
            del declared[name]
        for requirements in security_lists(spec):
            requirements[:] = [{k: v for k, v in r.items() if k not in unasked} for r in requirements]
    return spec


def security_lists(spec: dict) -> list[list]:
    """Every `security` list of the document (its own and its operations'), to change in place."""
    found = [spec["security"]] if isinstance(spec.get("security"), list) else []
    for path_item in (spec.get("paths") or {}).values():
        path_item = resolved(spec, path_item)
        for operation in path_item.values() if isinstance(path_item, dict) else ():
            if isinstance(operation, dict) and isinstance(operation.get("security"), list):
                found.append(operation["security"])
    return found


def with_accounts(spec: dict, function: str) -> dict:
    """The spec with each Basic scheme checked by `function` (a dotted name of this module): the control API's."""
    spec = copy.deepcopy(spec)
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
            scheme["x-basicInfoFunc"] = f"{__name__}.{function}"
    return spec


class AccountsMiddleware:
    """Puts what the schemes accept where the check functions find it: the request's scope."""

    def __init__(self, app: ASGIApp, *, api: Accounts, control: Accounts, security: Security | None = None) -> None:
        self.app = app
        self.accounts = {"api": api, "control": control, "security": security}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.accounts
        share_routing(scope)  # so that a 401 knows its operation's schemes (`challenge`)
        await self.app(scope, receive, send)
