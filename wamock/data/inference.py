"""Collections a document describes without saying so: inferred from its operations' shapes.

A GET whose success answer is an array of objects (bare, or under a property of the answer)
is a list. Its query parameters page it in the style their names tell (`limit`/`offset`,
`page`/`per_page`, a `cursor` with the next one in the answer or a `Link` header), and the
others that name an item field filter it (exactly; by what the text contains for free-text
names such as `q`, `search` or `name`). `POST` to the list's path creates an item; `GET`,
`PUT`, `PATCH` and `DELETE` on `/things/{id}` read, change and remove one.

What is inferred is a description as `x-wamock-collection` writes it
(`wamock.data.collections`); the extension, where an operation has one, overrides it, and so
does a file beside the document, `NAME.wamock.yaml` (`{collections: {"GET /things": {...}}}`).
Lists under a templated path (`/users/{id}/repos`) are not inferred: their items belong to
another item, which a description cannot say yet. Nor are GOWA's (a document with GET /chats):
its lists have handlers of their own.
"""

import dataclasses
from pathlib import Path

import yaml

from wamock.data.collections import (
    BUILT_IN,
    CONTAINS,
    CURSOR,
    EQUALS,
    EXTENSION,
    OFFSET,
    PAGE,
    Collection,
    describe,
    fitted,
    item_schema,
    properties,
    success_schema,
)
from wamock.data.collections import date_times as collection_times
from wamock.data.operations import CHAT_LIST, Operation, operations
from wamock.data.spec import SpecError, resolved

SIZE = {"limit", "perpage", "pagesize", "size", "count", "max", "maxresults", "top", "first", "take", "pagelimit"}
OFFSET_START = {"offset", "skip", "start", "from", "startindex", "startat"}
PAGE_START = {"page", "pagenumber", "pageno", "pagenum"}
CURSOR_START = {
    "cursor",
    "after",
    "pagetoken",
    "nexttoken",
    "continuationtoken",
    "continuation",
    "startingafter",
    "marker",
    "starttoken",
    "startafter",
}
NEXT = {"nextcursor", "next", "nextpagetoken", "nexttoken", "cursor", "endcursor", "continuationtoken", "nextpage"}
HAS_MORE = {"hasmore", "more", "hasnext", "hasnextpage"}
TOTAL = {"total", "totalcount", "totalresults", "totalitems", "totalsize", "totalrecords", "numfound", "totalentries"}
FREE_TEXT = {"q", "search", "query", "filter", "keyword", "keywords", "term", "text", "name"}
TEXT_FIELDS = ("name", "title", "label", "summary", "description", "email")
HOLDERS = {"meta", "pagination", "paging", "pageinfo", "page", "links", "metadata", "cursor"}
ITEMS = ("data", "items", "results", "records", "entries", "list", "content", "values", "elements")


def plain(name: str) -> str:
    """A name as the tables above write it: `per_page`, `perPage`, `$top` are `perpage` and `top`."""
    return "".join(character for character in name.lower() if character.isalnum())


def side_file(source) -> Path | None:
    """The file beside a document that describes its collections: `api.yaml` → `api.wamock.yaml`."""
    if source is None or str(source).startswith(("http://", "https://")):
        return None
    path = Path(source)
    return path.with_name(f"{path.stem}.wamock.yaml")


def side_descriptions(source) -> dict:
    """What the file beside the document describes, by operation key; SpecError if it cannot be read."""
    path = side_file(source)
    if path is None or not path.is_file():
        return {}
    try:
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot be read: {str(exc).splitlines()[0]}") from None
    described = written.get("collections") if isinstance(written, dict) else None
    if not isinstance(described, dict):
        raise SpecError(f"{path}: expected {{collections: {{'GET /things': description, ...}}}}")
    return described


def served_collections(spec: dict, source=None) -> dict[str, Collection]:
    """Every collection of the document by its list's key: described (the extension, the side
    file, GET /chats' built-in description) or inferred."""
    side = side_descriptions(source)
    found = {}
    every = operations(spec)
    # GOWA's document: its lists (chats; devices and messages) are served by wamock's own handlers.
    guessing = CHAT_LIST not in every
    for key, operation in every.items():
        if operation.method != "GET":
            continue
        description = operation.document.get(EXTENSION) or side.get(key) or BUILT_IN.get(key)
        if description is not None:
            described = fitted(operation, description)
            if described is None:
                continue
        elif guessing and (guessed := inferred(spec, operation, every)) is not None:
            try:
                described = describe(operation, guessed)
                item_schema(spec, described)
            except SpecError:
                continue  # a guess that does not hold is no collection; a description that does not is an error
        else:
            continue
        found[key] = dataclasses.replace(described, times=collection_times(spec, described))
    return found


def inferred(spec: dict, operation: Operation, every: dict[str, Operation]) -> dict | None:
    """The description of the list `operation` is, or None where it is not one."""
    if "{" in operation.path:
        return None
    answer = success_schema(spec, operation.document)
    found = items_of(spec, answer)
    if found is None:
        return None
    items, item = found
    fields = properties(spec, item)
    if not fields:
        return None
    item_path = item_operation_path(operation.path, every)
    creates = f"POST {operation.path}" in every
    paging = paging_of(spec, operation, answer, items)
    if paging is None and item_path is None and not creates:
        return None  # neither paged nor written: the document's example serves it as well
    description = {"items": ".".join(items), "paging": paging or {}, "filters": filters_of(operation, fields, paging)}
    description["id"] = identity(fields, item_path, every)
    if item_path is not None and description["id"] is not None:
        description["item"] = item_path
    if description["id"] is None:
        description.pop("id")
    return description


