"""GET /chats past the answer cache, without connexion's per-request chain.

connexion stays the judge of what is valid: the fast path answers only a request that it can
prove valid with the spec's own rules, compiled once (types, bounds, defaults, the security
scheme), and that connexion would answer with the same handler. Anything else (a value it
cannot decide, a parameter given twice, credentials it has not verified, `Prefer`, a browser's
`Origin`) goes on to CORS and connexion unchanged, which answers or refuses it as always. tests/serve/test_fast_path.py
shows, for generated requests valid and invalid, with and without credentials, that both paths
give the same status, headers and body.
"""

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.data.query import INTEGER
from wamock.data.spec import LIST_CHATS, list_chats_operation, lists_chats, resolved
from wamock.serve import chat_list
from wamock.serve.auth import SCOPE_KEY as ACCOUNTS_KEY
from wamock.serve.scenarios import SCOPE_KEY as PREFER_KEY
from wamock.serve.state import SCOPE_KEY as STATE_KEY

MAX_VERIFIED = 1024  # Authorization headers remembered as accepted
PLAIN_STRING = {"type", "description", "example", "default"}  # a string schema with no rule to check
HANDLER_ARGUMENTS = {"limit", "offset", "has_media", "search", "archived", "device_id"}


@dataclass(frozen=True)
class Rule:
    """One query parameter of GET /chats as the spec declares it."""

    name: str
    kind: str  # "integer", "boolean" or "string"
    default: object = None
    minimum: int | None = None
    maximum: int | None = None

    def value(self, raw: str):
        """The parsed value, or ValueError where connexion must judge."""
        if self.kind == "integer":
            if not INTEGER.fullmatch(raw):
                raise ValueError(raw)
            number = int(raw)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                raise ValueError(raw)
            return number
        if self.kind == "boolean":
            lowered = raw.lower()  # as connexion.utils.boolean reads it
            if lowered == "true":
                return True
            if lowered == "false":
                return False
            raise ValueError(raw)
        return raw


@dataclass(frozen=True)
class Compiled:
    rules: dict[str, Rule]
    basic: bool  # the operation asks for HTTP Basic credentials


def compiled(spec: dict) -> Compiled | None:
    """GET /chats' rules, or None if it has any the fast path does not know (it then stays off)."""
    if not lists_chats(spec):
        return None
    operation = list_chats_operation(spec)
    rules = {}
    for parameter in operation.get("parameters", []):
        parameter = resolved(spec, parameter)
        schema = resolved(spec, parameter.get("schema") or {})
        where, name = parameter.get("in"), parameter.get("name")
        if where == "header" and name.lower() == "x-device-id" and set(schema) <= PLAIN_STRING:
            continue  # read by the handler as connexion passes it: the raw header
        if where != "query" or name not in HANDLER_ARGUMENTS or parameter.get("required"):
            return None
        kind = schema.get("type")
        known = {"integer": PLAIN_STRING | {"minimum", "maximum", "format"}, "boolean": PLAIN_STRING}
        if kind not in ("integer", "boolean", "string") or not set(schema) <= known.get(kind, PLAIN_STRING):
            return None
        if schema.get("format") not in (None, "int32", "int64"):
            return None
        rules[name] = Rule(name, kind, schema.get("default"), schema.get("minimum"), schema.get("maximum"))
    if not {"limit", "offset"} <= set(rules) or rules["limit"].default is None or rules["offset"].default is None:
        return None
    security = operation.get("security", spec.get("security") or [])
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    if not security:
        return Compiled(rules, basic=False)
    if len(security) != 1 or len(security[0]) != 1:
        return None
    scheme = schemes.get(next(iter(security[0])), {})
    if scheme.get("type") != "http" or scheme.get("scheme", "").lower() != "basic":
        return None
    return Compiled(rules, basic=True)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query as Starlette reads it (`parse_qsl(..., keep_blank_values=True)`), without its
    cost where nothing is escaped."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    return [(name, value) for name, _, value in (part.partition("=") for part in query.split("&") if part)]


class FastChatsPath:
    def __init__(self, app: ASGIApp, *, rules: Compiled) -> None:
        self.app = app
        self.path, _ = LIST_CHATS
        self.rules = rules.rules
        self.basic = rules.basic
        self.verified: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path or PREFER_KEY in scope:
            await self.app(scope, receive, send)
            return
        authorization = device = None
        prefer = False  # or anything else only connexion's path answers
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value
            elif name == b"x-device-id" and device is None:
                device = value.decode("latin-1")
            elif name in (b"prefer", b"origin"):
                prefer = True  # a status chosen after the credentials, or a browser's CORS: connexion's path
        arguments = None if prefer else self.arguments(scope["query_string"])
        if arguments is None or (self.basic and not self.verify(authorization, scope)):
            await self.app(scope, receive, send)
            return
        status, body = chat_list.page(scope[STATE_KEY], **arguments, device_header=device)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                # As CORS answers a request without Origin (pinned in tests/serve/test_cors.py).
                "headers": [
                    (b"content-length", b"%d" % len(body)),
                    (b"content-type", b"application/json"),
                    (b"vary", b"Origin"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def arguments(self, query_string: bytes) -> dict | None:
        """The handler's arguments, defaults applied; None where connexion must judge."""
        given: dict[str, str] = {}
        for name, raw in query_pairs(query_string.decode("latin-1")):
            if name in self.rules:
                if name in given:
                    return None  # given twice: connexion refuses it, naming it
                given[name] = raw
        arguments = {}
        try:
            for name, rule in self.rules.items():
                arguments[name] = rule.value(given[name]) if name in given else rule.default
        except ValueError:
            return None
        return arguments

    def verify(self, authorization: bytes | None, scope: Scope) -> bool:
        """Credentials connexion would accept: `Basic` and strict base64 of USER:PASSWORD of an account."""
        if not authorization:
            return False
        if authorization in self.verified:
            return True
        scheme, _, encoded = authorization.partition(b" ")
        if scheme != b"Basic":
            return False
        try:
            user, colon, password = base64.b64decode(encoded, validate=True).decode("latin-1").partition(":")
        except (binascii.Error, ValueError):
            return False
        if not colon or not scope[ACCOUNTS_KEY]["api"].verify(user, password):
            return False  # connexion's path answers it, with its 401
        if len(self.verified) >= MAX_VERIFIED:
            self.verified.clear()
        self.verified.add(authorization)  # only accepted ones: a refused header is checked in constant time each time
        return True
