"""Every error in the document's own shape, instead of connexion's problem+json.

connexion and Starlette decide the status (400 from the spec, 401 from the security
scheme, 404/405 from routing, 415); these handlers give the body its documented shape (and
make a 404/405 that only a mistyped path parameter caused the 400 it is, naming it):
the response the document gives that status of the operation, else its `NXX` range, else
its `default` (`ErrorShapes`); the page's envelope where the document gives no JSON body.
`EnvelopeGuard`, outermost, answers whatever escapes them (a middleware that fails, a
request cancelled at shutdown) in the envelope too.
"""

import asyncio
import json
import logging
import re
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.adapters.connexion import routed_operation_id
from wamock.data import examples
from wamock.data.facts import DocumentFacts
from wamock.data.operations import METHODS, Invalid, operation_key, operations, template_pattern
from wamock.data.spec import resolved
from wamock.serve import auth, envelope
from wamock.serve.routes import DocumentPaths

logger = logging.getLogger("wamock")


def envelope_response(
    status: int, body, headers: dict | None = None, media_type: str = "application/json"
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype=media_type,
        content_type=media_type,
        body=envelope.encode(body),
        headers=headers or {},
    )


@dataclass(frozen=True)
class ErrorShape:
    """What the document answers one status of one operation with: a JSON body (its example, or
    one built from its schema), the schema, its fields' types, and whether the body is the
    document's own example for this very status (not its `default`'s or `NXX`'s, nor built)."""

    body: object
    schema: dict = field(repr=False)
    types: dict
    for_status: bool
    media_type: str = "application/json"  # the document's (train-travel's application/problem+json)


class ErrorShapes:
    """The document's shape of each refusal, found once per operation and status."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self._found: dict[tuple[str, int], ErrorShape | None] = {}

    def shape(self, operation: str, status: int) -> ErrorShape | None:
        if (operation, status) not in self._found:
            self._found[operation, status] = self._find(operation, status)
        return self._found[operation, status]

    def common(self, status: int) -> str | None:
        """An operation whose shape of `status` most operations of the document give (InfluxDB's
        `Error`, 194 of 197): a request that names no operation (`/buckets/labels/x`) is refused in
        it too, as the document's own operations are; None where no shape is most operations'."""
        if ("*", status) not in self._found:
            keys = [
                operation_key(method, path)
                for path, item in (self.spec.get("paths") or {}).items()
                for method in (resolved(self.spec, item) or {})
                if method in METHODS
            ]
            by_schema: dict[str, list[str]] = {}
            for key in keys:
                shape = self.shape(key, status)
                if shape is not None and not shape.for_status:  # an example for that status is that operation's own
                    by_schema.setdefault(json.dumps(shape.schema, sort_keys=True, default=str), []).append(key)
            most = max(by_schema.values(), key=len, default=[])
            self._found["*", status] = most[0] if len(most) * 2 > len(keys) else None
        return self._found["*", status]

    def media_type(self, operation: str | None, status: int) -> str:
        """The JSON media type the document gives the refusal (`application/problem+json`)."""
        shape = self.shape(operation, status) if operation else None
        return shape.media_type if shape is not None else "application/json"

    def body(self, operation: str | None, status: int, message: str):
        """The refusal's body: the document's shape of it, saying `message`; else the envelope."""
        shape = self.shape(operation, status) if operation else None
        if shape is None:
            return envelope.error(str(status), message)
        if not isinstance(shape.body, dict):
            return shape.body  # a shape with no field to say it in: as documented
        shaped = envelope.shaped_error(shape.body, status, message, shape.types, for_status=shape.for_status)
        # Whatever the schema holds the message or code to (a pattern, an enum), the body keeps it.
        if examples.fits(self.spec, shaped, shape.schema) or not examples.fits(self.spec, shape.body, shape.schema):
            return shaped
        return shape.body

    def _find(self, operation: str, status: int) -> ErrorShape | None:
        method, path = operation.split(" ", 1)
        path_item = resolved(self.spec, (self.spec.get("paths") or {}).get(path))
        documented = path_item.get(method.lower()) if isinstance(path_item, dict) else None
        responses = documented.get("responses") if isinstance(documented, dict) else None
        if not isinstance(responses, dict):
            return None
        names = (str(status), f"{status // 100}XX", f"{status // 100}xx", "default")
        name = next((name for name in names if name in responses), None)
        response = resolved(self.spec, responses[name]) if name else None
        content = response.get("content") if isinstance(response, dict) else None
        media_type = next((media for media in content or {} if media.split(";")[0].strip().endswith("json")), None)
        if media_type is None:
            return None
        media = content[media_type] or {}
        answer = examples.response_answer(self.spec, status, {"content": {media_type: media}})
        schema = resolved(self.spec, media.get("schema") or {})
        schema = schema if isinstance(schema, dict) else {}
        own_example = name == str(status) and answer.source == "example"
        return ErrorShape(answer.body, schema, self._types(schema), own_example, media_type.split(";")[0].strip())

    def _types(self, schema: dict) -> dict:
        """The JSON type the schema gives each of its fields (None: any), its `allOf`'s included."""
        types = {}
        for part in [schema, *(resolved(self.spec, part) for part in schema.get("allOf") or [])]:
            properties = part.get("properties") if isinstance(part, dict) else None
            for name, property_schema in (properties or {}).items():
                property_schema = resolved(self.spec, property_schema)
                types[name] = property_schema.get("type") if isinstance(property_schema, dict) else None
        return types


