"""Collections: what makes a list operation a paged, filtered list over a data set, described once.

A description says where the answer holds the items and the page's numbers, which query
parameters page it, which filter it and how, the items' order and what names an item. The
mock (its handler and fast path) and the checker (its rules and probes) read it; none of them
types a parameter's name, a field of the answer or a filter's meaning. A second list is a
second description, and its data, not a copy of the code.

A description is written as a document may write it, in an operation's `x-wamock-collection`:

    x-wamock-collection:
      items: results.data                # where the answer holds the page's items
      paging: {style: offset, size: limit, start: offset, echo: results.pagination, total: total}
      filters:                           # query parameter: the item field it filters, and how
        search: {field: name, match: contains}
      order: [-last_message_time, jid]   # "-": descending
      id: jid

GET /chats' page says what its document cannot (that `has_media=false` is no filter, that
chats are ordered by time then jid): wamock gives it `CHAT_LIST_DESCRIPTION` wherever a
document has GET /chats and does not describe it itself.
"""

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from wamock.data.operations import CHAT_LIST, MESSAGE_LIST, Operation, Parameter, operations
from wamock.data.spec import SpecError, inlined, load, resolved
from wamock.data.timestamps import epoch

EXTENSION = "x-wamock-collection"

EQUALS = "equals"  # the item's field equals the value
CONTAINS = "contains"  # the item's field contains the value, letter case not significant; empty: no filter
ONLY_TRUE = "only-true"  # true keeps the items whose field is true; false is no filter
# Matches of a chat's messages (GET /chat/{chat_jid}/messages): a time range and "has media".
SINCE = "since"  # the item's date-time field is at or after the value
UNTIL = "until"  # the item's date-time field is at or before the value
PRESENT = "present"  # true keeps the items whose field is not null; false is no filter
MATCHES = (EQUALS, CONTAINS, ONLY_TRUE, SINCE, UNTIL, PRESENT)

CHAT_LIST_DESCRIPTION = {
    "items": "results.data",
    "paging": {"style": "offset", "size": "limit", "start": "offset", "echo": "results.pagination", "total": "total"},
    "filters": {
        "has_media": {"field": "has_media", "match": ONLY_TRUE},
        "search": {"field": "name", "match": CONTAINS},
        "archived": {"field": "archived", "match": EQUALS},
    },
    "order": ["-last_message_time", "jid"],
    "id": "jid",
}
MESSAGE_LIST_DESCRIPTION = {
    "items": "results.data",
    "paging": {"style": "offset", "size": "limit", "start": "offset", "echo": "results.pagination", "total": "total"},
    "filters": {
        "start_time": {"field": "timestamp", "match": SINCE},
        "end_time": {"field": "timestamp", "match": UNTIL},
        "media_only": {"field": "media_type", "match": PRESENT},
        "is_from_me": {"field": "is_from_me", "match": EQUALS},
        "search": {"field": "content", "match": CONTAINS},
    },
    "order": ["-timestamp", "id"],
    "id": "id",
}
BUILT_IN = {CHAT_LIST: CHAT_LIST_DESCRIPTION, MESSAGE_LIST: MESSAGE_LIST_DESCRIPTION}


@dataclass(frozen=True)
class Filter:
    parameter: Parameter
    field: str  # the item field it reads
    match: str  # EQUALS, CONTAINS or ONLY_TRUE

    @property
    def name(self) -> str:
        return self.parameter.name

    @property
    def no_filter(self) -> tuple[str, ...]:
        """The query values, besides leaving it out, that apply no filter."""
        return {ONLY_TRUE: ("false",), PRESENT: ("false",), CONTAINS: ("",)}.get(self.match, ())

    def applies(self, value) -> bool:
        """Whether `value` (as read by the parameter; None when absent) filters anything."""
        if value is None:
            return False
        return {ONLY_TRUE: value is True, PRESENT: value is True, CONTAINS: value != ""}.get(self.match, True)

    def keeps(self, item, value) -> bool | None:
        """Whether the filter keeps `item`; None where the item does not say (it lacks the field)."""
        if not isinstance(item, dict) or self.field not in item:
            return None
        found = item[self.field]
        if self.match == CONTAINS:
            return str(value).lower() in found.lower() if isinstance(found, str) else None
        if self.match == ONLY_TRUE:
            return found is True
        if self.match in (SINCE, UNTIL, PRESENT):
            return kept_in_time(self.match, found, value)
        return found is value if isinstance(value, bool) else found == value


