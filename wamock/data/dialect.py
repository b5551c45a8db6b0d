"""The document's dialect: which OpenAPI versions wamock serves, and how an OpenAPI 3.1 document is
served by connexion 3.3, which reads only 3.0 (its 3.1 support, PR #1951, is not released).

connexion gets a 3.0 view of a 3.1 document (`connexion_view`): the same paths, operations,
parameters, bodies, responses and security, each schema in it rewritten to its nearest 3.0 form
(`type: [integer, "null"]` to `type: integer, nullable: true`, `const` to a one-value `enum`, a
numeric `exclusiveMinimum` to `minimum` and `exclusiveMinimum: true`; what 3.0 has no word for,
such as `prefixItems` or `unevaluatedProperties`, left out). connexion routes, parses parameters,
reads bodies and checks security by that view; it never judges a value by it. Each parameter's and
each request body's schema in the view carries, under `x-wamock-dialect`, where its own schema is
in the user's document, and `validator` judges values by that schema with JSON Schema 2020-12
(or the document's `jsonSchemaDialect`), as OpenAPI 3.1 says. Everything else in wamock (the
answers, the published document, the checker) reads the user's document itself.
"""

import copy
import re
import urllib.parse
from functools import lru_cache

from jsonschema import Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator, ValidationError
from jsonschema.validators import extend, validator_for
from openapi_schema_validator import oas31_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from wamock.data import document as document_module  # which imports this module: its names are read when called

MARK = "x-wamock-dialect"  # in the view: where a schema connexion validates by is in the user's document
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CONVERT_SWAGGER = "npx swagger2openapi FILE -o openapi.yaml"

# The words of a 3.0 Schema Object whose values 3.1 writes the same way.
SCHEMA_WORDS = {
    "title", "multipleOf", "maximum", "minimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "maxProperties", "minProperties", "description", "format", "default", "readOnly", "writeOnly",
    "example", "externalDocs", "deprecated", "xml",
}  # fmt: skip
EXCLUSIVE_BOUNDS = (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum"))
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def check_version(document: dict, shown: str) -> None:
    """Refuse, in one line, a document whose version wamock does not serve: Swagger 2.0 or an OpenAPI other than 3.0 and 3.1."""
    if "swagger" in document and "openapi" not in document:
        raise document_module.SpecError(
            f"{shown}: Swagger {document['swagger']} is not served: convert it to OpenAPI 3 with"
            f" `{CONVERT_SWAGGER}` (or Swagger Editor's Edit > Convert to OpenAPI 3)"
        )
    version = document.get("openapi")
    if isinstance(version, str) and re.fullmatch(r"3\.\d+\.\d+(-.+)?", version) and not is_served(version):
        raise document_module.SpecError(
            f"{shown}: OpenAPI {version} is not served: wamock serves OpenAPI 3.0 and 3.1 documents"
        )


def is_served(version: str) -> bool:
    return version.startswith(("3.0.", "3.1."))


def is_31(document: dict) -> bool:
    return str(document.get("openapi", "")).startswith("3.1.")


def connexion_view(document: dict) -> dict:
    """What connexion is given to serve `document`: a 3.0 document as it is, a 3.1 one as its 3.0
    view; either without the header parameters OpenAPI says to ignore."""
    view = _View(document, register(document)).build() if is_31(document) else with_branches_named(document)
    return with_bare_body_media_types(without_ignored_headers(view))


BRANCH = "x-wamock-branch"  # in the view: the `$ref` a discriminated oneOf's or anyOf's branch was


def with_branches_named(document: dict) -> dict:
    """`document` with each branch of a discriminated oneOf or anyOf (`{$ref: X}`) naming itself
    (`BRANCH: X`), so that once connexion has inlined the `$ref`s a validator can still tell which
    branch the discriminator's value maps to (a copy where any is named)."""

    def named(node):
        if isinstance(node, list):
            copied = [named(each) for each in node]
            return copied if any(a is not b for a, b in zip(copied, node, strict=True)) else node
        if not isinstance(node, dict):
            return node
        copied = {key: named(value) for key, value in node.items()}
        if isinstance(node.get("discriminator"), dict):
            for choice in ("oneOf", "anyOf"):
                if isinstance(copied.get(choice), list):
                    copied[choice] = [
                        {**branch, BRANCH: branch["$ref"]}
                        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str)
                        else branch
                        for branch in copied[choice]
                    ]
            return copied
        return copied if any(copied[key] is not node[key] for key in node) else node

    return named(document)


