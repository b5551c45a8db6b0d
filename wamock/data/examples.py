"""The answers an OpenAPI document gives for an operation: its examples, or one built from its schema.

Upstream's document puts its examples on schema properties, not on responses; like connexion's
mock resolver, a body is then built from them. Unlike it, the built body always meets its
schema: a property example of the wrong type (upstream's `code: {type: string, example: 404}`)
is converted or replaced, `$ref`, `allOf`, `oneOf` and `anyOf` are followed, and a property with
no example gets a plain value of its type.
"""

import functools
from dataclasses import dataclass

from jsonschema import Draft4Validator

from wamock.data.collections import collection
from wamock.data.operations import CHAT_LIST, METHODS, operation_key
from wamock.data.operations import operation as find_operation
from wamock.data.paths import SPEC_FILE
from wamock.data.spec import SpecError, load, resolved

JSON = "application/json"
MISSING = object()  # no value found
MAX_DEPTH = 12  # a recursive schema (a tree of replies) is cut here
MAX_VALUES = 10_000  # values in one built answer at most


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
    for status, response in (operation.get("responses") or {}).items():
        if str(status).isdigit():
            answers[int(status)] = response_answer(spec, int(status), resolved(spec, response))
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
            return Answer(status, value, media_type, "example")
    if isinstance(schema, dict) and "example" in schema and fits(spec, schema["example"], schema):
        return Answer(status, schema["example"], media_type, "example")
    return Answer(status, built_example(spec, schema), media_type, "built")


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
    schema = resolved(spec, schema)
    if not isinstance(schema, dict):
        return None
    within = budget.spend()
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = built_example(spec, part, depth + 1, budget)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            return built_example(spec, schema[choice][0], depth + 1, budget)
    if "example" in schema and fits(spec, schema["example"], schema):
        return schema["example"]
    if "default" in schema and fits(spec, schema["default"], schema):
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type") or ("object" if "properties" in schema else "array" if "items" in schema else None)
    if kind == "string" and "example" in schema and isinstance(schema["example"], (int, float, bool)):
        return str(schema["example"])  # upstream's `code: {type: string, example: 404}`
    if kind == "object":
        if depth >= MAX_DEPTH or not within:
            return {}
        properties = (schema.get("properties") or {}).items()
        return {name: built_example(spec, prop, depth + 1, budget) for name, prop in properties}
    if kind == "array":
        if depth >= MAX_DEPTH or not within:
            return []
        return [built_example(spec, schema.get("items") or {}, depth + 1, budget)] * max(1, schema.get("minItems", 1))
    return plain_value(kind, schema)


def plain_value(kind: str | None, schema: dict):
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "string":
        formats = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "uri": "https://example.com/"}
        if schema.get("format") in formats:
            return formats[schema["format"]]
        if "pattern" in schema:
            text = matching(schema["pattern"], int(schema.get("minLength") or 0), schema.get("maxLength"))
            if text is not MISSING:
                return text
        return "x" * schema.get("minLength", 0)
    return None if schema.get("nullable") or kind is None else {}


@functools.lru_cache(maxsize=256)
def matching(pattern: str | None, shortest: int, longest: int | None):
    """The first text Hypothesis finds that matches `pattern` within the lengths; MISSING if none.
    A pattern (`^AC[0-9a-fA-F]{32}$`) is a rule a built value must keep as much as a type."""
    if pattern is None:
        return "a" * max(shortest, 1)
    import hypothesis  # here: a second of imports that a document without patterns never pays
    from hypothesis import strategies

    try:
        # Hypothesis's first match, the same every time (derandomized); not shrunk, which costs seconds.
        return hypothesis.find(
            strategies.from_regex(pattern, fullmatch=True).filter(
                lambda value: shortest <= len(value) <= (longest if longest is not None else len(value))
            ),
            lambda _: True,
            settings=hypothesis.settings(
                database=None, max_examples=200, derandomize=True, phases=[hypothesis.Phase.generate]
            ),
        )
    except Exception:  # no match found, or a pattern Python's re cannot read
        return MISSING


def fits(spec: dict, value, schema: dict) -> bool:
    """Whether `value` meets `schema` (its local `$ref`s resolved); OpenAPI's nullable read as JSON Schema's null."""
    try:
        Draft4Validator(_plain_schema(spec, schema, 0, {})).validate(value)
    except Exception:  # any schema jsonschema cannot read is treated as not met
        return False
    return True


def _plain_schema(spec: dict, schema, depth: int, made: dict):
    """`schema` inlined for jsonschema; `made` keeps each (schema, depth) made once, so that
    `$ref`s that fan out share what they refer to instead of copying it again and again."""
    schema = resolved(spec, schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return {}
    key = (id(schema), depth)
    if key not in made:
        made[key] = _plain_schema_once(spec, schema, depth, made)
    return made[key]


def _plain_schema_once(spec: dict, schema: dict, depth: int, made: dict):
    plain = {key: value for key, value in schema.items() if key not in ("example", "nullable", "format")}
    if isinstance(plain.get("properties"), dict):
        properties = plain["properties"].items()
        plain["properties"] = {name: _plain_schema(spec, sub, depth + 1, made) for name, sub in properties}
    if isinstance(plain.get("items"), dict):
        plain["items"] = _plain_schema(spec, plain["items"], depth + 1, made)
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(plain.get(key), list):
            plain[key] = [_plain_schema(spec, sub, depth + 1, made) for sub in plain[key]]
    if schema.get("nullable") and "type" in plain:
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