def kept_in_time(match: str, found, value) -> bool | None:
    """SINCE, UNTIL and PRESENT: a date-time at or after / at or before the value; a field not null."""
    if match == PRESENT:
        return found is not None
    if not isinstance(found, str):
        return None
    moment, bound = epoch(found), epoch(value) if isinstance(value, str) else value.timestamp()
    return moment >= bound if match == SINCE else moment <= bound


OFFSET = "offset"  # `size` items from position `start`
PAGE = "page"  # `size` items of page number `start` (the first page is `first`)
CURSOR = "cursor"  # `size` items after the item `start` names, as the previous page's answer gave it
STYLES = (OFFSET, PAGE, CURSOR)


@dataclass(frozen=True)
class Paging:
    """How a request asks for a page, and where the answer says where it is.

    GET /chats': offset paging, `limit` and `offset` echoed with the total under `results.pagination`.
    A document's list may have no start (one page) or no size (its default, else every item)."""

    size: Parameter | None  # limit, per_page
    start: Parameter | None  # offset, page, cursor
    echo: tuple[str, ...]  # where the answer echoes size and start: ("results", "pagination"); () none
    total: str  # where the answer counts every item the filters keep: under the echo, else from its root
    style: str = OFFSET
    next: tuple[str, ...] = ()  # where the answer holds the next page's cursor
    has_more: tuple[str, ...] = ()  # where the answer says whether a page follows
    link: bool = False  # whether the answer's `Link` header names the next page
    first: int = 1  # the first page's number

    @property
    def total_at(self) -> tuple[str, ...]:
        return (*self.echo, *self.total.split(".")) if self.total else ()

    def query(self, size: int, start: int) -> dict[str, int]:
        return {self.size.name: size, self.start.name: start}


@dataclass(frozen=True)
class PageRequest:
    """The page a request asks for: its size and start, and each filter with the value read (None: absent)."""

    size: int
    start: int
    filters: tuple[tuple[Filter, object], ...]
    paging: Paging

    def value(self, name: str):
        return next((value for filter_, value in self.filters if filter_.name == name), None)

    def applied(self) -> list[tuple[Filter, object]]:
        return [(filter_, value) for filter_, value in self.filters if filter_.applies(value)]

    def by_field(self) -> dict[str, object]:
        """The applied filters' values, by the item field each reads."""
        return {filter_.field: value for filter_, value in self.applied()}

    def __str__(self) -> str:
        shown = [f"{self.paging.size.name}={self.size}", f"{self.paging.start.name}={self.start}"]
        for filter_, value in self.filters:
            if value is not None and (value != "" or filter_.match != CONTAINS):
                shown.append(f"{filter_.name}={str(value).lower() if isinstance(value, bool) else value}")
        return " ".join(shown)


@dataclass(frozen=True)
class AnsweredPage:
    """A well-formed page as an answer holds it."""

    items: list
    size: int
    start: int
    total: int


