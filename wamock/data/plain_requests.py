"""A plain valid request of a document's operation: its required parameters filled from the
document (a parameter's example, its schema's example, default or first enum value, else a
value built from its schema), each one its schema takes. The banner's `try:` line is one; the
tests send one to every GET operation of real documents.
"""

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from wamock.adapters import re_parser
from wamock.data.examples import built_example, fits
from wamock.data.operations import Operation, Parameter, operations
from wamock.data.spec import resolved

MISSING = object()  # no value the document gives


@dataclass(frozen=True)
class PlainRequest:
    operation: Operation
    target: str  # the path with its parameters filled in, and the query, under no server path
    headers: dict[str, str]  # its required header parameters (credentials are the caller's: wamock.check.credentials)


def plain_request(spec: dict, operation: Operation) -> PlainRequest | None:
    """The request, or None where a required parameter has no value the document gives."""
    path, query, headers = operation.path, {}, {}
    for parameter in operation.parameters:
        if not parameter.required and parameter.location != "path":
            continue
        value = sample(spec, operation, parameter)
        if value is MISSING:
            return None
        text = as_text(value)
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", urllib.parse.quote(text, safe=""))
        elif parameter.location == "query":
            query[parameter.name] = text
        elif parameter.location == "header":
            headers[parameter.name] = text
        else:
            return None  # a required cookie: not a plain request
    target = path + ("?" + urllib.parse.urlencode(query) if query else "")
    return PlainRequest(operation, target, headers)


def plain_gets(spec: dict) -> Iterator[PlainRequest]:
    """A plain request of each GET operation that has one, those needing fewest values first
    (each made when asked for: the first is all a banner needs)."""
    gets = [op for op in operations(spec).values() if op.method == "GET"]
    for operation in sorted(gets, key=lambda op: sum(p.required or p.location == "path" for p in op.parameters)):
        request = plain_request(spec, operation)
        if request is not None:
            yield request


def sample(spec: dict, operation: Operation, parameter: Parameter):
    """A value of the parameter that its schema takes, from the document; MISSING if none."""
    path_item = resolved(spec, (spec.get("paths") or {}).get(operation.path)) or {}
    # The operation's own declaration wins over its path's, as in `operations`.
    declarations = [*(operation.document.get("parameters") or []), *(path_item.get("parameters") or [])]
    declared = next(
        (
            resolved(spec, p)
            for p in declarations
            if isinstance(resolved(spec, p), dict) and resolved(spec, p).get("name") == parameter.name
        ),
        {},
    )
    given = [declared["example"]] if "example" in declared else []
    for example in (declared.get("examples") or {}).values():
        example = resolved(spec, example)
        if isinstance(example, dict) and "value" in example:
            given.append(example["value"])
    return first_fitting(spec, given, parameter.schema)


def first_fitting(spec: dict, given: list, schema: dict) -> object:
    """The first of `given`, else of the schema's example, default, first enum value and built
    value, that the schema takes and that is not empty; else the simplest text it takes, or,
    for an array, one item; MISSING if none."""
    candidates = [*given, schema.get("example"), schema.get("default"), *(schema.get("enum") or [])[:1]]
    candidates.append(built_example(spec, schema))
    for value in candidates:
        if value is not None and as_text(value) != "" and fits(spec, value, schema):
            return value
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        # One item: the same request whether the array is exploded or comma-separated.
        item = first_fitting(spec, [], resolved(spec, schema["items"]))
        return [item] if item is not MISSING and fits(spec, [item], schema) else MISSING
    return text_of(spec, schema)


def text_of(spec: dict, schema) -> object:
    """The simplest string the schema takes, from its pattern and lengths; MISSING if none is found."""
    if not isinstance(schema, dict) or schema.get("type") not in ("string", None):
        return MISSING
    pattern = schema.get("pattern")
    value = re_parser.matching(pattern) if isinstance(pattern, str) else "a" * max(int(schema.get("minLength") or 1), 1)
    return value if value is not None and fits(spec, value, schema) else MISSING


def as_text(value) -> str:
    """A value as a parameter carries it: booleans in lower case, a list as comma-separated values."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(map(as_text, value))
    return str(value)