def is_array(schema: dict) -> bool:
    return schema.get("type") == "array" or (isinstance(schema.get("type"), list) and "array" in schema["type"])


def items_of(spec: dict, answer: dict) -> tuple[tuple[str, ...], dict] | None:
    """Where the answer holds its items (() for a bare array), and their schema."""
    if is_array(answer):
        item = resolved(spec, answer.get("items"))
        return ((), item) if isinstance(item, dict) else None
    fields = properties(spec, answer)
    arrays = {name: value for name, value in fields.items() if is_array(value) and properties(spec, value.get("items"))}
    if len(arrays) > 1:
        arrays = {name: value for name, value in arrays.items() if plain(name) in ITEMS} or {}
    if len(arrays) == 1:
        name, value = next(iter(arrays.items()))
        return (name,), resolved(spec, value["items"])
    for name in fields:
        if plain(name) in ITEMS:  # one level down: `{results: {data: [...]}}`
            inner = items_of(spec, fields[name])
            if inner is not None and inner[0]:
                return (name, *inner[0]), inner[1]
    return None


def field_paths(spec: dict, answer: dict, names: set[str], kinds: tuple[str, ...]) -> tuple[str, ...] | None:
    """The first field of the answer (or of a holder in it: `meta`, `pagination`) whose name is in `names`."""
    fields = properties(spec, answer)
    for name, value in fields.items():
        if plain(name) in names and value.get("type") in kinds:
            return (name,)
    for holder, value in fields.items():
        if plain(holder) in HOLDERS:
            for name, inner in properties(spec, value).items():
                if plain(name) in names and inner.get("type") in kinds:
                    return holder, name
    return None


def paging_of(spec: dict, operation: Operation, answer: dict, items: tuple[str, ...]) -> dict | None:
    """The paging description of a list, from its query parameters and its answer; None if it has none."""
    query = operation.query()

    def named(names: set[str], kind: str) -> str | None:
        # A cursor is a token, not a moment: `after` of format date-time is a filter by time.
        return next(
            (
                name
                for name, p in query.items()
                if plain(name) in names and p.kind == kind and not (kind == "string" and p.schema.get("format"))
            ),
            None,
        )

    size = named(SIZE, "integer")
    cursor, page, offset = named(CURSOR_START, "string"), named(PAGE_START, "integer"), named(OFFSET_START, "integer")
    if size is None and cursor is None and page is None and offset is None:
        return None
    paging: dict = {"style": CURSOR if cursor else PAGE if page else OFFSET}
    if size is not None:
        paging["size"] = size
    start = cursor or page or offset
    if start is not None:
        paging["start"] = start
    if page is not None and query[page].minimum == 0:
        paging["first"] = 0
    fields = {
        "total": field_paths(spec, answer, TOTAL, ("integer",)),
        "next": field_paths(spec, answer, NEXT, ("string",)) if cursor else None,
        "has_more": field_paths(spec, answer, HAS_MORE, ("boolean",)),
    }
    for role, path in fields.items():
        if path is not None and path != items:
            paging[role] = ".".join(path)
    if any(plain(name) == "link" for name in list_headers(spec, operation)):
        paging["link"] = True
    return paging


def list_headers(spec: dict, operation: Operation) -> list[str]:
    responses = operation.document.get("responses") or {}
    names = []
    for code, response in responses.items():
        if str(code).startswith("2"):
            names += list((resolved(spec, response) or {}).get("headers") or {})
    return names


def filters_of(operation: Operation, fields: dict, paging: dict | None) -> dict:
    """Query parameters that name an item field of their type filter it; free-text ones by what it contains."""
    paging_names = set((paging or {}).get(role) for role in ("size", "start"))
    text_field = next((name for name in TEXT_FIELDS if fields.get(name, {}).get("type") == "string"), None)
    filters = {}
    for name, parameter in operation.query().items():
        if name in paging_names or parameter.kind not in ("string", "integer", "boolean", "number"):
            continue
        field_name = name if name in fields else next((f for f in fields if plain(f) == plain(name)), None)
        # `filter=owner|guest` chooses among values: no text to look for.
        free_text = plain(name) in FREE_TEXT and parameter.kind == "string" and not parameter.enum
        if field_name is not None and fields[field_name].get("type") == parameter.kind:
            filters[name] = {"field": field_name, "match": CONTAINS if free_text else EQUALS}
        elif field_name is None and text_field and free_text:
            filters[name] = {"field": text_field, "match": CONTAINS}
    return filters


def item_operation_path(path: str, every: dict[str, Operation]) -> str | None:
    """`/things/{id}`, where the document has an operation on one item of the list at `path`."""
    for operation in every.values():
        rest = operation.path.removeprefix(path.rstrip("/") + "/")
        if rest != operation.path and rest.startswith("{") and rest.endswith("}") and "/" not in rest:
            return operation.path
    return None


def identity(fields: dict, item_path: str | None, every: dict[str, Operation]) -> str | None:
    """The item field that names an item: the item path's parameter where a field has its name, else `id`."""
    if item_path is not None:
        name = item_path.rsplit("{", 1)[1].rstrip("}")
        if name in fields:
            return name
    for candidate in ("id", "uuid", "sid", "key", "slug", "name"):
        if candidate in fields and fields[candidate].get("type") in ("string", "integer"):
            return candidate
    return next((name for name in fields if plain(name).endswith("id")), None)