# "If in is "header" and the name field is "Accept", "Content-Type" or "Authorization", the
# parameter definition SHALL be ignored" (OpenAPI 3.0.3 and 3.1, Parameter Object): Telstra's
# document requires a `Content-Type` header on its GETs, which connexion would demand.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def without_ignored_headers(document: dict, names: frozenset = IGNORED_HEADERS) -> dict:
    """`document` without its header parameters named in `names` (a copy where any is)."""

    def kept(parameters):
        if not isinstance(parameters, list):
            return parameters
        return [
            parameter
            for parameter in parameters
            if not (
                isinstance(resolved := document_module.resolved(document, parameter), dict)
                and resolved.get("in") == "header"
                and str(resolved.get("name", "")).lower() in names
            )
        ]

    paths = {}
    changed = False
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            paths[path] = item
            continue
        new_item = {**item, "parameters": kept(item["parameters"])} if "parameters" in item else dict(item)
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "parameters" in operation:
                new_item[method] = {**operation, "parameters": kept(operation["parameters"])}
        changed = changed or new_item != item
        paths[path] = new_item
    return {**document, "paths": paths} if changed else document


def with_bare_body_media_types(document: dict) -> dict:
    """`document` with its request bodies' media types named without parameters (a copy where any
    has one): connexion matches a request's Content-Type stripped of them, so InfluxDB's
    `application/json; charset=utf-8` refused every request, itself included, with 415."""

    def bare(body):
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not any(";" in str(name) for name in content):
            return body
        named = {}
        for name, media in content.items():
            plain = str(name).split(";", 1)[0].strip()
            named.setdefault(plain if plain not in content else name, media)
        return {**body, "content": named}

    paths = {}
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            item = {
                key: {**value, "requestBody": bare(value["requestBody"])}
                if key in METHODS and isinstance(value, dict) and "requestBody" in value
                else value
                for key, value in item.items()
            }
        paths[path] = item
    view = {**document, "paths": paths}
    components = document.get("components")
    if isinstance(components, dict) and isinstance(components.get("requestBodies"), dict):
        bodies = {name: bare(body) for name, body in components["requestBodies"].items()}
        view["components"] = {**components, "requestBodies": bodies}
    return view if view != document else document


# -- judging by the user's schemas ---------------------------------------------------------------

_REGISTRIES: dict[str, tuple[dict, Registry, type]] = {}  # a document's key: it, its registry, its validator class
_KEYS: dict[int, str] = {}  # id(document) -> key; the document is kept in _REGISTRIES, so its id stays its own


def schema_dialect(document: dict):
    """The jsonschema validator class a 3.1 document's schemas are read with: its `jsonSchemaDialect`
    where jsonschema knows it, else 2020-12 (OpenAPI 3.1's own dialect extends it with annotations only)."""
    named = document.get("jsonSchemaDialect")
    cls = validator_for({"$schema": named}, default=Draft202012Validator) if isinstance(named, str) else None
    return _LENIENT.get(cls or Draft202012Validator, cls)


