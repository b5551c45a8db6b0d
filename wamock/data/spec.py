"""Reading spec/openapi.yaml (or any document): the whole document, and the parts the code derives from it."""

import urllib.parse
from functools import lru_cache
from pathlib import Path

from wamock.data import document
from wamock.data.document import SpecError
from wamock.data.paths import SPEC_FILE

__all__ = ["SpecError", "load"]


@lru_cache(maxsize=8)
def load(source: Path | str = SPEC_FILE, allow: tuple[str, ...] = ()) -> dict:
    """The document at `source` (a file or an http(s) URL), read within bounds and bundled
    (`wamock.data.document`): its `$ref`s reach only its own folder and what `allow` names."""
    return document.read(source, tuple(allow))


def inlined(spec: dict, schema, depth: int = 0):
    """`schema` with its local `$ref`s replaced by what they point to, so it stands on its own."""
    schema = resolved(spec, schema)
    if depth > 20:
        return {}
    if isinstance(schema, dict):
        return {key: inlined(spec, value, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inlined(spec, value, depth + 1) for value in schema]
    return schema


def request_headers(spec: dict) -> list[str]:
    """Every request header a parameter of the spec declares (X-Device-Id, say), in the order first seen."""
    names: dict[str, None] = {}
    for path_item in (spec.get("paths") or {}).values():
        if not isinstance(path_item, dict):
            continue
        operations = [op for op in path_item.values() if isinstance(op, dict)]
        for parameter in [
            *path_item.get("parameters", []),
            *(p for op in operations for p in op.get("parameters", [])),
        ]:
            parameter = resolved(spec, parameter)
            if isinstance(parameter, dict) and parameter.get("in") == "header" and parameter.get("name"):
                names.setdefault(parameter["name"], None)
    return list(names)


def resolved(spec: dict, item):
    """`item`, or what its local `$ref` (#/components/...) points to.

    `load` has refused cycles and long chains; the bound keeps a document built elsewhere from hanging.
    """
    for _ in range(document.MAX_REF_CHAIN + 1):
        if not (isinstance(item, dict) and isinstance(item.get("$ref"), str) and item["$ref"].startswith("#/")):
            return item
        target = document.pointed(spec, urllib.parse.unquote(item["$ref"][1:]))  # a URI fragment: `{` may be %7B
        item = {} if target is document.MISSING else target
    return {}
