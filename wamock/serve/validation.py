"""connexion's query parsing and validators, worded and tightened where the contract needs it.

connexion decides what is valid (from the spec); this words its verdict the way the
documented 400 envelope needs (`limit: must be no greater than 100`) and closes these gaps:
- Python's int() reads "5_0", " 5" and "٣" (an Arabic-Indic three) as integers; HTTP
  clients and upstream's Go parser do not. An integer here is ASCII digits with an optional
  sign, as Go's strconv.Atoi reads it; anything else stays a string, which validation refuses.
- A parameter given twice (`limit=5&limit=7`), or a form field given twice that is not a
  list, is ambiguous (connexion takes the last, upstream the first): a 400 that says so.
- A multipart body that is not one (no boundary, no part, a part whose headers never end, no
  Content-Type) gets a 400 that says so, where Starlette's parser failed with a 500 or read
  an empty form.
- connexion judges no body of another media type: one whose schema is a base64 string
  (`image/png` as `format: byte`) must be base64 text.

connexion's extension points carry most of it (`uri_parser_class`, `validator_map`); where
its body validators have none (reading the raw body, wording an error), the steps come from
`wamock.adapters.connexion`. tests/serve/test_control.py, test_robustness.py and
test_upstream.py pin the messages this module produces.
"""

import base64
import binascii
import json
import re
import sys
from functools import lru_cache

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.validators import VALIDATOR_MAP
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import oas30_format_checker
from starlette.datastructures import Headers, QueryParams
from starlette.formparsers import MultiPartException

from wamock.adapters.connexion import FormAwareURIParser, FormBody, JSONBody, MultiPartBody, RawBody
from wamock.data import dialect, xml_bodies
from wamock.data.query import INTEGER
from wamock.data.texts import kind_of

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
TOO_DEEP = "body: JSON nested too deep"
NO_BODY = object()  # a request that sent no body at all, as `read` tells it from a JSON null
BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
BASE64_FORMATS = ("byte", "base64")
TYPE_WORDS = {
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be true or false",
    "string": "must be a string",
    "array": "must be a JSON list",
    "object": "must be a JSON object",
}


@lru_cache(maxsize=256)
def _compiled(schema_json: str) -> Draft4Validator:
    return Draft4Validator(json.loads(schema_json), format_checker=oas30_format_checker)


_VALIDATORS_BY_SCHEMA: dict[int, tuple[dict, Draft4Validator]] = {}


def compiled_for(schema: dict) -> Draft4Validator:
    """The validator of a parameter's schema: in a 3.1 document's view, the user's own schema with
    JSON Schema 2020-12 (`wamock.data.dialect`). The spec's schemas live as long as the app, so the
    object itself finds its validator, without encoding it each request; one compiled per schema text."""
    judged_by_31 = dialect.validator_of(schema)
    if judged_by_31 is not None:
        return judged_by_31
    kept = _VALIDATORS_BY_SCHEMA.get(id(schema))
    if kept is None or kept[0] is not schema:  # an id is reused only once its object is gone
        if len(_VALIDATORS_BY_SCHEMA) >= 256:
            _VALIDATORS_BY_SCHEMA.clear()
        kept = _VALIDATORS_BY_SCHEMA[id(schema)] = (schema, _compiled(json.dumps(schema, sort_keys=True)))
    return kept[1]


@lru_cache(maxsize=64)
def query_params(query_string: bytes) -> QueryParams:
    """A query string read once for all the parameters of a request, not once for each."""
    return QueryParams(query_string)


class StrictURIParser(FormAwareURIParser):
    def resolve_form(self, form_data):
        declared = self.body_schema.get("properties", {})
        for name, values in form_data.items():
            given = len(values) if isinstance(values, list) else 1
            # A field the schema does not declare is the server's to ignore, however often it comes;
            # one it declares without a type may be a list (Discourse's upload `file: {}`).
            if given > 1 and name in declared and kind_of(declared[name]) not in ("array", None):
                raise BadRequestProblem(detail=f"body.{name}: given {given} times; give it once")
        return super().resolve_form(form_data)

    def resolve_params(self, params, _in):
        resolved = super().resolve_params(params, _in)
        for name, values in params.items():
            schema = self.param_schemas.get(name) or {}
            raw = values[-1] if isinstance(values, list) and values else values
            if schema.get("type") == "integer" and isinstance(raw, str) and not INTEGER.fullmatch(raw):
                resolved[name] = raw
        return resolved

    def split(self, value: str, param_defn: dict, where: str) -> list:
        # OpenAPI's form style (RFC 6570) writes an empty list as `name=`: no item, not one empty
        # item; where the schema asks for items (minItems), only an empty item can be meant.
        if value == "" and not (param_defn.get("schema") or {}).get("minItems"):
            return []
        return super().split(value, param_defn, where)