@dataclass(frozen=True)
class Collection:
    operation: Operation
    items: tuple[str, ...]  # where the answer holds the page's items
    paging: Paging
    filters: tuple[Filter, ...]
    order: tuple[tuple[str, bool], ...]  # (field, descending)
    identity: str  # the field that names an item
    item: str | None = None  # the path of one item (`/pets/{id}`), where the document has one
    times: frozenset[str] = frozenset()  # the item fields that are date-times, ordered by their moment
    templates: dict = field(default_factory=dict, compare=False, repr=False)  # `answer`'s, by frame

    @property
    def noun(self) -> str:
        """What the items are called, from the path: `chats`."""
        words = [part for part in self.operation.path.split("/") if part and not part.startswith("{")]
        return words[-1] if words else "items"

    @property
    def item_noun(self) -> str:
        """What one item is called: `chat`."""
        return self.noun.removesuffix("s")

    @property
    def parameters(self) -> tuple[str, ...]:
        """The query parameters the collection reads."""
        paging = [parameter.name for parameter in (self.paging.size, self.paging.start) if parameter is not None]
        return (*paging, *(filter_.name for filter_ in self.filters))

    def request(self, values: Mapping[str, object]) -> PageRequest:
        """The page asked for by parameter values as the handler gets them (read, defaults applied)."""
        size = values.get(self.paging.size.name)
        start = values.get(self.paging.start.name)
        return PageRequest(
            int(self.paging.size.default if size is None else size),
            int(self.paging.start.default if start is None else start),
            tuple((filter_, values.get(filter_.name)) for filter_ in self.filters),
            self.paging,
        )

    def requested(self, query: Mapping[str, str]) -> PageRequest:
        """The page a query (raw values, each given once) asks for; Invalid if a value breaks its schema."""
        values = {}
        for parameter in (self.paging.size, self.paging.start, *(filter_.parameter for filter_ in self.filters)):
            raw = query.get(parameter.name)
            values[parameter.name] = parameter.read(raw) if raw is not None else parameter.default
        return self.request(values)

    def answered(self, body) -> AnsweredPage | None:
        """The page an answer holds, if it is well formed: a list of items and integer numbers."""
        items = at(body, self.items)
        echo = at(body, self.paging.echo)
        if not isinstance(items, list) or not isinstance(echo, dict):
            return None
        numbers = [echo.get(name) for name in (self.paging.size.name, self.paging.start.name, self.paging.total)]
        if not all(isinstance(number, int) and not isinstance(number, bool) for number in numbers):
            return None
        return AnsweredPage(items, *numbers)

    def sort_key(self, item: dict) -> tuple:
        """Where an item comes in the collection's order; date-times by their moment."""
        key = []
        for name, descending in self.order:
            value = epoch(item[name]) if name in self.times else item[name]
            key.append(Descending(value) if descending else value)
        return tuple(key)

    def sortable(self, item) -> bool:
        """Whether `sort_key` can place the item: every field of the order present, times valid."""
        if not isinstance(item, dict) or not all(isinstance(item.get(name), str) for name, _ in self.order):
            return False
        try:
            self.sort_key(item)
        except ValueError:
            return False
        return True

    def order_text(self) -> str:
        return ", then ".join(
            f"{name} {'descending' if descending else 'ascending'}" for name, descending in self.order
        )

    def answer(self, frame: Mapping, items: bytes, size: int, start: int, total: int) -> bytes:
        """The page's answer: `frame` (the answer's other fields) with the items (encoded, comma
        separated) and the page's numbers where the collection puts them."""
        key = orjson.dumps(dict(frame))
        if key not in self.templates:
            self.templates[key] = Template(self, dict(frame))
        return self.templates[key].render(items, size, start, total)


@functools.total_ordering
@dataclass(frozen=True)
class Descending:
    value: object

    def __lt__(self, other: "Descending") -> bool:
        return other.value < self.value


def at(value, path: tuple[str, ...]):
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


