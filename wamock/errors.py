"""Every error as the page's envelope, instead of connexion's problem+json.

connexion and Starlette decide the status (400 from the spec, 401 from the security
scheme, 404/405 from routing); these handlers only give the body its documented shape.
"""

import logging

import orjson
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from wamock import envelope
from wamock.auth import REALM

logger = logging.getLogger("wamock")

UNAUTHORIZED_MESSAGE = "Unauthorized access"


def envelope_response(status: int, body: dict, headers: dict | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=orjson.dumps(body),
        headers=headers or {},
    )


def problem(_request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
    if exc.status == 401:
        return unauthorized()
    return envelope_response(exc.status, envelope.error(str(exc.status), exc.detail or exc.title))


def unauthorized() -> ConnexionResponse:
    return envelope_response(
        401,
        envelope.error("401", UNAUTHORIZED_MESSAGE),
        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
    )


def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    message = f"{exc.detail}: {request.method} {request.url.path}"
    return envelope_response(exc.status_code, envelope.error(str(exc.status_code), message), dict(exc.headers or {}))


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logger.error("unexpected error", exc_info=exc)
    return envelope_response(500, envelope.error("INTERNAL_SERVER_ERROR", "internal error in wamock; see its log"))


def register(app) -> None:
    app.add_error_handler(ProblemException, problem)
    app.add_error_handler(HTTPException, http_error)
    app.add_error_handler(Exception, unexpected)
