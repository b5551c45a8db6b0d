"""The operations of an OpenAPI document, read once: what the mock, its fast path and the checker
ask of each (its parameters, their types, bounds, defaults and enums, its security), so that
none of them reads the document's parameters, or types a default, a bound or a rule, itself.

A parameter's `read` is the one definition of how a query value is read by its schema: an
integer is ASCII digits with an optional sign, as upstream's Go parser (strconv.Atoi) reads it,
within the schema's bounds and its format's (int32, int64); a boolean is `true` or `false` in
any letter case, as connexion reads it; an `enum` allows only its values.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from openapi_schema_validator import oas30_format_checker

from wamock.data.query import INTEGER
from wamock.data.spec import resolved

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# The operations wamock implements itself, in any document that has them (handlers/chats.py).
CHAT_LIST = "GET /chats"
CHAT_ARCHIVE = "POST /chat/{chat_jid}/archive"
MESSAGE_LIST = "GET /chat/{chat_jid}/messages"


def operation_key(method: str, path: str) -> str:
    """How wamock names an operation everywhere (routing, Prefer, answers, rules): `GET /chats`."""
    return f"{method.upper()} {path}"


def routing_order(path: str) -> tuple[bool, ...]:
    """How OpenAPI matches paths: segment by segment, a concrete one before a template
    (`/numbers/Local.json` before `/numbers/{Sid}.json`); paths in the document's order otherwise."""
    return tuple("{" in segment for segment in path.split("/"))


def names_a_resource(path: str) -> bool:
    """Whether a path's parameters name what lies there (`/pets/{petId}`): it may answer 404,
    documented or not, since no parameter's schema can say which values name something."""
    return "{" in str(path)


def template_pattern(path: str) -> re.Pattern:
    """`/devices/{device_id}` as a pattern that the path of a request fully matches, capturing
    each parameter's value (raw, as in the URL), in the template's order."""
    return re.compile("([^/]+)".join(map(re.escape, re.split(r"\{[^/}]+\}", path))) + r"\Z")


@dataclass(frozen=True)
class DocumentPath:
    template: str  # as the document writes it: `/devices/{device_id}`
    pattern: re.Pattern  # its `template_pattern`
    methods: tuple[str, ...]  # upper case, as `operation_key` writes them


class PathTable:
    """The document's paths in `routing_order`, each with its methods: which documented path a
    request's path is (the first that matches, as OpenAPI routes), and every path it could be.
    The one table the mock's error answers and the checker's rules route by."""

    def __init__(self, methods: Mapping[str, Iterable[str]]) -> None:
        ordered = sorted(methods.items(), key=lambda item: routing_order(item[0]))
        self.paths = tuple(
            DocumentPath(template, template_pattern(template), tuple(method.upper() for method in path_methods))
            for template, path_methods in ordered
        )

    @classmethod
    def of(cls, spec: dict) -> "PathTable":
        """The table of a whole document (a path with no operation routes too, to no method)."""
        methods = {}
        for path, path_item in (spec.get("paths") or {}).items():
            path_item = resolved(spec, path_item)
            methods[str(path)] = [method for method in METHODS if isinstance(path_item, dict) and method in path_item]
        return cls(methods)

    def route(self, path: str) -> DocumentPath | None:
        """The documented path a request's path is, if any."""
        return next(self.matching(path), None)

    def matching(self, path: str) -> Iterator[DocumentPath]:
        """Every documented path a request's path could be, first the one it routes to."""
        return (found for found in self.paths if found.pattern.match(path))


class Invalid(ValueError):
    """A value the parameter's schema refuses."""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query", "header", "path" or "cookie"
    schema: Mapping = field(default_factory=dict, compare=False)
    required: bool = False
    allows_empty: bool = False  # `allowEmptyValue`: a query parameter may be given as `name=` (OpenAPI: not by default)

    @property
    def kind(self) -> str | None:
        return self.schema.get("type")

    @property
    def default(self):
        return self.schema.get("default")

    @property
    def minimum(self) -> int | float | None:
        return self.schema.get("minimum")

    @property
    def maximum(self) -> int | float | None:
        return self.schema.get("maximum")

    @property
    def enum(self) -> tuple | None:
        values = self.schema.get("enum")
        return tuple(values) if isinstance(values, list) else None

    def read(self, raw: str):
        """The value `raw` stands for; Invalid if the schema refuses it."""
        if self.kind == "integer":
            if not INTEGER.fullmatch(raw):
                raise Invalid(f"{self.name}: must be an integer")
            value = int(raw)
            if self.minimum is not None and value < self.minimum:
                raise Invalid(f"{self.name}: must be no less than {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise Invalid(f"{self.name}: must be no greater than {self.maximum}")
            if not oas30_format_checker.conforms(value, self.schema.get("format")):
                # in the words of connexion's path (jsonschema's), which the fast path must match
                raise Invalid(f"{self.name}: {value!r} is not a {self.schema['format']!r}")
        elif self.kind == "boolean":
            lowered = raw.lower()
            if lowered not in ("true", "false"):
                raise Invalid(f"{self.name}: must be true or false")
            value = lowered == "true"
        else:
            value = raw
        if self.enum is not None and value not in self.enum:
            raise Invalid(f"{self.name}: must be one of {', '.join(map(str, self.enum))}")
        return value


@dataclass(frozen=True)
class Operation:
    method: str  # "GET"
    path: str  # "/chats", as the document writes it
    parameters: tuple[Parameter, ...] = ()
    security: tuple[Mapping, ...] = ()  # requirements, any one of which is enough; () is open
    document: Mapping = field(default_factory=dict, compare=False, repr=False)  # the operation object itself

    @property
    def key(self) -> str:
        return operation_key(self.method, self.path)

    def query(self) -> dict[str, Parameter]:
        return {parameter.name: parameter for parameter in self.parameters if parameter.location == "query"}

    def parameter(self, name: str, location: str = "query") -> Parameter | None:
        return next((p for p in self.parameters if p.name == name and p.location == location), None)


def operations(spec: dict) -> dict[str, Operation]:
    """Every operation of the document by its key ("GET /chats"), in the document's order."""
    found = {}
    default_security = spec.get("security") or []
    for path, path_item in (spec.get("paths") or {}).items():
        path_item = resolved(spec, path_item)
        if not isinstance(path_item, dict):
            continue
        shared = parameters_of(spec, path_item.get("parameters"))
        for method in METHODS:
            operation = path_item.get(method)
            if not isinstance(operation, dict):
                continue
            own = parameters_of(spec, operation.get("parameters"))
            # An operation's parameter overrides the path's of the same name and location.
            merged = {(p.name, p.location): p for p in (*shared, *own)}
            security = operation.get("security", default_security) or []
            found[operation_key(method, path)] = Operation(
                method.upper(),
                str(path),
                tuple(merged.values()),
                tuple(requirement for requirement in security if isinstance(requirement, dict)),
                operation,
            )
    return found


def operation(spec: dict, key: str) -> Operation | None:
    return operations(spec).get(key)


def parameters_of(spec: dict, declared) -> list[Parameter]:
    parameters = []
    for parameter in declared if isinstance(declared, list) else []:
        parameter = resolved(spec, parameter)
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            continue
        schema = resolved(spec, parameter.get("schema") or {})
        parameters.append(
            Parameter(
                parameter["name"],
                str(parameter.get("in")),
                schema if isinstance(schema, dict) else {},
                bool(parameter.get("required")),
                parameter.get("allowEmptyValue") is True,
            )
        )
    return parameters