def _exclusive(bound: str, inclusive: str):
    """Draft 6 on made `exclusiveMinimum` a number; a 3.1 document carried over from 3.0 may still
    write `minimum: 10, exclusiveMinimum: true`, meaning what Draft 4 means by it (as Prism reads it)."""

    def check(validator, value, instance, schema):
        if not isinstance(value, bool):
            yield from Draft202012Validator.VALIDATORS[bound](validator, value, instance, schema)
            return
        limit = schema.get(inclusive)
        if not value or not validator.is_type(instance, "number") or not isinstance(limit, (int, float)):
            return
        if (instance <= limit) if bound == "exclusiveMinimum" else (instance >= limit):
            side = "less" if bound == "exclusiveMinimum" else "greater"
            yield ValidationError(f"{instance!r} is {side} than or equal to the {inclusive} of {limit!r}")

    return check


_LENIENT = {
    cls: extend(cls, {name: _exclusive(name, inclusive) for name, inclusive in EXCLUSIVE_BOUNDS})
    for cls in (Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator)
}


def register(document: dict) -> str:
    """The key under which `document`'s schemas are found by `validator` (one per document object)."""
    key = _KEYS.get(id(document))
    if key is None:
        key = f"urn:wamock:document:{len(_REGISTRIES) + 1}"
        registry = Registry().with_resource(key, DRAFT202012.create_resource(document))
        _REGISTRIES[key] = (document, registry, schema_dialect(document))
        _KEYS[id(document)] = key
    return key


def marked(schema) -> str | None:
    """The user's schema a view schema stands for (`key#pointer`), if it is marked."""
    return schema.get(MARK) if isinstance(schema, dict) else None


@lru_cache(maxsize=4096)
def validator(mark: str):
    """The validator of the user's schema at `mark`, with the document's JSON Schema dialect, and
    the formats OpenAPI 3.1 and JSON Schema define asserted (`int64` is OpenAPI's: train-travel's
    `exp_year` of 2**63 was taken), as openapi-core asserts them for the checker."""
    key = mark.partition("#")[0]
    _document, registry, cls = _REGISTRIES[key]
    return cls({"$ref": mark}, registry=registry, format_checker=oas31_format_checker)


def validator_of(schema):
    """The 3.1 validator for a view schema connexion hands over, or None for a 3.0 document's schema."""
    mark = marked(schema)
    return validator(mark) if mark else None


# -- the 3.0 view ----------------------------------------------------------------------------------


def escape(key) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


