"""openapi-core validation of every response the tests see, through a thin httpx adapter."""

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from wamock.data import spec


class HttpxOpenAPIRequest:
    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "")


class HttpxOpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self.response.headers.items()))

    @property
    def data(self) -> bytes:
        return self.response.read()


def response_validator(base_url: str):
    """An httpx response hook: every response of GET /chats must meet the spec."""
    # The spec names upstream's server; the same contract holds wherever the tests reach it.
    openapi = OpenAPI.from_dict({**spec.load(), "servers": [{"url": base_url}]})

    def validate(response: httpx.Response) -> None:
        if response.request.url.path != "/chats" or response.request.method != "GET":
            return
        openapi.validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))

    return validate
