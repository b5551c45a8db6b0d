"""Pins what wamock.adapters.connexion relies on in connexion 3.3, through a real app of its own."""

import asyncio
import sys
import types

import pytest
from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import InvalidSpecification
from connexion.lifecycle import ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.spec import Specification
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, MultiPartFormDataValidator
from jsonschema import Draft202012Validator

from wamock.adapters.connexion import (
    ChosenSchemaValidator,
    FormAwareURIParser,
    FormBody,
    JSONBody,
    MultiPartBody,
    RawBody,
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
        "/untyped": {
            "post": {
                "operationId": "pinned_handlers.echo_untyped",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {"properties": {"kind": {"type": "string"}, "n": {"type": "integer"}}}
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
    handlers.echo_json = handlers.echo_form = handlers.echo_fields = handlers.echo_untyped = lambda body=None: (
        {"ok": True, "body": body},
        200,
    )
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


def test_a_form_whose_schema_gives_properties_without_a_type_is_read_field_by_field(client):
    """connexion resolves a form's fields only under `type: object`; Discourse's POST
    /uploads.json gives properties alone, and every field stayed a list (`['avatar'] is not one of ...`)."""
    response = client.post("/untyped", files={"kind": (None, "avatar"), "n": (None, "5")})

    assert response.status_code == 200, response.text
    assert response.json()["body"] == {"kind": "avatar", "n": 5}


REFUSE_ALL = Draft202012Validator(False)  # a validator no body meets


class ChosenJSON(ChosenSchemaValidator, JSONRequestBodyValidator):
    def schema_validator(self, schema):
        return REFUSE_ALL if schema.get("x-refuse") else None


class ChosenForm(FormBody):
    def schema_validator(self, schema):
        return REFUSE_ALL if schema.get("x-refuse") else None


class ChosenMultiPart(ChosenSchemaValidator, MultiPartFormDataValidator):
    def schema_validator(self, schema):
        return REFUSE_ALL if schema.get("x-refuse") else None


def chosen_document(refuse: bool) -> dict:
    """One operation per body kind, each schema asking (or not) the chosen validator to refuse."""
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, **({"x-refuse": True} if refuse else {})}
    media_types = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
    return {
        "openapi": "3.0.3",
        "info": {"title": "chosen", "version": "1"},
        "paths": {
            "/body": {
                "post": {
                    "operationId": "pinned_handlers.echo_json",
                    "requestBody": {"content": {media_type: {"schema": schema} for media_type in media_types}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


@pytest.fixture
def chosen_client():
    def make(refuse: bool):
        handlers = types.ModuleType("pinned_handlers")
        handlers.echo_json = lambda body=None, **form: ({"ok": True}, 200)
        sys.modules["pinned_handlers"] = handlers
        validators = {
            **VALIDATOR_MAP,
            "body": MediaTypeDict(
                {
                    "*/*json": ChosenJSON,
                    "application/x-www-form-urlencoded": ChosenForm,
                    "multipart/form-data": ChosenMultiPart,
                }
            ),
        }
        app = AsyncApp(__name__, validator_map=validators)
        app.add_api(chosen_document(refuse))
        return app.test_client()

    yield make
    sys.modules.pop("pinned_handlers", None)


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda client: client.post("/body", json={"name": "Ann"}), id="json"),
        pytest.param(lambda client: client.post("/body", data={"name": "Ann"}), id="urlencoded"),
        pytest.param(lambda client: client.post("/body", files={"name": (None, "Ann")}), id="multipart"),
    ],
)
def test_a_body_validator_judges_by_the_validator_its_schema_validator_chooses(chosen_client, send):
    """connexion's body validators compile their schema in `_validator`: the mixin's choice takes its place."""
    assert send(chosen_client(refuse=False)).status_code == 200
    assert send(chosen_client(refuse=True)).status_code == 400


def test_connexion_refuses_an_openapi_31_document_as_it_is():
    """Why wamock gives connexion a 3.0 view of a 3.1 document (connexion PR #1951): when this
    fails, connexion reads 3.1 itself and wamock.data.dialect may hand the document over as it is."""
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}

    with pytest.raises(InvalidSpecification, match=r"'3\.1\.0' does not match"):
        Specification.from_dict(document)


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


def test_connexions_own_body_validator_is_draft4_request_validator_with_draft4_formats():
    """`ChosenSchemaValidator.formats` builds connexion's own validator with other formats: the
    same class, which must still be what connexion compiles (else OpenAPI 3.0's `nullable` or
    readOnly handling would be lost)."""
    from connexion.json_schema import Draft4RequestValidator
    from jsonschema import Draft4Validator

    validator = JSONRequestBodyValidator(
        schema={"type": "string"}, encoding="utf-8", strict_validation=False
    )._validator

    assert type(validator) is Draft4RequestValidator
    assert validator.format_checker is Draft4Validator.FORMAT_CHECKER
    assert "date" not in validator.format_checker.checkers  # why wamock gives OpenAPI 3.0's formats


def test_an_array_parameter_is_split_by_the_parsers_split():
    """connexion splits an array parameter's value in `_split`: `split` is called in its place."""

    class Marked(FormAwareURIParser):
        def split(self, value, param_defn, where):
            return ["split", *super().split(value, param_defn, where)]

    listed = {"name": "tags", "in": "query", "explode": False, "schema": {"type": "array", "items": {"type": "string"}}}
    parser = Marked([listed], {})

    assert parser.resolve_query({"tags": ["a,b"]}) == {"tags": ["split", "a", "b"]}
    assert FormAwareURIParser([listed], {}).resolve_query({"tags": [""]}) == {"tags": [""]}


def test_a_raw_body_validator_judges_the_bytes_as_sent_by_the_schema():
    """`RawBody`: connexion's `wrap_receive` parses (`_parse`) and validates (`_validate`) the body."""
    judged = []

    class Recording(RawBody):
        def judge(self, raw):
            judged.append((raw, self.schema))

    handlers = types.ModuleType("pinned_handlers")
    handlers.echo_json = lambda body=None, **rest: ({"ok": True}, 200)
    sys.modules["pinned_handlers"] = handlers
    try:
        app = AsyncApp(__name__, validator_map={**VALIDATOR_MAP, "body": MediaTypeDict({"*/*": Recording})})
        schema = {"type": "string", "format": "byte"}
        upload = {
            "requestBody": {"content": {"image/png": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}},
        }
        app.add_api(
            {
                "openapi": "3.0.3",
                "info": {"title": "raw", "version": "1"},
                "paths": {"/raw": {"put": {"operationId": "pinned_handlers.echo_json", **upload}}},
            }
        )
        response = app.test_client().put("/raw", content=b"\x89PNG", headers={"Content-Type": "image/png"})
    finally:
        sys.modules.pop("pinned_handlers", None)

    assert response.status_code == 200, response.text
    assert judged == [(b"\x89PNG", schema)]