class _View:
    """One 3.1 document rewritten as 3.0 for connexion, node by node, each at the pointer it has in the document."""

    def __init__(self, document: dict, key: str) -> None:
        self.document = document
        self.key = key
        self.placed: dict[str, object] = {}  # targets of $refs outside the parts walked (bundled files), by pointer
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        # 3.0 has no mutualTLS, and a mock over plain HTTP cannot ask for a client certificate
        self.unasked = {name for name, scheme in schemes.items() if (scheme or {}).get("type") == "mutualTLS"}

    def build(self) -> dict:
        doc = self.document
        view = {key: copy.deepcopy(value) for key, value in doc.items() if key.startswith("x-")}
        view.update({key: doc[key] for key in ("servers", "tags", "externalDocs") if key in doc})
        if "security" in doc:
            view["security"] = self.security(doc["security"])
        view["openapi"] = "3.0.3"
        view["info"] = self.info(doc.get("info") or {})
        view["paths"] = {
            path: self.path_item(item, f"/paths/{escape(path)}") for path, item in (doc.get("paths") or {}).items()
        }
        view["components"] = self.components(doc.get("components") or {})
        for pointer, value in sorted(self.placed.items(), key=lambda item: len(item[0])):
            _place(view, pointer, value)
        _drop_dangling_refs(view)
        return view

    def info(self, info: dict) -> dict:
        info = {key: value for key, value in info.items() if key != "summary"}
        if isinstance(info.get("license"), dict):
            info["license"] = {key: value for key, value in info["license"].items() if key != "identifier"}
        return info

    def components(self, components: dict) -> dict:
        kinds = {
            "schemas": self.schema,
            "responses": self.response,
            "parameters": self.parameter,
            "requestBodies": self.request_body,
            "headers": self.header,
            "callbacks": self.callback,
        }
        view = {}
        for section, items in components.items():
            if section in kinds:
                convert = kinds[section]
                view[section] = {
                    name: convert(item, f"/components/{section}/{escape(name)}") for name, item in items.items()
                }
            elif section == "securitySchemes":
                view[section] = {name: scheme for name, scheme in items.items() if name not in self.unasked}
            elif section in ("examples", "links") or section.startswith("x-"):
                view[section] = items
            # pathItems: 3.0 has none; a path's $ref to one is followed where it is used
        return view

    def reference(self, node: dict, kind) -> dict | None:
        """A Reference Object kept as it is, its target converted as `kind` wherever it lies."""
        ref = node["$ref"]
        if not (isinstance(ref, str) and ref.startswith("#/")):
            return None
        pointer = urllib.parse.unquote(ref[1:])  # a URI fragment: `{` may be written %7B
        if pointer.startswith("/x-") and pointer not in self.placed:
            self.placed[pointer] = {}  # against cycles; replaced below
            target = document_module.pointed(self.document, pointer)
            self.placed[pointer] = kind(target, pointer) if target is not document_module.MISSING else {}
        return {"$ref": ref}

    def followed(self, node, pointer: str):
        """`node`, or what its chain of local $refs points to, with the target's pointer."""
        for _ in range(40):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
                break
            pointer = urllib.parse.unquote(node["$ref"][1:])
            node = document_module.pointed(self.document, pointer)
        return (node if node is not document_module.MISSING else {}), pointer

    def path_item(self, item, pointer: str) -> dict:
        if isinstance(item, dict) and "$ref" in item:
            item, pointer = self.followed(item, pointer)  # a 3.1 path item may point to components.pathItems
        if not isinstance(item, dict):
            return {}
        view = {key: value for key, value in item.items() if key in ("summary", "description", "servers")}
        view.update({key: value for key, value in item.items() if key.startswith("x-")})
        if "parameters" in item:
            view["parameters"] = self.parameters(item["parameters"], f"{pointer}/parameters")
        for method in METHODS:
            if isinstance(item.get(method), dict):
                view[method] = self.operation(item[method], f"{pointer}/{method}")
        return view

    def callback(self, callback, pointer: str) -> dict:
        if isinstance(callback, dict) and "$ref" in callback:
            return self.reference(callback, self.callback) or {}
        return {
            expression: self.path_item(item, f"{pointer}/{escape(expression)}")
            for expression, item in (callback or {}).items()
            if not expression.startswith("x-")
        }

    def operation(self, operation: dict, pointer: str) -> dict:
        kept = ("tags", "summary", "description", "externalDocs", "operationId", "deprecated", "servers")
        view = {key: value for key, value in operation.items() if key in kept or key.startswith("x-")}
        if "security" in operation:
            view["security"] = self.security(operation["security"])
        if "parameters" in operation:
            view["parameters"] = self.parameters(operation["parameters"], f"{pointer}/parameters")
        if isinstance(operation.get("requestBody"), dict):
            view["requestBody"] = self.request_body(operation["requestBody"], f"{pointer}/requestBody")
        responses = operation.get("responses") or {}
        view["responses"] = {
            str(status): self.response(response, f"{pointer}/responses/{escape(status)}")
            for status, response in responses.items()
            if not str(status).startswith("x-")
        } or {"default": {"description": "not documented"}}  # 3.1 lets an operation document no response
        if isinstance(operation.get("callbacks"), dict):
            view["callbacks"] = {
                name: self.callback(callback, f"{pointer}/callbacks/{escape(name)}")
                for name, callback in operation["callbacks"].items()
            }
        return view

    def security(self, requirements) -> list:
        """Security requirements without the schemes the view leaves out (a requirement of mutualTLS alone lets anyone in)."""
        if not isinstance(requirements, list):
            return requirements
        return [
            {name: scopes for name, scopes in requirement.items() if name not in self.unasked}
            if isinstance(requirement, dict)
            else requirement
            for requirement in requirements
        ]

    def parameters(self, parameters, pointer: str) -> list:
        return [self.parameter(parameter, f"{pointer}/{index}") for index, parameter in enumerate(parameters or [])]

    def parameter(self, parameter, pointer: str) -> dict:
        if isinstance(parameter, dict) and "$ref" in parameter:
            return self.reference(parameter, self.parameter) or {}
        view = self.header(parameter, pointer)
        return view

    def header(self, header, pointer: str) -> dict:
        """A Parameter or Header Object: its schema is one a request value is judged by."""
        if not isinstance(header, dict):
            return {}
        if "$ref" in header:
            return self.reference(header, self.header) or {}
        view = {key: value for key, value in header.items() if key not in ("schema", "content")}
        if "schema" in header:
            view["schema"] = self.judged_schema(header["schema"], f"{pointer}/schema", single_type=True)
        if isinstance(header.get("content"), dict):
            view["content"] = self.content(header["content"], f"{pointer}/content", judged=True)
        return view

    def request_body(self, body, pointer: str) -> dict:
        if isinstance(body, dict) and "$ref" in body:
            return self.reference(body, self.request_body) or {}
        view = {key: value for key, value in body.items() if key != "content"}
        view["content"] = self.content(body.get("content") or {}, f"{pointer}/content", judged=True)
        return view

    def response(self, response, pointer: str) -> dict:
        if isinstance(response, dict) and "$ref" in response:
            return self.reference(response, self.response) or {}
        if not isinstance(response, dict):
            return {"description": ""}
        view = {key: value for key, value in response.items() if key not in ("content", "headers")}
        view.setdefault("description", "")
        if isinstance(response.get("headers"), dict):
            view["headers"] = {
                name: self.header(header, f"{pointer}/headers/{escape(name)}")
                for name, header in response["headers"].items()
            }
        if isinstance(response.get("content"), dict):
            view["content"] = self.content(response["content"], f"{pointer}/content", judged=False)
        return view

    def content(self, content: dict, pointer: str, *, judged: bool) -> dict:
        view = {}
        for media_type, media in content.items():
            media = media if isinstance(media, dict) else {}
            where = f"{pointer}/{escape(media_type)}"
            view[media_type] = {key: value for key, value in media.items() if key not in ("schema", "encoding")}
            if "schema" in media:
                schema = media["schema"]
                view[media_type]["schema"] = (
                    self.judged_schema(schema, f"{where}/schema") if judged else self.schema(schema, f"{where}/schema")
                )
            if isinstance(media.get("encoding"), dict):
                view[media_type]["encoding"] = {
                    name: {
                        **encoding,
                        "headers": {
                            header_name: self.header(
                                header, f"{where}/encoding/{escape(name)}/headers/{escape(header_name)}"
                            )
                            for header_name, header in (encoding.get("headers") or {}).items()
                        },
                    }
                    for name, encoding in media["encoding"].items()
                    if isinstance(encoding, dict)
                }
        return view

    def judged_schema(self, schema, pointer: str, *, single_type: bool = False) -> dict:
        """A schema connexion validates a request by: its view inlined one level (connexion's URI parser
        reads its `type`), marked with where the user's schema is."""
        target, target_pointer = self.followed(schema, pointer)
        view = self.schema(target, target_pointer)
        if single_type and "type" not in view:
            view["type"] = view_type(["string"], target.get("default") if isinstance(target, dict) else None)
        return {**view, MARK: f"{self.key}#{urllib.parse.quote(pointer, safe='/~')}"}

    def schema(self, schema, pointer: str) -> dict:
        """A 3.1 Schema Object (JSON Schema 2020-12) in its nearest 3.0 form."""
        if schema is False:
            return {"not": {}}
        if not isinstance(schema, dict):
            return {}
        if "$ref" in schema:  # 3.1 reads the $ref's siblings too; connexion needs only its target
            return self.reference(schema, self.schema) or {}
        view = {key: value for key, value in schema.items() if key in SCHEMA_WORDS or key.startswith("x-")}
        types = schema.get("type")
        types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        named = view_type(types, schema.get("default"))
        if named:
            view["type"] = named
        if "null" in types or schema.get("nullable") is True:
            view["nullable"] = True
        if "const" in schema:
            view["enum"] = [schema["const"]]
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            view["enum"] = schema["enum"]
        if isinstance(schema.get("required"), list) and schema["required"]:
            view["required"] = list(dict.fromkeys(schema["required"]))
        if "example" not in view and isinstance(schema.get("examples"), list) and schema["examples"]:
            view["example"] = schema["examples"][0]
        for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            bound = schema.get(exclusive)
            if isinstance(bound, bool):
                view[exclusive] = bound
            elif isinstance(bound, (int, float)):
                view[inclusive] = bound
                view[exclusive] = True
        if isinstance(schema.get("discriminator"), dict) and "propertyName" in schema["discriminator"]:
            view["discriminator"] = schema["discriminator"]
        if isinstance(schema.get("properties"), dict):
            view["properties"] = {
                name: self.schema(sub, f"{pointer}/properties/{escape(name)}")
                for name, sub in schema["properties"].items()
            }
        for word in ("items", "not", "additionalProperties"):
            if word == "items" and "prefixItems" in schema:
                continue  # 3.1's `items` then means the items past the prefix, which 3.0 cannot say
            if word in schema:
                sub = schema[word]
                if word == "additionalProperties" and isinstance(sub, bool):
                    view[word] = sub
                elif isinstance(sub, (dict, bool)):
                    view[word] = self.schema(sub, f"{pointer}/{word}")
        for word in ("allOf", "oneOf", "anyOf"):
            if isinstance(schema.get(word), list) and schema[word]:
                view[word] = [self.schema(sub, f"{pointer}/{word}/{index}") for index, sub in enumerate(schema[word])]
        if "default" in view and not default_fits(view["default"], view):
            del view["default"]  # 3.1 does not ask a default to meet its schema; connexion refuses one that does not
        return view


