"""Every error as the page's envelope, instead of connexion's problem+json.

connexion and Starlette decide the status (400 from the spec, 401 from the security
scheme, 404/405 from routing); these handlers only give the body its documented shape.
`EnvelopeGuard`, outermost, answers whatever escapes them (a middleware that fails, a
request cancelled at shutdown) in the envelope too.
"""

import asyncio
import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wamock.data.facts import DocumentFacts
from wamock.serve import auth, envelope
from wamock.serve.routes import DocumentPaths

logger = logging.getLogger("wamock")


def envelope_response(status: int, body: dict, headers: dict | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=envelope.encode(body),
        headers=headers or {},
    )


def problem_handler(facts: DocumentFacts, paths: DocumentPaths):
    def problem(request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
        # Outside connexion's routing: the operation is found again from the method and path.
        operation = paths.operation(request.method, request.url.path)
        documented = facts.answers.get(operation, {}).get(exc.status)
        return documented_problem(
            facts, documented.body if documented else None, exc, auth.challenge(request.scope, operation)
        )

    return problem


def documented_problem(
    facts: DocumentFacts, documented, exc: ProblemException, challenge: str = auth.CHALLENGE
) -> ConnexionResponse:
    if exc.status == 401:
        # The document's own words for refused credentials, where it gives them for this operation.
        given = documented.get("message") if isinstance(documented, dict) else None
        message = given if isinstance(given, str) else facts.texts.unauthorized
    else:
        message = exc.detail or exc.title
    body = envelope.shaped_error(documented, exc.status, message)
    # A 401 carries the challenges of the operation's schemes, whatever produced it.
    headers = {"WWW-Authenticate": challenge} if exc.status == 401 else None
    return envelope_response(exc.status, body, headers)


def http_error_handler(paths: DocumentPaths):
    def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
        message = f"{exc.detail}: {request.method} {request.url.path}"
        headers = dict(exc.headers or {})
        allowed = paths.allowed(request.url.path) if exc.status_code == 405 else []
        if allowed:
            # Starlette names the methods of the first route of that path; the document gives them all.
            headers["Allow"] = ", ".join(allowed)
        return envelope_response(exc.status_code, envelope.error(str(exc.status_code), message), headers)

    return http_error


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logger.error("unexpected error", exc_info=exc)
    return envelope_response(500, envelope.error("INTERNAL_SERVER_ERROR", "internal error in wamock; see its log"))


def register(app, facts: DocumentFacts) -> None:
    paths = DocumentPaths(facts.answers)
    app.add_error_handler(ProblemException, problem_handler(facts, paths))
    app.add_error_handler(HTTPException, http_error_handler(paths))
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
