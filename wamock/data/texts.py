"""A text (an XML element's, a form field's) as the JSON value its schema's type reads."""

import re


def kind_of(schema: dict) -> str | None:
    """The JSON type a schema gives its value (its properties make an object, its items an array)."""
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((each for each in kind if each != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "items" in schema:
        return "array"
    return kind


TRUE, FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})  # XML Schema's boolean
INTEGER = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def typed(text: str, schema: dict):
    """A text as the JSON value of its schema's type, as XML Schema reads one (a boolean is
    `true`, `false`, `1` or `0`; the spaces around a number or a boolean do not count); as
    given where it does not read as one, or the schema gives no such type (validation then judges it)."""
    kind = kind_of(schema)
    if kind not in ("integer", "number", "boolean"):
        return text
    word = text.strip()
    try:
        if kind == "integer" and INTEGER.fullmatch(word):
            return int(word)
        if kind == "number" and NUMBER.fullmatch(word):
            return int(word) if INTEGER.fullmatch(word) else float(word)
    except ValueError:  # more digits than Python reads (sys.get_int_max_str_digits())
        return text
    if kind == "boolean":
        return True if word in TRUE else False if word in FALSE else text
    return text
