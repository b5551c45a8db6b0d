"""openapi-core 0.23: the checker's judge of a request as sent, and what it cannot read.

`OpenAPI.iter_request_errors` yields a request's errors (credentials, then parameters, then
body); a body's are `RequestBodyValidationError`s. It reads a multipart field whose schema
gives no type as bytes, which no enum of texts takes, and asserts (`AssertionError`) on some
parts it cannot read at all; and it warns "Unsupported scheme type" at each request of an
operation whose security is a scheme it does not check (OAuth2, OpenID Connect).
tests/adapters/test_openapi_core.py pins each; pyproject.toml bounds openapi-core below 0.24.
"""

import warnings
from dataclasses import dataclass

from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.validation.request.exceptions import RequestBodyValidationError


@dataclass(frozen=True)
class Judged:
    """openapi-core's verdict on a request: whether its credentials and parameters are valid,
    and whether its body is (None: no verdict on either, it could not read the request)."""

    rest_valid: bool | None
    body_valid: bool | None


def judged_request(judge: OpenAPI, request) -> Judged:
    """`judge`'s verdict on a `requests` PreparedRequest as sent."""
    try:
        with warnings.catch_warnings():
            # The checker judges credentials itself: OAuth2's warning at each of Telstra's requests is noise.
            warnings.filterwarnings("ignore", message="Unsupported scheme type", category=UserWarning)
            errors = list(judge.iter_request_errors(RequestsOpenAPIRequest(request)))
    except AssertionError:
        return Judged(None, None)
    body_errors = [error for error in errors if isinstance(error, RequestBodyValidationError)]
    return Judged(len(body_errors) == len(errors), not body_errors)