class Template:
    """An answer's bytes around its variable parts, split once: a page is then one join."""

    ITEMS = "\x00wamock-items\x00"

    def __init__(self, collection: Collection, frame: dict) -> None:
        paging = collection.paging
        numbers = [paging.size.name, paging.start.name, paging.total]
        body = dict(frame)
        place(body, collection.items, self.ITEMS)
        place(body, paging.echo, {name: f"\x00wamock-{name}\x00" for name in numbers})
        encoded = orjson.dumps(body)
        holes = [orjson.dumps(self.ITEMS), *(orjson.dumps(f"\x00wamock-{name}\x00") for name in numbers)]
        self.parts = []
        for hole in holes:
            before, _, encoded = encoded.partition(hole)
            self.parts.append(before)
        self.parts.append(encoded)

    def render(self, items: bytes, size: int, start: int, total: int) -> bytes:
        head, after_items, after_size, after_start, tail = self.parts
        # %d, not orjson: the contract puts no bound on offset, and orjson stops at 64 bits.
        return b"%s[%s]%s%d%s%d%s%d%s" % (head, items, after_items, size, after_size, start, after_start, total, tail)


def place(body: dict, path: tuple[str, ...], value) -> None:
    for step in path[:-1]:
        body = body.setdefault(step, {})
    body[path[-1]] = value


def describe(operation: Operation, description: Mapping) -> Collection:
    """The collection a description (as `x-wamock-collection` writes it) gives an operation;
    SpecError naming what does not fit the operation."""
    where = f"{operation.key}: {EXTENSION}"
    try:
        return Collection(
            operation,
            dotted(description.get("items")),
            paging_of(operation, description.get("paging") or {}, where),
            filters_of(operation, description.get("filters") or {}, where),
            tuple((name.lstrip("-"), name.startswith("-")) for name in description.get("order") or ()),
            str(description.get("id", "id")),
            str(description["item"]) if description.get("item") else None,
        )
    except (KeyError, TypeError, AttributeError) as missing:
        raise SpecError(f"{where}: not a collection description ({missing})") from None


def dotted(path) -> tuple[str, ...]:
    """`results.data` as its steps; nothing (the answer itself) for None or ``."""
    return tuple(str(path).split(".")) if path else ()


def paging_of(operation: Operation, paging: Mapping, where: str) -> Paging:
    style = paging.get("style", OFFSET)
    if style not in STYLES:
        raise SpecError(f"{where}: paging style {style!r} is not one of {', '.join(STYLES)}")
    query = operation.query()
    named = {role: paging.get(role) for role in ("size", "start")}
    missing = [name for name in named.values() if name is not None and name not in query]
    if missing:
        raise SpecError(f"{where}: the operation has no query parameter {missing[0]!r}")
    first = paging.get("first", 1)
    if not isinstance(first, int) or isinstance(first, bool):
        raise SpecError(f"{where}: paging first {first!r}: must be an integer (the first page's number)")
    return Paging(
        *(query[name] if name is not None else None for name in named.values()),
        dotted(paging.get("echo")),
        str(paging.get("total") or ""),
        style,
        dotted(paging.get("next")),
        dotted(paging.get("has_more")),
        bool(paging.get("link", False)),
        first,
    )


def filters_of(operation: Operation, filters: Mapping, where: str) -> tuple[Filter, ...]:
    query = operation.query()
    found = tuple(
        Filter(query[name], str(rule["field"]), str(rule.get("match", EQUALS)))
        for name, rule in filters.items()
        if name in query  # a document may leave a filter out (upstream's older ones have no `archived`)
    )
    unknown = next((filter_.match for filter_ in found if filter_.match not in MATCHES), None)
    if unknown is not None:
        raise SpecError(f"{where}: match {unknown!r} is not one of {', '.join(MATCHES)}")
    return found


def collections(spec: dict) -> dict[str, Collection]:
    """Every operation of the document that is a collection, by its key."""
    found = {}
    for key, operation in operations(spec).items():
        description = operation.document.get(EXTENSION) or BUILT_IN.get(key)
        described = fitted(operation, description) if description is not None else None
        if described is not None:
            found[key] = dataclasses.replace(described, times=date_times(spec, described))
    return found