class NamingParameterValidator(ParameterValidator):
    def validate_query_parameter(self, param, request):
        given = len(query_params(request.scope["query_string"]).getlist(param["name"]))
        # An array in the form style, exploded (OpenAPI's default), is given once for each item.
        repeats = (param.get("schema") or {}).get("type") == "array" and param.get("explode", True) is not False
        if given > 1 and not repeats:
            return f"{param['name']}: given {given} times; give it once"
        if given and nullable(param) and request.query_params.get(param["name"]) is None:
            return self.validate_parameter("query", NULL_TEXT, param)
        return super().validate_query_parameter(param, request)

    def validate_header_parameter(self, param, request):
        raw = request.headers.get(param["name"])
        return self.validate_parameter("header", None if raw is None else typed(param, raw), param)

    def validate_cookie_parameter(self, param, request):
        raw = request.cookies.get(param["name"])
        return self.validate_parameter("cookie", None if raw is None else typed(param, raw), param)

    def validate_path_parameter(self, param, request):
        # A path parameter is always given: None is a `null` connexion read as JSON null.
        if nullable(param) and request.path_params.get(param["name"].replace("-", "_")) is None:
            return self.validate_parameter("path", NULL_TEXT, param)
        return super().validate_path_parameter(param, request)

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        name = param_name or param.get("name")
        if value is None:
            if param.get("required"):
                return f"{name}: required {parameter_type} parameter is missing"
            return None
        # The compiled validator is kept per schema: building one is most of a request's cost.
        validator = compiled_for(param.get("schema", param))
        try:
            validator.validate(value)
        except ValidationError as error:
            return f"{name}: {rule_broken(error)}"
        return None


def typed(param: dict, raw: str):
    """A header's or cookie's text read by its schema's type, as the URI parser reads a query's
    (connexion judges headers and cookies as text: an integer header was never an integer).
    Text that does not read as its type stays text, which validation then refuses."""
    schema = param.get("schema", param)
    kind = schema.get("type")
    if kind == "array":  # the simple style, OpenAPI's for headers: comma-separated
        return [typed(schema.get("items") or {}, part) for part in raw.split(",")]
    if kind in ("integer", "number") and INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "number" and NUMBER.fullmatch(raw):
        return float(raw)
    if kind == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def _discriminated(keyword: str):
    """A oneOf or anyOf that, where the schema has a `discriminator`, judges an object by the branch its
    property's value maps to (its `mapping`, else the schema of that name), as openapi-core does."""
    plain = Draft4Validator.VALIDATORS[keyword]

    def judge(validator, branches, instance, schema):
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, dict) or not isinstance(discriminator.get("propertyName"), str):
            yield from plain(validator, branches, instance, schema)
            return
        name = discriminator["propertyName"]
        if not validator.is_type(instance, "object") or not instance.get(name):
            yield ValidationError(f"{name}: required to tell which schema the object is")
            return
        value = instance[name]
        if not isinstance(value, str):
            yield ValidationError(f"{name}: must be a string naming the schema the object is")
            return
        target = (discriminator.get("mapping") or {}).get(value) or f"#/components/schemas/{value}"
        branch = next((b for b in branches if isinstance(b, dict) and b.get(dialect.BRANCH) == target), None)
        if branch is None:
            yield ValidationError(f"{name}: {value!r} names none of the schemas the object may be")
            return
        yield from validator.descend(instance, branch)

    return judge


# OpenAPI 3.0's JSON body, judged as openapi-core judges it (the checker's judge): connexion's Draft 4
# with `nullable`, OpenAPI 3.0's formats, and the discriminator.
OpenAPI30BodyValidator = extend(
    Draft4RequestValidator, {"oneOf": _discriminated("oneOf"), "anyOf": _discriminated("anyOf")}
)


def json_body_validator(schema: dict):
    """A 3.1 body's validator by its dialect (`wamock.data.dialect`); a 3.0 one's by `OpenAPI30BodyValidator`."""
    return dialect.validator_of(schema) or OpenAPI30BodyValidator(schema, format_checker=oas30_format_checker)


class NamingJSONBodyValidator(JSONBody):
    schema_validator = staticmethod(json_body_validator)

    def read(self, raw: bytes, encoding: str):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail=f"body: not {encoding} text") from None
        if not text:
            return NO_BODY
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadRequestProblem(detail=f"body: not valid JSON: {exc}") from None
        except RecursionError:
            raise BadRequestProblem(detail=TOO_DEEP) from None
        except ValueError:  # Python reads integers of at most sys.get_int_max_str_digits() digits
            raise BadRequestProblem(
                detail=f"body: a number longer than {sys.get_int_max_str_digits()} digits"
            ) from None

    def judge(self, body, validator, *, nullable: bool, required: bool):
        if body is NO_BODY:
            # A request body is optional unless the document says `required: true` (OpenAPI's default).
            if required:
                raise BadRequestProblem(detail="body: missing; expected JSON")
            return None
        if not nullable and body is None:
            raise BadRequestProblem(detail="body: null; expected JSON of the documented schema")
        try:
            return validator.validate(body)
        except RecursionError:
            raise BadRequestProblem(detail=TOO_DEEP) from None
        except ValidationError as error:
            where = ".".join(["body", *map(str, error.absolute_path)])
            raise BadRequestProblem(detail=f"{where}: {rule_broken(error)}") from None