def refused_operation(request: ConnexionRequest, paths: DocumentPaths) -> str | None:
    """The document's operation a refused request was for: where connexion's routing found it,
    else found again from the method and path (a refusal before routing)."""
    routed = routed_operation_id(request.scope)
    if routed in paths.keys:
        return routed
    return paths.operation(request.method, request.url.path)


def problem_handler(facts: DocumentFacts, paths: DocumentPaths, shapes: ErrorShapes):
    def problem(request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
        operation = refused_operation(request, paths)
        if exc.status == 401:
            # The document's own words for refused credentials, where it gives them for this operation.
            shape = shapes.shape(operation, 401) if operation else None
            given = shape.body.get("message") if shape and shape.for_status and isinstance(shape.body, dict) else None
            message = given if isinstance(given, str) else facts.texts.unauthorized
        else:
            message = exc.detail or exc.title
        # A 401 carries the challenges of the operation's schemes, whatever produced it.
        headers = {"WWW-Authenticate": auth.challenge(request.scope, operation)} if exc.status == 401 else None
        body = shapes.body(operation, exc.status, message)
        return envelope_response(exc.status, body, headers, shapes.media_type(operation, exc.status))

    return problem


def mistyped_path_parameter(facts: DocumentFacts, paths: DocumentPaths, request: ConnexionRequest) -> str | None:
    """Why a request for a documented operation did not route: a path parameter not of its type.
    connexion routes an integer path parameter only where it is digits (Starlette's `int`
    convertor), so `DELETE /posts/abc.json` met no route, a 405 or 404 for an operation the
    document has: it is the request that is wrong."""
    key = paths.operation(request.method, request.url.path)
    operation = operations(facts.spec).get(key) if key else None
    if operation is None:
        return None
    values = template_pattern(operation.path).match(request.url.path.removeprefix(paths.base_path))
    names = re.findall(r"\{([^/}]+)\}", operation.path)
    for name, raw in zip(names, values.groups() if values else (), strict=False):
        parameter = operation.parameter(name, "path")
        try:
            if parameter is not None:
                parameter.read(urllib.parse.unquote(raw))
        except Invalid as why:
            return str(why)
    return None


def http_error_handler(facts: DocumentFacts, paths: DocumentPaths, shapes: ErrorShapes):
    def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
        mistyped = mistyped_path_parameter(facts, paths, request) if exc.status_code in (404, 405) else None
        if mistyped is not None:
            operation = paths.operation(request.method, request.url.path)
            body = shapes.body(operation, 400, mistyped)
            return envelope_response(400, body, None, shapes.media_type(operation, 400))
        allowed = paths.allowed(request.url.path)
        # A documented path with a method it lacks, which no route took (its integer parameter
        # not digits, so Starlette matched no route at all: a 404): a 405 all the same.
        status = 405 if exc.status_code == 405 or (exc.status_code == 404 and allowed) else exc.status_code
        reason = exc.detail if status == exc.status_code else HTTPStatus(status).phrase
        message = f"{reason}: {request.method} {request.url.path}"
        headers = dict(exc.headers or {})
        if status == 405 and allowed:
            # Starlette names the methods of the first route of that path; the document gives them all.
            headers["Allow"] = ", ".join(allowed)
        # A method the path does not have: shaped as the path's operations answer their errors.
        neighbours = paths.operations_at(request.url.path)
        operation = next((key for key in neighbours if shapes.shape(key, status)), None)
        operation = operation if neighbours else shapes.common(status)
        body = shapes.body(operation, status, message)
        return envelope_response(status, body, headers, shapes.media_type(operation, status))

    return http_error


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logger.error("unexpected error", exc_info=exc)
    return envelope_response(500, envelope.error("INTERNAL_SERVER_ERROR", "internal error in wamock; see its log"))


def register(app, facts: DocumentFacts, base_path: str = "") -> None:
    """The handlers of the document's refusals; its requests are under `base_path` (its server URL's)."""
    paths, shapes = DocumentPaths(facts.answers, base_path), ErrorShapes(facts.spec)
    app.add_error_handler(ProblemException, problem_handler(facts, paths, shapes))
    app.add_error_handler(HTTPException, http_error_handler(facts, paths, shapes))
    app.add_error_handler(Exception, unexpected)


class EnvelopeGuard:
    """The outermost layer, in place of connexion's ServerErrorMiddleware.

    connexion 3.3's guard itself fails on Starlette 1.x (`TypeError: 'coroutine' object is
    not callable`), so an exception outside connexion's handlers reached uvicorn, which
    answers plain text. Here any exception becomes a 500 envelope, and a request cancelled
    when the server stops (uvicorn's graceful timeout) a 503 one, if nothing was sent yet.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            # uvicorn cancels what is left when its graceful shutdown times out. The task ends
            # here, answered, rather than in uvicorn's plain-text 500.
            if not started:
                await envelope.send_error(send, 503, "503", "wamock is shutting down; the request was not answered")
        except Exception as exc:
            logger.error("unexpected error", exc_info=exc)
            if not started:
                await envelope.send_error(send, 500, "INTERNAL_SERVER_ERROR", "internal error in wamock; see its log")
