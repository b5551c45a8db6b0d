"""connexion 3.3: its body validators' two steps, the form parser's body schema, the routed operation.

connexion's body validators read a body in `_parse` and judge it in `_validate`, keeping the
media type's charset in `_encoding`, whether the body may be null in `_nullable` and the
compiled schema in `_validator`; they offer no hook for reading the raw bytes or wording an
error. `JSONBody` and `MultiPartBody` hand those steps to wamock as plain methods. Its URI
parser keeps the form body's schema in `_body_schema`, and reads each field's `type` from
`form_defns` as a key that must be there (a schema without one, which OpenAPI allows, failed
with `KeyError: 'type'`), and resolves the fields in `resolve_form` only where `_body_schema`
says `type: object`; its routing leaves the operation it
found under the ASGI scope's `extensions["connexion_routing"]`, a dict it creates where the
server gave none on a copy of the scope its error handlers never see (`share_routing`). Each body validator compiles
its schema in the `_validator` property, as `connexion.json_schema.Draft4RequestValidator` with
Draft 4's formats: `ChosenSchemaValidator` lets wamock give another (the user's 3.1 schema with
JSON Schema 2020-12, `wamock.data.dialect`), or the same with other formats (OpenAPI 3.0's). A body validator's
`wrap_receive(receive, scope=...)` is where it judges a missing body (then `_parse`, `_validate`:
`RawBody` for any other media type), by `_required` and the
schema's `default` (`OptionalForm`). Its URI parser splits an array parameter's value in
`_split`, which `FormAwareURIParser.split` stands in for.
tests/adapters/test_connexion.py pins each of these; pyproject.toml bounds connexion below 3.4.
"""

from collections.abc import AsyncIterator

from connexion.json_schema import Draft4RequestValidator
from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import FormDataValidator, JSONRequestBodyValidator, MultiPartFormDataValidator
from connexion.validators.abstract import AbstractRequestBodyValidator
from starlette.datastructures import Headers
from starlette.types import Scope


async def _whole(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def _replayed(raw: bytes) -> AsyncIterator[bytes]:
    yield raw


class ChosenSchemaValidator:
    """A body validator mixin: `schema_validator(schema)` may give the validator of the body's
    schema (None: connexion's own, Draft 4 with OpenAPI 3.0's `nullable`, whose formats are
    `formats` where given, else Draft 4's)."""

    formats = None

    def schema_validator(self, schema: dict):
        return None

    @property
    def _validator(self):
        chosen = self.schema_validator(self._schema)
        if chosen is not None:
            return chosen
        if self.formats is not None:
            return Draft4RequestValidator(self._schema, format_checker=self.formats)
        return super()._validator


class JSONBody(ChosenSchemaValidator, JSONRequestBodyValidator):
    """A JSON body validator whose subclass reads the raw bytes (`read`) and judges the body (`judge`)."""

    def read(self, raw: bytes, encoding: str):
        raise NotImplementedError

    def judge(self, body, validator, *, nullable: bool, required: bool):
        raise NotImplementedError

    async def _parse(self, stream, scope):
        return self.read(await _whole(stream), self._encoding)

    def _validate(self, body):
        # connexion reads 3.0's `nullable`; a schema with a validator of its own (3.1's) says
        # itself whether null is valid (one without a `type` takes it), and so does a 3.0 schema
        # without a `type`: `nullable` "adds null to the type", where one is given (OpenAPI 3.0.3).
        says_itself = self.schema_validator(self._schema) is not None or "type" not in self._schema
        return self.judge(body, self._validator, nullable=self._nullable or says_itself, required=self._required)


class RawBody(AbstractRequestBodyValidator):
    """A body validator for media types connexion has none for: its subclass judges the raw
    bytes (`judge`) by the body's schema (`schema`)."""

    @property
    def schema(self) -> dict:
        return self._schema

    def judge(self, raw: bytes) -> None:
        raise NotImplementedError

    async def _parse(self, stream, scope):
        return await _whole(stream)

    def _validate(self, body):
        self.judge(body)


class OptionalForm:
    """A form body validator mixin: connexion judges a request without a body as an empty form,
    refused for its required fields even where the document leaves the body optional
    (`requestBody.required` false, OpenAPI's default). Such a request, with no default body to
    stand for it, is let through unjudged, as a JSON one is (`JSONBody.judge`)."""

    async def wrap_receive(self, receive, *, scope: Scope):
        headers = Headers(scope=scope)
        absent = headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers
        if absent and not self._required and self._schema.get("default") is None:
            return receive, scope
        return await super().wrap_receive(receive, scope=scope)


class FormBody(OptionalForm, ChosenSchemaValidator, FormDataValidator):
    """connexion's urlencoded form validator, whose schema's validator wamock may choose."""


class MultiPartBody(OptionalForm, ChosenSchemaValidator, MultiPartFormDataValidator):
    """A multipart validator whose subclass sees the raw bytes first (`check`), then parses as connexion does."""

    def check(self, raw: bytes, scope: Scope) -> None:
        raise NotImplementedError

    async def parse_form(self, raw: bytes, scope: Scope):
        return await super()._parse(_replayed(raw), scope)

    async def _parse(self, stream, scope):
        raw = await _whole(stream)
        self.check(raw, scope)
        return await self.parse_form(raw, scope)


class FormAwareURIParser(OpenAPIURIParser):
    def resolve_form(self, form_data):
        # connexion reads a form's fields by their schemas only where the body's schema says
        # `type: object`; one that gives properties without a type (Discourse's POST
        # /uploads.json) is an object all the same, else every field stays a list of its values.
        schema = self._body_schema
        if isinstance(schema, dict) and "type" not in schema and isinstance(schema.get("properties"), dict):
            self._body_schema = {**schema, "type": "object"}
        return super().resolve_form(form_data)

    @property
    def body_schema(self) -> dict:
        """The schema of the form body being parsed ({} where there is none)."""
        return self._body_schema or {}

    @property
    def form_defns(self) -> dict:
        # A field's schema may leave out `type` (any value): connexion's resolve_form reads
        # defn["type"], so it is given one that no type equals, which leaves the value as sent.
        return {name: {"type": None, **defn} for name, defn in self.body_schema.get("properties", {}).items()}

    def split(self, value: str, param_defn: dict, where: str) -> list:
        """An array parameter's items from its one value (the repeats of an exploded one joined
        first): connexion splits on its style's delimiter, `""` giving `[""]`."""
        return OpenAPIURIParser._split(value, param_defn, where)

    def _split(self, value, param_defn, _in):
        return self.split(value, param_defn, _in)


def routed_operation_id(scope: Scope) -> str | None:
    """The operation connexion's routing found for this request (wamock's resolver names it `GET /path`)."""
    return scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")


def share_routing(scope: Scope) -> None:
    """Let every layer of this request, connexion's error handlers included, see the operation
    its routing found: uvicorn sends no `extensions`, and the dict connexion's routing then
    creates is on a copy of the scope. Created first, outside, it is the one routing fills."""
    scope.setdefault("extensions", {})
