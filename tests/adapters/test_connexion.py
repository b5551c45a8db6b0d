"""Pins what wamock.adapters.connexion relies on in connexion 3.3, through a real app of its own."""

import asyncio
import sys
import types

import pytest
from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.lifecycle import ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.validators import VALIDATOR_MAP

from wamock.adapters.connexion import (
    FormAwareURIParser,
    JSONBody,
    MultiPartBody,
    routed_operation_id,
    share_routing,
)

SEEN: dict[str, list] = {}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "pins", "version": "1"},
    "paths": {
        "/json": {
            "post": {
                "operationId": "pinned_handlers.echo_json",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/form": {
            "post": {
                "operationId": "pinned_handlers.echo_form",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {"type": "object", "properties": {"name": {"type": "string"}}}
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/fields": {
            "post": {
                "operationId": "pinned_handlers.echo_fields",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "anything": {"description": "no type: any value"},
                                    "n": {"type": "integer"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


class RecordingJSON(JSONBody):
    def read(self, raw, encoding):
        SEEN.setdefault("read", []).append((raw, encoding))
        return {"read": raw.decode(encoding)}

    def judge(self, body, validator, *, nullable, required):
        SEEN.setdefault("judge", []).append((body, validator.is_valid(body), nullable, required))
        return body


class RecordingMultiPart(MultiPartBody):
    def check(self, raw, scope):
        SEEN.setdefault("check", []).append(raw)


class RecordingParser(FormAwareURIParser):
    def resolve_form(self, form_data):
        SEEN.setdefault("form schema", []).append(self.body_schema)
        return super().resolve_form(form_data)


class RecordRoute:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            SEEN.setdefault("operation", []).append(routed_operation_id(scope))
        await self.app(scope, receive, send)


@pytest.fixture
def client():
    handlers = types.ModuleType("pinned_handlers")
    handlers.echo_json = handlers.echo_form = handlers.echo_fields = lambda body=None: ({"ok": True, "body": body}, 200)
    sys.modules["pinned_handlers"] = handlers
    SEEN.clear()
    validators = {
        **VALIDATOR_MAP,
        "body": MediaTypeDict(
            {**VALIDATOR_MAP["body"], "*/*json": RecordingJSON, "multipart/form-data": RecordingMultiPart}
        ),
    }
    app = AsyncApp(__name__, validator_map=validators, uri_parser_class=RecordingParser)
    app.add_api(DOCUMENT)
    app.add_middleware(RecordRoute, position=MiddlewarePosition.BEFORE_VALIDATION)
    yield app.test_client()
    del sys.modules["pinned_handlers"]


def test_a_json_body_is_read_raw_with_its_charset_then_judged_by_the_compiled_schema(client):
    response = client.post("/json", content=b'{"a": 1}', headers={"Content-Type": "application/json"})

    assert response.status_code == 200, response.text
    assert SEEN["read"] == [(b'{"a": 1}', "utf-8")]
    assert SEEN["judge"] == [({"read": '{"a": 1}'}, True, False, True)]  # the document says required


def test_a_multipart_body_is_seen_raw_and_its_form_schema_is_at_hand(client):
    response = client.post("/form", files={"name": (None, "Ann")})

    assert response.status_code == 200, response.text
    assert SEEN["check"][0].startswith(b"--")
    form_schema = DOCUMENT["paths"]["/form"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert SEEN["form schema"] and all(seen == form_schema for seen in SEEN["form schema"])


def test_routing_leaves_the_operation_it_found_in_the_scope(client):
    client.post("/json", json={})

    assert SEEN["operation"] == ["pinned_handlers.echo_json"]


def test_a_form_field_whose_schema_has_no_type_is_taken_as_sent(client):
    response = client.post("/fields", data={"anything": "{}", "n": "5"})

    assert response.status_code == 200, response.text
    assert response.json()["body"] == {"anything": "{}", "n": 5}


SECRET_DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "pins", "version": "1"},
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key", "x-apikeyInfoFunc": "pinned_handlers.refuse"}
        }
    },
    "paths": {
        "/secret": {
            "get": {
                "operationId": "pinned_handlers.echo_json",
                "security": [{"key": []}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


class ShareRouting:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        share_routing(scope)
        await self.app(scope, receive, send)


def routed_in_error_handler(*, shared: bool) -> list:
    """What a 401's error handler sees of the routed operation, for a request as uvicorn sends
    it (no `extensions` in the scope)."""
    handlers = types.ModuleType("pinned_handlers")
    handlers.echo_json = lambda: ({"ok": True}, 200)
    handlers.refuse = lambda key: None
    sys.modules["pinned_handlers"] = handlers
    seen = []

    def unauthorized(request, exc):
        seen.append(routed_operation_id(request.scope))
        return ConnexionResponse(status_code=401)

    app = AsyncApp(__name__)
    app.add_api(SECRET_DOCUMENT)
    app.add_error_handler(401, unauthorized)
    if shared:
        app.add_middleware(ShareRouting, position=MiddlewarePosition.BEFORE_EXCEPTION)
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/secret",
        "raw_path": b"/secret",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"x-key", b"k")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    try:
        asyncio.run(app(scope, receive, send))
    finally:
        del sys.modules["pinned_handlers"]
    assert sent[0]["status"] == 401
    return seen


def test_an_error_handler_sees_the_routed_operation_where_extensions_are_shared_first():
    assert routed_in_error_handler(shared=True) == ["pinned_handlers.echo_json"]
    # connexion 3.3 creates the dict on a copy of the scope: unshared, the handler sees nothing.
    assert routed_in_error_handler(shared=False) == [None]
