"""The answers an OpenAPI document gives for an operation: its examples, or one built from its schema.

Upstream's document puts its examples on schema properties, not on responses; like connexion's
mock resolver, a body is then built from them. Unlike it, the built body always meets its
schema: a property example of the wrong type (upstream's `code: {type: string, example: 404}`)
is converted or replaced, `$ref`, `allOf`, `oneOf` and `anyOf` are followed, and a property with
no example gets a plain value of its type. An OpenAPI 3.1 document's schemas are JSON Schema
2020-12: a `type` list, `const`, `examples` (a list), numeric exclusive bounds, `prefixItems`, and a
`$ref` whose siblings count.
"""

import math
import urllib.parse
from dataclasses import dataclass

import jsonschema_rs

from wamock.adapters import re_parser
from wamock.data import dialect
from wamock.data.collections import collection
from wamock.data.document import MAX_REF_CHAIN, MISSING, pointed
from wamock.data.operations import CHAT_LIST, METHODS, operation_key
from wamock.data.operations import operation as find_operation
from wamock.data.paths import SPEC_FILE
from wamock.data.spec import SpecError, load, resolved

JSON = "application/json"
MAX_DEPTH = 12  # a recursive schema (a tree of replies) is cut here
MAX_VALUES = 10_000  # values in one built answer at most
MAX_SCHEMA_NODES = 200_000  # of a schema inlined for a validator


@dataclass(frozen=True)
class Answer:
    """What an operation answers with one status: a body, how it was found, and its media type."""

    status: int
    body: object
    media_type: str | None
    source: str  # "example" (the document's own), "built" (from its schema), "none" (no content)


def document_answers(spec: dict) -> dict[str, dict[int, "Answer"]]:
    """Every operation of the document, as `METHOD /path`, with its answers."""
    answers = {}
    for path, path_item in (spec.get("paths") or {}).items():
        for method, operation in (path_item or {}).items():
            if method in METHODS and isinstance(operation, dict):
                answers[operation_key(method, path)] = operation_answers(spec, operation)
    return answers


def operation_answers(spec: dict, operation: dict) -> dict[int, Answer]:
    """Each numbered status of `operation`, with the answer the document gives for it."""
    answers = {}
    responses = operation.get("responses") or {}
    for status, response in responses.items():
        if str(status).isdigit():
            answers[int(status)] = response_answer(spec, int(status), resolved(spec, response))
    # An operation whose only answer is `default` answers every status with it: a body it gives is
    # a success's (InfluxDB's GET /, its routes), served as 200; one without a body stays 204.
    default = resolved(spec, responses.get("default"))
    if not answers and isinstance(default, dict) and default.get("content"):
        answers[200] = response_answer(spec, 200, default)
    return answers


def response_answer(spec: dict, status: int, response: dict) -> Answer:
    content = (response or {}).get("content") or {}
    if not content:
        return Answer(status, None, None, "none")
    media_type = JSON if JSON in content else next(iter(content))
    media = content[media_type] or {}
    schema = resolved(spec, media.get("schema") or {})
    # A document's example that breaks its own schema (Twilio's numbers as strings) is not served:
    # a client would be right to refuse it. One built from the schema is, instead.
    given = [media["example"]] if "example" in media else []
    for example in (media.get("examples") or {}).values():
        example = resolved(spec, example)
        if isinstance(example, dict) and "value" in example:
            given.append(example["value"])
    for value in given:
        if not isinstance(schema, dict) or not schema or fits(spec, value, schema):
            return Answer(status, readable(spec, value, schema), media_type, "example")
    if isinstance(schema, dict) and "example" in schema and fits(spec, schema["example"], schema):
        return Answer(status, readable(spec, schema["example"], schema), media_type, "example")
    return Answer(status, readable(spec, built_example(spec, schema), schema), media_type, "built")


