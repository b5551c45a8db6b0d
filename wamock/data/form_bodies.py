"""A multipart form body read into the value its schema describes, field by field.

Each part is a field named by its Content-Disposition; its text is typed by the field's schema
(`wamock.data.texts`), a file part read as its text; a field given more than once is the list
of its values where the schema makes it an array.
"""

import email.parser
import email.policy

from wamock.data.texts import kind_of, typed


class NotAForm(ValueError):
    """A body that is no multipart form: no part, or a part without a name."""


class Ambiguous(ValueError):
    """A field of one value given more than once: which one counts is the server's choice."""


def parts(raw: bytes, content_type: str) -> list[tuple[str, str]]:
    """Each field of the form `raw` holds (sent with `content_type`, its boundary): its name
    and its text, in the order sent."""
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise NotAForm("no multipart body")
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise NotAForm("a part without a name")
        payload = part.get_payload(decode=True) or b""
        fields.append((str(name), payload.decode("utf-8", "replace")))
    return fields


def read_multipart(raw: bytes, content_type: str, schema: dict) -> dict:
    """The form `raw` holds (sent with `content_type`, its boundary), read by `schema` (its
    `$ref`s resolved)."""
    given: dict[str, list[str]] = {}
    for name, text in parts(raw, content_type):
        given.setdefault(name, []).append(text)
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    value = {}
    for name, texts in given.items():
        declared = properties.get(name) if isinstance(properties.get(name), dict) else {}
        if kind_of(declared) == "array":
            items = declared.get("items") if isinstance(declared.get("items"), dict) else {}
            value[name] = [typed(text, items) for text in texts]
        elif len(texts) > 1:
            raise Ambiguous(name)
        else:
            value[name] = typed(texts[0], declared)
    return value