def view_type(types: list, default) -> str | None:
    """The one 3.0 `type` for 3.1's list of them: the only one besides null, else the default's, else the first."""
    named = [kind for kind in types if kind != "null" and isinstance(kind, str)]
    if len(named) <= 1:
        return named[0] if named else None
    of_default = JSON_TYPES.get(type(default))
    if of_default == "integer" and "integer" not in named:
        of_default = "number"
    return of_default if of_default in named else named[0]


def default_fits(default, view: dict) -> bool:
    """Whether connexion's check of defaults (its type and enum, with `nullable`) takes `default`."""
    if default is None:
        return view.get("nullable") is True or "type" not in view
    kind = JSON_TYPES.get(type(default))
    if "type" in view and not (kind == view["type"] or (kind == "integer" and view["type"] == "number")):
        return False
    return "enum" not in view or default in view["enum"]


def _place(view: dict, pointer: str, value) -> None:
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    node = view
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(part), (dict, list)):
            node[part] = {}
        node = node[part]
    if isinstance(node, dict):
        node[parts[-1]] = value
    elif isinstance(node, list) and parts[-1].isdigit() and int(parts[-1]) < len(node):
        node[int(parts[-1])] = value


def _drop_dangling_refs(view: dict) -> None:
    """A $ref of the view whose target the view left out (a `$defs` entry, say) becomes any value:
    connexion would otherwise look for it in a file."""

    def walk(node) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (
                not ref.startswith("#/")
                or document_module.pointed(view, urllib.parse.unquote(ref[1:])) is document_module.MISSING
            ):
                del node["$ref"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(view)