def readable(spec: dict, value, schema, depth: int = 0):
    """`value` without the properties its schema marks `writeOnly` (a card's `cvc` in
    train-travel's example answer): what a client writes, an answer does not show."""
    schema = with_siblings(spec, schema) if dialect.is_31(spec) else resolved(spec, schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [readable(spec, item, schema["items"], depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    properties: dict = {}
    chosen = [  # of a oneOf or anyOf, the branch the value meets
        next((branch for branch in schema.get(choice) or [] if fits(spec, value, branch)), None)
        for choice in ("oneOf", "anyOf")
    ]
    for part in [schema, *(schema.get("allOf") or []), *(branch for branch in chosen if branch is not None)]:
        part = with_siblings(spec, part) if dialect.is_31(spec) else resolved(spec, part)
        if isinstance(part, dict):
            properties.update(part.get("properties") or {})
    kept = {}
    for name, item in value.items():
        field = (
            with_siblings(spec, properties.get(name)) if dialect.is_31(spec) else resolved(spec, properties.get(name))
        )
        if isinstance(field, dict) and field.get("writeOnly") is True:
            continue
        kept[name] = readable(spec, item, field, depth + 1) if isinstance(field, dict) else item
    return kept


@dataclass
class Budget:
    """How many more values a built answer may have: `$ref`s that fan out (ten properties each
    referring to the next schema, twelve deep) would otherwise build 10^12 of them."""

    left: int = MAX_VALUES

    def spend(self) -> bool:
        self.left -= 1
        return self.left > 0


def built_example(spec: dict, schema: dict, depth: int = 0, budget: Budget | None = None):
    """A value that meets `schema`, made of its examples where they fit (past the budget, an
    object or a list is left empty)."""
    budget = budget if budget is not None else Budget()
    is_31 = dialect.is_31(spec)
    schema = with_siblings(spec, schema) if is_31 else resolved(spec, schema)
    if not isinstance(schema, dict):
        return None
    within = budget.spend()
    if is_31 and "const" in schema:
        return schema["const"]
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = built_example(spec, part, depth + 1, budget)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            return built_choice(spec, schema, choice, depth, budget)
    if "example" in schema and fits(spec, schema["example"], schema):
        return schema["example"]
    for example in schema.get("examples") or [] if is_31 and isinstance(schema.get("examples"), list) else []:
        if fits(spec, example, schema):
            return example
    if "default" in schema and fits(spec, schema["default"], schema):
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = one_type(schema.get("type")) or (
        "object" if "properties" in schema else "array" if "items" in schema or "prefixItems" in schema else None
    )
    if kind == "null":
        return None
    if kind == "string" and "example" in schema and isinstance(schema["example"], (int, float, bool)):
        written = str(schema["example"])  # upstream's `code: {type: string, example: 404}`
        if written.isdigit():
            written = written.zfill(schema.get("minLength", 0))  # Telstra's 10-digit number, example 401234567
        if fits(spec, written, schema):
            return written
    if kind == "object":
        if depth >= MAX_DEPTH or not within:
            return {}
        properties = (schema.get("properties") or {}).items()
        return {name: built_example(spec, prop, depth + 1, budget) for name, prop in properties}
    if kind == "array":
        if depth >= MAX_DEPTH or not within:
            return []
        prefix = [built_example(spec, item, depth + 1, budget) for item in schema.get("prefixItems") or []]
        if prefix and schema.get("items") is False:
            return prefix
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        fewest = schema.get("minItems", 0)
        if not fewest and depth + 1 >= MAX_DEPTH:
            return prefix  # its items would be cut, missing what they require (InfluxDB's health checks' checks)
        item = built_example(spec, items, depth + 1, budget)
        if not fewest and "oneOf" in (resolved(spec, items) or {}) and not fits(spec, item, items):
            return prefix  # no item meets exactly one branch (InfluxDB's AST statements overlap): none is listed
        return prefix + [item] * max(1 - len(prefix), fewest)
    return plain_value(kind, schema)


def built_choice(spec: dict, schema: dict, choice: str, depth: int, budget: Budget):
    """A value of the schema's first `choice` branch, with what the schema says beside the branches
    (InfluxDB's DBRP: properties beside a oneOf of `required` lists). Of a oneOf, the value leaves
    out what only the other branches require, so that it meets its branch alone."""
    branch = schema[choice][0]
    value = built_example(spec, branch, depth + 1, budget)
    beside = {key: part for key, part in schema.items() if key not in (choice, "discriminator")}
    if not (beside.keys() & {"type", "properties", "allOf"}) or not isinstance(value, (dict, type(None))):
        return value
    shared = built_example(spec, beside, depth + 1, budget)
    if not isinstance(shared, dict):
        return value
    value = {**shared, **(value or {})}
    if choice == "oneOf":
        mine = {*required_of(spec, branch), *beside.get("required", ())}
        theirs = {name for other in schema[choice][1:] for name in required_of(spec, other)}
        value = {name: part for name, part in value.items() if name in mine or name not in theirs}
    return value


def required_of(spec: dict, schema) -> list:
    schema = resolved(spec, schema)
    required = schema.get("required") if isinstance(schema, dict) else None
    return required if isinstance(required, list) else []


def with_siblings(spec: dict, schema, depth: int = 0):
    """A 3.1 schema with its `$ref`s followed: each target's words, and each `$ref`'s siblings over them."""
    target = referred(spec, schema)
    if target is schema or depth > MAX_REF_CHAIN:
        return schema
    target = with_siblings(spec, target, depth + 1)
    siblings = {key: value for key, value in schema.items() if key != "$ref"}
    return {**target, **siblings} if siblings and isinstance(target, dict) else target


def referred(spec: dict, schema):
    """What `schema`'s local `$ref` points to, one step (`schema` itself where it has none)."""
    if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/")):
        return schema
    target = pointed(spec, urllib.parse.unquote(schema["$ref"][1:]))
    return {} if target is MISSING else target


def one_type(kind):
    """The type to build a value of: OpenAPI 3.0's one, or the first of 3.1's list other than null."""
    if isinstance(kind, list):
        named = [each for each in kind if each != "null"]
        return named[0] if named else ("null" if kind else None)
    return kind


def bound(schema: dict, inclusive: str, exclusive: str) -> tuple[float | None, bool]:
    """A numeric bound, and whether it is excluded: 3.1's `exclusiveMinimum: 0`, or 3.0's `minimum: 0, exclusiveMinimum: true`."""
    value, is_open = schema.get(inclusive), schema.get(exclusive) is True
    excluded = schema.get(exclusive)
    numeric = isinstance(excluded, (int, float)) and not isinstance(excluded, bool)
    if numeric and (value is None or (excluded >= value if inclusive == "minimum" else excluded <= value)):
        value, is_open = excluded, True
    return (value if isinstance(value, (int, float)) else None), is_open


def number_value(schema: dict, integer: bool):
    """A number within the schema's bounds: the lowest allowed (1 past an excluded one), else at most 0."""
    low, low_open = bound(schema, "minimum", "exclusiveMinimum")
    high, high_open = bound(schema, "maximum", "exclusiveMaximum")
    if low is not None:
        value = math.floor(low) + 1 if integer and low_open else math.ceil(low) if integer else low + low_open
        if high is not None and (value > high or (value == high and high_open)):
            value = (low + high) / 2
    elif high is not None:
        value = min(
            0, math.ceil(high) - 1 if integer and high_open else math.floor(high) if integer else high - high_open
        )
    else:
        value = 0
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
        multiple = math.ceil(value / step) * step
        value = multiple + step if low is not None and low_open and multiple <= low else multiple
    return int(value) if integer else value


def plain_value(kind: str | None, schema: dict):
    if kind in ("integer", "number"):
        return number_value(schema, kind == "integer")
    if kind == "boolean":
        return False
    if kind == "string":
        written = re_parser.matching(schema["pattern"]) if isinstance(schema.get("pattern"), str) else None
        if written is not None and schema.get("minLength", 0) <= len(written) <= schema.get("maxLength", len(written)):
            return written
        formats = {
            "date-time": "2024-01-01T00:00:00Z",
            "date": "2024-01-01",
            "time": "00:00:00Z",
            "uri": "https://example.com/",
            "url": "https://example.com/",
            "uuid": "00000000-0000-4000-8000-000000000000",
            "email": "user@example.com",
            "hostname": "example.com",
            "ipv4": "192.0.2.1",
            "ipv6": "2001:db8::1",
        }
        if schema.get("format") == "date-time" and schema.get("minLength", 0) > len(formats["date-time"]):
            # a document that asks for fractions of a second by length (Telstra's 24: milliseconds)
            return f"2024-01-01T00:00:00.{'0' * max(1, schema['minLength'] - 21)}Z"
        if schema.get("format") in formats:
            return formats[schema["format"]]
        return "x" * schema.get("minLength", 0)
    return None if schema.get("nullable") or kind is None else {}


def fits(spec: dict, value, schema: dict) -> bool:
    """Whether `value` meets `schema` (its local `$ref`s resolved); OpenAPI's nullable read as JSON Schema's null."""
    return judge(spec, schema)(value)


def judge(spec: dict, schema: dict):
    """`fits` for many values of one schema: the schema read once."""
    plain = _plain_schema(spec, schema, 0, {})
    # The validator copies the inlined schema as a tree: a recursive oneOf of oneOfs (InfluxDB's
    # Flux AST: twenty kinds of expression, each holding expressions) is 20**12 nodes, which no
    # memory holds. Such a schema is judged cut shallower, what lies past the cut taken as it is.
    cut = 0
    while tree_size(plain, {}) > MAX_SCHEMA_NODES and cut < MAX_DEPTH:
        cut += 1
        plain = _plain_schema(spec, schema, cut, {})
    try:
        if dialect.is_31(spec):
            validate = dialect.schema_dialect(spec)(plain).validate
        else:
            # Formats too, as a checker judges answers (Schemathesis with jsonschema-rs): an
            # example whose `format: uri` is a relative path must not be served as the answer.
            validate = jsonschema_rs.Draft4Validator(plain, validate_formats=True).validate
    except Exception:
        return lambda value: False

    def judged(value) -> bool:
        try:
            validate(value)
        except Exception:  # any schema the validator cannot read is treated as not met
            return False
        return True

    return judged


def tree_size(node, sizes: dict) -> int:
    """How many nodes `node` has once every shared part is copied (as a validator copies it)."""
    if not isinstance(node, (dict, list)):
        return 1
    if id(node) not in sizes:
        children = node.values() if isinstance(node, dict) else node
        sizes[id(node)] = min(1 + sum(tree_size(child, sizes) for child in children), 10 * MAX_SCHEMA_NODES)
    return sizes[id(node)]


def _plain_schema(spec: dict, schema, depth: int, made: dict):
    """`schema` inlined for jsonschema; `made` keeps each (schema, depth) made once, so that
    `$ref`s that fan out share what they refer to instead of copying it again and again."""
    if isinstance(schema, dict) and "$ref" in schema and len(schema) > 1 and dialect.is_31(spec):
        siblings = {key: value for key, value in schema.items() if key != "$ref"}  # 3.1: they count too
        if depth > MAX_DEPTH:
            return {}
        target = _plain_schema(spec, referred(spec, schema), depth + 1, made)
        return {"allOf": [target], **_plain_schema_once(spec, siblings, depth, made)}
    schema = resolved(spec, schema) if not dialect.is_31(spec) else _followed(spec, schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return {} if schema is not False else False
    if "$ref" in schema:  # a 3.1 chain whose next link has siblings
        return _plain_schema(spec, schema, depth + 1, made)
    key = (id(schema), depth)
    if key not in made:
        made[key] = _plain_schema_once(spec, schema, depth, made)
    return made[key]


def _followed(spec: dict, schema):
    """A 3.1 schema's chain of bare `$ref`s followed, up to the first link with siblings."""
    for _ in range(MAX_REF_CHAIN):
        if not (isinstance(schema, dict) and set(schema) == {"$ref"}):
            return schema
        schema = referred(spec, schema)
    return {}


def _plain_schema_once(spec: dict, schema: dict, depth: int, made: dict):
    # 3.0's `format` is checked (jsonschema-rs knows the formats Schemathesis checks answers by);
    # 3.1's validator checks formats by its own vocabulary, which jsonschema reads from `format`.
    dropped = ("example", "nullable", "format") if dialect.is_31(spec) else ("example", "nullable")
    plain = {key: value for key, value in schema.items() if key not in dropped}
    if isinstance(plain.get("properties"), dict):
        properties = plain["properties"].items()
        plain["properties"] = {name: _plain_schema(spec, sub, depth + 1, made) for name, sub in properties}
    for key in ("items", "not", "additionalProperties", "if", "then", "else", "contains", "propertyNames"):
        if isinstance(plain.get(key), dict):
            plain[key] = _plain_schema(spec, plain[key], depth + 1, made)
    for key in ("allOf", "oneOf", "anyOf", "prefixItems"):
        if isinstance(plain.get(key), list):
            plain[key] = [_plain_schema(spec, sub, depth + 1, made) for sub in plain[key]]
    if (
        schema.get("nullable") and "type" in plain and not dialect.is_31(spec)
    ):  # 3.1 has no `nullable`: null is in `type`
        plain["type"] = [plain["type"], "null"] if isinstance(plain["type"], str) else [*plain["type"], "null"]
    return plain


@dataclass(frozen=True)
class Texts:
    """What the document says GET /chats answers, so that the mock says it too."""

    success: str  # the 200 answer's message
    unauthorized: str  # the 401 answer's message
    logged_out: dict  # the 500 answer: what upstream answers with no WhatsApp session
    device_not_found: dict  # the 404 answer
    default_limit: int  # what `limit` is when not given


def texts(spec: dict) -> Texts:
    """From the document's GET /chats answers; a status it does not document (or a document
    without GET /chats) is answered as the bundled spec does."""
    chat_list = find_operation(spec, CHAT_LIST)
    if chat_list is None:
        return texts(load(SPEC_FILE))
    operation = chat_list.document
    answers = operation_answers(spec, operation)
    bundled = None if spec is load(SPEC_FILE) else texts(load(SPEC_FILE))

    def envelope(status: int) -> dict | None:
        answer = answers.get(status)
        if answer is not None and isinstance(answer.body, dict) and isinstance(answer.body.get("message"), str):
            return dict(answer.body)
        if bundled is None:
            raise SpecError(f"the spec has no {status} answer with a message for GET /chats")
        return None

    success, unauthorized, logged_out, not_found = (envelope(status) for status in (200, 401, 500, 404))
    return Texts(
        success["message"] if success else bundled.success,
        unauthorized["message"] if unauthorized else bundled.unauthorized,
        logged_out or bundled.logged_out,
        not_found or bundled.device_not_found,
        default_limit(spec) or bundled.default_limit,
    )


def default_limit(spec: dict) -> int | None:
    chat_list = collection(spec)
    return chat_list.paging.size.default if chat_list is not None else None
