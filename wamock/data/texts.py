"""A text (an XML element's, a form field's) as the JSON value its schema's type reads."""


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


def typed(text: str, schema: dict):
    """A text as the JSON value of its schema's type, as XML Schema reads one (a boolean is
    `true`, `false`, `1` or `0`); as given where it does not read as one (validation then refuses it)."""
    kind, text = kind_of(schema), text.strip() if kind_of(schema) != "string" else text
    if kind == "integer" and text.lstrip("+-").isdigit() and text.isascii():
        return int(text)
    if kind == "number":
        try:
            return int(text) if text.lstrip("+-").isdigit() and text.isascii() else float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return True if text in TRUE else False if text in FALSE else text
    return text