class DialectFormValidator(FormBody):
    schema_validator = staticmethod(dialect.validator_of)
    formats = oas30_format_checker


class NamingMultiPartValidator(MultiPartBody):
    schema_validator = staticmethod(dialect.validator_of)
    formats = oas30_format_checker

    def check(self, raw: bytes, scope) -> None:
        boundary = BOUNDARY.search(Headers(scope=scope).get("content-type", ""))
        if raw and boundary:
            malformed = malformed_multipart(raw, b"--" + boundary.group(1).encode("latin-1"))
            if malformed:
                raise BadRequestProblem(detail=f"body: not multipart form data: {malformed}")

    async def parse_form(self, raw: bytes, scope):
        if not raw and "content-type" not in Headers(scope=scope):
            return {}  # no body at all (connexion has refused that where the document requires one): an empty form
        try:
            return await super().parse_form(raw, scope)
        except MultiPartException as exc:
            raise BadRequestProblem(detail=f"body: not multipart form data: {exc.message}") from None
        except KeyError:  # Starlette's parser reads the Content-Type header, which the request lacks
            raise BadRequestProblem(detail="body: multipart form data needs a Content-Type header") from None


def malformed_multipart(raw: bytes, delimiter: bytes) -> str | None:
    """What makes `raw` no multipart body (RFC 2046), which Starlette's parser reads as an empty
    or partial form instead of refusing: no delimited part, a part whose headers never end, no
    closing delimiter."""
    segments = raw.split(delimiter)[1:]  # what precedes the first delimiter is a preamble
    if not segments:
        return "no part starts with its boundary"
    for segment in segments:
        if segment.startswith(b"--"):
            return None  # the closing delimiter
        if b"\r\n\r\n" not in segment:
            return "a part's headers do not end with a blank line"
    return "no closing boundary"


# connexion reads a nullable parameter's `null` as JSON null; a URL writes no null (RFC 6570
# leaves it out), so the text is judged as sent: a string the schema takes, no boolean or number.
NULL_TEXT = "null"


def nullable(param: dict) -> bool:
    """Whether OpenAPI 3.0's `nullable` lets a parameter be null."""
    return bool((param.get("schema") or param).get("nullable"))


def rule_broken(error: ValidationError) -> str:
    if error.validator == "maximum":
        return f"must be no greater than {error.validator_value}"
    if error.validator == "minimum":
        return f"must be no less than {error.validator_value}"
    if error.validator == "exclusiveMaximum":
        return f"must be less than {error.validator_value}"
    if error.validator == "exclusiveMinimum":
        return f"must be greater than {error.validator_value}"
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        if len(kinds) == 1 and kinds[0] in TYPE_WORDS:
            return TYPE_WORDS[kinds[0]]
        return f"must be of type {' or '.join(map(str, kinds))}"
    return error.message


class PresentBody(RawBody):
    """A body of a media type wamock does not read (an image, plain text): whether it is
    there is judged, so a required one missing is refused, as for any other; and one whose schema
    is a base64 string (`format: byte` or `base64`: OpenAPI 3.0's way to send a file encoded,
    Getty's `image/png` upload) must be base64 text. Other schemas ask nothing of the bytes."""

    def judge(self, raw: bytes) -> None:
        format_name = self.schema.get("format")
        if not raw or self.schema.get("type") != "string" or format_name not in BASE64_FORMATS:
            return
        try:
            base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequestProblem(detail=f"body: not base64 text (format {format_name})") from None


class XMLBody(RawBody):
    """An XML body (Swagger petstore's and train-travel's `application/xml`): read by its
    schema's XML Object (`wamock.data.xml_bodies`), then judged as a JSON body is."""

    def judge(self, raw: bytes) -> None:
        if not raw:
            return  # whether one is there at all is judged as for any body
        try:
            body = xml_bodies.read(raw, self.schema)
        except xml_bodies.NotXML as exc:
            raise BadRequestProblem(detail=f"body: not well-formed XML: {exc}") from None
        try:
            json_body_validator(self.schema).validate(body)
        except ValidationError as error:
            where = ".".join(["body", *map(str, error.absolute_path)])
            raise BadRequestProblem(detail=f"{where}: {rule_broken(error)}") from None


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamingParameterValidator,
    "body": MediaTypeDict(
        {
            **VALIDATOR_MAP["body"],
            "*/*json": NamingJSONBodyValidator,
            "application/x-www-form-urlencoded": DialectFormValidator,
            "multipart/form-data": NamingMultiPartValidator,
            "*/*xml": XMLBody,
            "*/*": PresentBody,
        }
    ),
}
