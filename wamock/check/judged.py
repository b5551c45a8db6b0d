"""The document as the checker reads it: what its own rules imply may be answered.

Schemathesis' cases and the document's checks of every answer (`wamock.check.engine`) read the
user's document through `judged_document`, which states what the document leaves implicit and
reads what it cannot mean literally:

- an operation behind a security scheme may answer 401; one that takes input, 400; one whose
  path names a resource, 404 (each where its responses omit it);
- header parameters named Accept, Content-Type or Authorization are not asked for (OpenAPI
  says to ignore them), nor those that frame the message (InfluxDB's `Content-Length: integer`
  on POST /write): the HTTP client sets them from the body, and one made up breaks the request
  before any server reads it (a 400 "malformed HTTP request" judged as the operation's answer);
- a form's string fields are untyped (in a form every value is text), and a form's schema that
  gives properties without a type is an object's;
- a `oneOf` whose branches no value can tell apart (nexmo's two 404 errors of one shape: every
  branch's own example meets every other branch) is read as `anyOf`: no answer could meet
  exactly one, so none is blamed for meeting several.
"""

import copy

from wamock.data import dialect, examples
from wamock.data import spec as spec_module
from wamock.data.operations import METHODS, names_a_resource, operation_key

# Headers that frame an HTTP/1.1 message, which its client writes (RFC 9112).
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection"})

# Where the judged document keeps the statuses it added to each operation ("POST /pet": ["401",
# "400"]), so that a report names only what the user's document lists as documented.
IMPLIED = "x-wamock-implied-statuses"

# Where a document holds values, not schemas: a `oneOf` key inside one is data.
VALUE_WORDS = frozenset({"example", "examples", "default", "enum", "const"})


def judged_document(spec: dict) -> dict:
    """The document as the checker reads it (see the module's docstring). An operation behind a
    security scheme may answer 401 (refusing credentials is what the scheme says; upstream's
    document lists 401 for 6 of 89 operations), and one that takes parameters or a body may
    answer 400 to a request the document does not allow (which is what Schemathesis'
    negative_data_rejection asks for) though its responses omit them."""
    judged = copy.deepcopy(dialect.without_ignored_headers(spec, dialect.IGNORED_HEADERS | FRAMING_HEADERS))
    read_indistinct_one_of_as_any_of(judged, judged)
    implied = judged.setdefault(IMPLIED, {})
    default_security = judged.get("security") or []
    for path, path_item in (judged.get("paths") or {}).items():
        for method, operation in (path_item or {}).items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            given = set(map(str, responses))
            if operation.get("security", default_security) and "401" not in responses:
                responses["401"] = {"description": "Credentials missing or refused (the operation's security scheme)"}
            takes_input = operation.get("parameters") or path_item.get("parameters") or operation.get("requestBody")
            if takes_input and "400" not in responses:
                responses["400"] = {"description": "A request the document does not allow"}
            if names_a_resource(path) and "404" not in responses:
                responses["404"] = {"description": "Nothing at this path (its parameters name no resource)"}
            added = [status for status in map(str, responses) if status not in given]
            if added:
                implied[operation_key(method, path)] = added
            for media_type, media in (
                (spec_module.resolved(judged, operation.get("requestBody")) or {}).get("content", {}).items()
            ):
                if media_type in FORM_MEDIA_TYPES and isinstance(media, dict):
                    media["schema"] = text_fields(judged, media.get("schema") or {})
    return judged


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
FILE_FORMATS = ("binary", "base64")


def text_fields(spec: dict, schema: dict) -> dict:
    """A form body's schema with its string fields untyped: in a form every value is text, so a
    server cannot tell the string "true" from the boolean Schemathesis meant as invalid."""
    schema = copy.deepcopy(spec_module.resolved(spec, schema))
    if "type" not in schema and isinstance(schema.get("properties"), dict):
        # A form's fields are an object's, written or not (Discourse's POST /uploads.json): without
        # the type, openapi-core reads every field as bytes, and no valid form was valid.
        schema["type"] = "object"
    for name, field_schema in (schema.get("properties") or {}).items():
        field_schema = spec_module.resolved(spec, field_schema)
        if field_schema.get("type") == "string" and field_schema.get("format") not in FILE_FORMATS:
            schema["properties"][name] = {key: value for key, value in field_schema.items() if key != "type"}
    return schema


def read_indistinct_one_of_as_any_of(document: dict, node, depth: int = 0) -> None:
    """Each `oneOf` under `node` whose branches no value tells apart becomes `anyOf`, in place."""
    if depth > 64:
        return
    if isinstance(node, list):
        for item in node:
            read_indistinct_one_of_as_any_of(document, item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    branches = node.get("oneOf")
    if isinstance(branches, list) and len(branches) > 1 and indistinct(document, node):
        node["anyOf"] = node.pop("oneOf")
    for key, value in node.items():
        if key not in VALUE_WORDS:
            read_indistinct_one_of_as_any_of(document, value, depth + 1)


def indistinct(document: dict, node: dict) -> bool:
    """Whether every branch's own example meets every other branch: then a value meeting one
    meets them all, as far as the document shows, and `oneOf` can never hold. Each example is
    the branch's with what the schema says beside the branches (InfluxDB's DBRP: properties
    beside a oneOf of `required` lists, one naming `orgID`, the other `org`, told apart)."""
    branches = node["oneOf"]
    judges: dict[int, object] = {}  # each branch's schema read once, and only if asked
    try:
        # Lazily, branch by branch: most oneOfs are told apart by the first example that does not
        # meet another branch's schema (InfluxDB's Flux expressions, 23 recursive branches).
        for at, branch in enumerate(branches):
            value = examples.built_example(document, {**node, "oneOf": [branch, *branches[:at], *branches[at + 1 :]]})
            for other, other_branch in enumerate(branches):
                if other not in judges:
                    judges[other] = examples.judge(document, other_branch)
                if not judges[other](value):
                    return False
        return True
    except (RecursionError, ValueError, TypeError):
        return False
