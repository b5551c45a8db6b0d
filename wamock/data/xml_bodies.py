"""An XML body read into the value its schema describes, by OpenAPI's XML Object.

OpenAPI describes an XML body with the same schema as JSON, and says how each value is
written (the XML Object): a property is a child element of its name (or `xml.name`), or an
attribute (`xml.attribute`); an array's items are repeated elements, inside an element of the
array's name (or `xml.name`) where `xml.wrapped`, each named by `items.xml.name`, else by the
property's name (OpenAPI) or the array's `xml.name` (as Schemathesis writes them).
Read so, a body is judged by its schema as a JSON body is. Namespaces and prefixes are not
told apart; the root element's name is not judged.

The parser is Python's expat, which resolves no external entity and refuses entity expansion
past its limits (a "billion laughs" body is not well-formed XML here).
"""

import xml.etree.ElementTree as ElementTree

from wamock.data.texts import kind_of, typed

MAX_DEPTH = 64  # of the schema walked, which the body cannot deepen


class NotXML(ValueError):
    """A body that is not well-formed XML."""


def read(raw: bytes, schema: dict):
    """The value `raw` (an XML document) holds, read by `schema` (its `$ref`s resolved)."""
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise NotXML(str(exc) or type(exc).__name__) from None
    return element_value(root, schema, 0)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # `{namespace}name` as ElementTree writes it


def element_value(element: ElementTree.Element, schema: dict, depth: int):
    kind = kind_of(schema)
    if depth > MAX_DEPTH:
        return None
    if kind == "object":
        return object_value(element, schema, depth)
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return [element_value(child, items, depth + 1) for child in element]
    if len(element):
        return {local_name(child.tag): child.text or "" for child in element}  # elements where a value was due
    return typed(element.text or "", schema)


def object_value(element: ElementTree.Element, schema: dict, depth: int) -> dict:
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    children: dict[str, list[ElementTree.Element]] = {}
    for child in element:
        children.setdefault(local_name(child.tag), []).append(child)
    attributes = {local_name(name): value for name, value in element.attrib.items()}
    value = {}
    for name, declared in properties.items():
        declared = declared if isinstance(declared, dict) else {}
        xml = declared.get("xml") if isinstance(declared.get("xml"), dict) else {}
        tag = xml.get("name") or name
        if xml.get("attribute"):
            if tag in attributes:
                value[name] = typed(attributes[tag], declared)
        elif kind_of(declared) == "array":
            items = declared.get("items") if isinstance(declared.get("items"), dict) else {}
            item_xml = items.get("xml") if isinstance(items.get("xml"), dict) else {}
            # OpenAPI names the items by `items.xml.name`, else by the property; Schemathesis (4.32)
            # names them by the array's `xml.name`: either is read.
            item_tags = {item_xml["name"]} if item_xml.get("name") else {name, tag}
            if xml.get("wrapped"):
                if tag in children:
                    listed = [child for child in children[tag][0] if local_name(child.tag) in item_tags]
                    value[name] = [element_value(child, items, depth + 1) for child in listed]
            elif item_tags & set(children):
                listed = [child for child in element if local_name(child.tag) in item_tags]
                value[name] = [element_value(child, items, depth + 1) for child in listed]
        elif tag in children:
            given = children[tag]
            value[name] = (
                element_value(given[0], declared, depth + 1)
                if len(given) == 1
                else [element_value(child, declared, depth + 1) for child in given]
            )
    return value