def fitted(operation: Operation, description: dict) -> Collection | None:
    """`describe(operation, description)`; None where the description is a built-in one that
    the document's operation does not fit (a document whose messages are not paged as
    upstream's: answered as documented). A description of the document's own, or GET /chats'
    built-in one, that does not fit is a SpecError."""
    try:
        return describe(operation, description)
    except SpecError:
        if description is not BUILT_IN.get(operation.key) or operation.key == CHAT_LIST:
            raise
        return None


def date_times(spec: dict, collection: Collection) -> frozenset[str]:
    try:
        properties = item_schema(spec, collection).get("properties") or {}
    except SpecError:
        return frozenset()
    return frozenset(name for name, schema in properties.items() if (schema or {}).get("format") == "date-time")


def collection(spec: dict, key: str = CHAT_LIST) -> Collection | None:
    return collections(spec).get(key)


def list_schema(spec: dict, collection: Collection) -> dict:
    """The schema of the array of items in the collection's success answer."""
    schema = success_schema(spec, collection.operation.document)
    for step in collection.items:
        schema = properties(spec, schema).get(step, {})
    return schema if isinstance(schema, dict) else {}


def fewest_listed(spec: dict, collection: Collection) -> int:
    """The fewest items a page may hold, by the array's `minItems` (Telstra's messages: 1, so no
    page is empty: where none is found, the document's nothing-found answer stands for it)."""
    fewest = list_schema(spec, collection).get("minItems", 0)
    return fewest if isinstance(fewest, int) and not isinstance(fewest, bool) else 0


def item_schema(spec: dict, collection: Collection) -> dict:
    """The schema of one item of the collection's success answer, standing on its own."""
    schema = list_schema(spec, collection)
    item = resolved(spec, schema.get("items"))
    if not isinstance(item, dict) or not item:
        where = ".".join(collection.items) or "the answer's"
        raise SpecError(f"the spec's 200 answer of {collection.operation.key} has no schema for {where} items")
    return inlined(spec, item)


def success_schema(spec: dict, operation: Mapping) -> dict:
    """The schema of an operation's first success answer in JSON (`{}` where it has none)."""
    responses = operation.get("responses") or {}
    statuses = sorted((str(status), response) for status, response in responses.items() if str(status).startswith("2"))
    if not statuses:
        return {}
    content = (resolved(spec, statuses[0][1]) or {}).get("content") or {}
    media = content.get("application/json") or next((value for name, value in content.items() if "json" in name), None)
    schema = resolved(spec, (media or {}).get("schema") or {})
    return schema if isinstance(schema, dict) else {}


def properties(spec: dict, schema) -> dict:
    """An object schema's properties, `allOf` parts merged, each resolved."""
    schema = resolved(spec, schema)
    if not isinstance(schema, dict):
        return {}
    merged = {}
    for part in schema.get("allOf") or []:
        merged.update(properties(spec, part))
    for name, value in (schema.get("properties") or {}).items():
        value = resolved(spec, value)
        merged[name] = value if isinstance(value, dict) else {}
    return merged


def chats_of(spec: dict) -> tuple[dict, Collection]:
    """The document whose GET /chats describes the chats served, and that collection: a
    document without GET /chats serves no chats, and the bundled spec's describes the data."""
    chats = collection(spec)
    if chats is None:
        spec = load()
        chats = collection(spec)
    return spec, chats


def chat_schema(spec: dict) -> dict:
    """The schema every chat served must meet: GET /chats' item."""
    return item_schema(*chats_of(spec))


def documented_chat(spec: dict) -> dict:
    """The chat of GET /chats' 200 example: the most recent chat of every generated data set."""
    spec, chats = chats_of(spec)
    responses = chats.operation.document.get("responses") or {}
    example = at(resolved(spec, responses.get("200")), ("content", "application/json", "example"))
    found = at(example, chats.items)
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise SpecError(f"the spec has no 200 example with a chat for {chats.operation.key}")
    return dict(found[0])
