"""Reading spec/openapi.yaml: the whole document, and the parts the code derives from it."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from wamock.data.paths import SPEC_FILE


class SpecError(Exception):
    """The spec file cannot be read, or lacks a part that wamock derives from it."""


@lru_cache(maxsize=8)
def load(path: Path = SPEC_FILE) -> dict:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the spec: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not a YAML document: {exc}") from None
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError(f"{path}: not an OpenAPI document (no 'openapi' key)")
    return document


def chat_schema(spec: dict) -> dict:
    """The ChatInfo schema, which every chat of a response and of a fixture file must meet."""
    try:
        return spec["components"]["schemas"]["ChatInfo"]
    except (KeyError, TypeError):
        raise SpecError("the spec has no components.schemas.ChatInfo") from None


def documented_chat(spec: dict) -> dict:
    """The chat of the 200 example: the most recent chat of every generated data set."""
    try:
        example = spec["paths"]["/chats"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
        return dict(example["results"]["data"][0])
    except (KeyError, IndexError, TypeError):
        raise SpecError("the spec has no 200 example with a chat for GET /chats") from None


@dataclass(frozen=True)
class Texts:
    """What the spec's examples for GET /chats say, so that the mock says it too."""

    success: str  # the 200 example's message
    unauthorized: str  # the 401 example's message
    logged_out: dict  # the 500 example: what upstream answers with no WhatsApp session
    device_not_found: dict  # the 404 example


def texts(spec: dict) -> Texts:
    try:
        responses = spec["paths"]["/chats"]["get"]["responses"]
        example = {
            status: responses[status]["content"]["application/json"]["example"]
            for status in ("200", "401", "404", "500")
        }
        return Texts(example["200"]["message"], example["401"]["message"], dict(example["500"]), dict(example["404"]))
    except (KeyError, TypeError):
        raise SpecError("the spec has no 200, 401, 404 and 500 examples for GET /chats") from None


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
    """`item`, or what its local `$ref` (#/components/...) points to."""
    while isinstance(item, dict) and isinstance(item.get("$ref"), str) and item["$ref"].startswith("#/"):
        target = spec
        for part in item["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        item = target
    return item
