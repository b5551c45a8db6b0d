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
    headers: dict[str, str]
    basic: bool  # the operation takes HTTP Basic credentials (wamock's accounts)


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
    return PlainRequest(operation, target, headers, takes_basic(spec, operation))


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
    declared = next(
        (
            resolved(spec, p)
            for p in operation.document.get("parameters") or []
            if isinstance(resolved(spec, p), dict) and resolved(spec, p).get("name") == parameter.name
        ),
        {},
    )
    schema = parameter.schema
    candidates = []
    if "example" in declared:
        candidates.append(declared["example"])
    for example in (declared.get("examples") or {}).values():
        example = resolved(spec, example)
        if isinstance(example, dict) and "value" in example:
            candidates.append(example["value"])
    for key in ("example", "default"):
        if key in schema:
            candidates.append(schema[key])
    if schema.get("enum"):
        candidates.append(schema["enum"][0])
    candidates.append(built_example(spec, schema))
    for value in candidates:
        if value is not None and as_text(value) != "" and fits(spec, value, schema):
            return value
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


def takes_basic(spec: dict, operation: Operation) -> bool:
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    for requirement in operation.security:
        for name in requirement:
            scheme = resolved(spec, schemes.get(name))
            if (
                isinstance(scheme, dict)
                and scheme.get("type") == "http"
                and scheme.get("scheme", "").lower() == "basic"
            ):
                return True
    return False


def needs_other_scheme(spec: dict, operation: Operation) -> bool:
    """Whether every way the operation's security allows needs a scheme other than HTTP Basic."""
    if not operation.security:
        return False
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}

    def basic(name: str) -> bool:
        scheme = resolved(spec, schemes.get(name))
        return isinstance(scheme, dict) and scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic"

    return not any(all(basic(name) for name in requirement) for requirement in operation.security)
