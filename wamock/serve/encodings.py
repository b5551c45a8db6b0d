"""Form and multipart bodies where an operation lists only JSON, read as GOWA's framework reads them.

GOWA binds a request body by its Content-Type (gin's `ShouldBind`, fiber's `Bind().Body`):
JSON, a urlencoded form and multipart form data alike, whatever its document lists. Its older
dashboard sends forms (leaving a group), which connexion refuses with 415 where the document
lists only `application/json`. Here such a body becomes the JSON the document describes: each
field typed by the body schema's property (an integer, a number, a boolean as Go's ParseBool
reads it, a list of every value given for an array), a file as its name; then connexion
judges it as any JSON body (a value that does not fit its type is its 400). The journal entry
of the request notes "media type not in the document".
"""

import json
from collections.abc import Iterable

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.data.operations import operations
from wamock.data.spec import resolved
from wamock.serve import envelope
from wamock.serve.journal import NOTES_KEY
from wamock.serve.routes import DocumentPaths
from wamock.serve.safety import header
from wamock.serve.validation import BOUNDARY, malformed_multipart

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})  # Go's strconv.ParseBool
FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def json_only_bodies(spec: dict) -> dict[str, dict]:
    """The body schema of each operation whose request body lists only JSON media types, by key."""
    found = {}
    for key, operation in operations(spec).items():
        body = resolved(spec, operation.document.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, dict) and content and all(media.split(";")[0].endswith("json") for media in content):
            media = resolved(spec, next(iter(content.values()))) or {}
            found[key] = resolved(spec, media.get("schema")) or {} if isinstance(media, dict) else {}
    return found


def typed(value: str, schema: dict):
    """A form value as the JSON of its property's type; as given where it does not read as one."""
    kind = schema.get("type")
    if kind == "integer" and value.lstrip("-").isdigit() and value.isascii():
        return int(value)
    if kind == "number":
        try:
            return float(value) if not value.lstrip("-").isdigit() else int(value)
        except ValueError:
            return value
    if kind == "boolean":
        return True if value in TRUE else False if value in FALSE else value
    if kind in ("object", "array") and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def as_json(fields: Iterable[tuple[str, object]], schema: dict, spec: dict) -> dict:
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    values: dict[str, list] = {}
    for name, value in fields:
        text = value.filename or "" if isinstance(value, UploadFile) else str(value)
        values.setdefault(name, []).append(text)
    body = {}
    for name, given in values.items():
        declared = resolved(spec, properties.get(name)) or {}
        if declared.get("type") == "array":
            items = resolved(spec, declared.get("items")) or {}
            body[name] = [typed(text, items) for text in given]
        else:
            body[name] = typed(given[0], declared) if len(given) == 1 else given
    return body


class FormsAsJSON:
    def __init__(self, app: ASGIApp, *, spec: dict, base_path: str = "") -> None:
        self.app = app
        self.spec = spec
        self.bodies = json_only_bodies(spec)
        self.paths = DocumentPaths({key: {} for key in operations(spec)}, base_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and WebSocket scopes carry no body
            await self.app(scope, receive, send)
            return
        media_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        key = self.paths.operation(scope["method"], scope["path"])
        if media_type not in FORMS or key not in self.bodies:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        raw = await request.body()  # kept by the request: its form is read from it
        boundary = BOUNDARY.search(header(scope, b"content-type") or "")
        malformed = None
        if media_type == "multipart/form-data":
            malformed = (
                malformed_multipart(raw, b"--" + boundary.group(1).encode("latin-1")) if boundary else "no boundary"
            )
        try:
            fields = [] if malformed else (await request.form()).multi_items()
        except MultiPartException as exc:
            malformed = exc.message
        if malformed:
            await envelope.send_error(send, 400, "400", f"body: not multipart form data: {malformed}")
            return
        body = json.dumps(as_json(fields, self.bodies[key], self.spec)).encode()
        scope.get(NOTES_KEY, []).append(f"media type not in the document: {media_type}, read as JSON")
        headers = [
            (name, value) for name, value in scope["headers"] if name not in (b"content-type", b"content-length")
        ]
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        given = False

        async def receive_json() -> Message:
            nonlocal given
            if given:  # `receive` has given the form already: next comes a disconnect, when it comes
                return await receive()
            given = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, receive_json, send)
