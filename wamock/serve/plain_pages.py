"""GET /chats past the answer cache, without connexion's per-request chain.

connexion stays the judge of what is valid: the fast path answers only a request that it can
prove valid with the spec's own rules, compiled once (types, bounds, defaults, the security
scheme), and that connexion would answer with the same handler. Anything else (a value it
cannot decide, a parameter given twice, credentials it has not verified, `Prefer`, a browser's
`Origin`) goes on to CORS and connexion unchanged, which answers or refuses it as always. tests/serve/test_plain_pages.py
shows, for generated requests valid and invalid, with and without credentials, that both paths
give the same status, headers and body.
"""

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.data.collections import Collection
from wamock.data.facts import DocumentFacts
from wamock.data.operations import CHAT_LIST, Invalid, Parameter
from wamock.serve import chat_list
from wamock.serve.auth import SCOPE_KEY as ACCOUNTS_KEY
from wamock.serve.scenarios import SCOPE_KEY as PREFER_KEY
from wamock.serve.state import SCOPE_KEY as STATE_KEY

MAX_VERIFIED = 1024  # Authorization headers remembered as accepted
# The schema keywords whose rules `Parameter.read` applies, by type; a parameter with any other
# rule (a pattern, a length) is connexion's alone to judge, and the fast path stays off.
ANNOTATIONS = {"type", "description", "example", "default"}
READ_RULES = {
    "integer": ANNOTATIONS | {"minimum", "maximum", "format", "enum"},
    "boolean": ANNOTATIONS,
    "string": ANNOTATIONS | {"enum"},
}
DEVICE_ARGUMENT = "device_id"  # read by the handler beside the collection's parameters


@dataclass(frozen=True)
class Compiled:
    facts: DocumentFacts
    chats: Collection
    rules: dict[str, Parameter]  # the query parameters, by name
    basic: bool  # the operation asks for HTTP Basic credentials


def compiled(facts: DocumentFacts) -> Compiled | None:
    """GET /chats' rules, or None if it has any the fast path does not know (it then stays off)."""
    spec, chats = facts.spec, facts.collections.get(CHAT_LIST)
    if chats is None:
        return None
    chat_list_operation = chats.operation
    rules = {}
    for parameter in chat_list_operation.parameters:
        if parameter.location == "header" and parameter.name.lower() == "x-device-id":
            if set(parameter.schema) <= ANNOTATIONS:
                continue  # read by the handler as connexion passes it: the raw header
            return None
        handled = (*chats.parameters, DEVICE_ARGUMENT)
        if parameter.location != "query" or parameter.name not in handled or parameter.required:
            return None
        if parameter.kind not in READ_RULES or not set(parameter.schema) <= READ_RULES[parameter.kind]:
            return None
        if parameter.schema.get("format") not in (None, "int32", "int64"):
            return None
        rules[parameter.name] = parameter
    if any(paging.default is None for paging in (chats.paging.size, chats.paging.start)):
        return None
    security = chat_list_operation.security
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    if not security:
        return Compiled(facts, chats, rules, basic=False)
    if len(security) != 1 or len(security[0]) != 1:
        return None
    scheme = schemes.get(next(iter(security[0])), {})
    if scheme.get("type") != "http" or scheme.get("scheme", "").lower() != "basic":
        return None
    return Compiled(facts, chats, rules, basic=True)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query as Starlette reads it (`parse_qsl(..., keep_blank_values=True)`), without its
    cost where nothing is escaped."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    return [(name, value) for name, _, value in (part.partition("=") for part in query.split("&") if part)]


class FastChatsPath:
    def __init__(self, app: ASGIApp, *, rules: Compiled) -> None:
        self.app = app
        self.texts = rules.facts.texts
        self.chats = rules.chats
        self.path = rules.chats.operation.path
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
        device_id = arguments.pop(DEVICE_ARGUMENT, None)
        status, body = chat_list.page(
            scope[STATE_KEY], self.texts, self.chats, arguments, device_header=device, device_id=device_id
        )
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
                arguments[name] = rule.read(given[name]) if name in given else rule.default
        except Invalid:
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
