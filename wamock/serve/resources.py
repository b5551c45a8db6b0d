"""The collections of any document, served: pages in the document's own style, filters, and writes that stick.

One `Served` per collection holds its data (generated, or from a fixture file) and reads the
writes every worker made from the session (`wamock.data.resources.SECTION`). What it answers
is built in the document's shapes: the list's 200 answer with the page's items, total, next
cursor, `has_more` and `Link` where the document has them; an item where the operation's
answer holds one (bare, or under a property).
"""

import copy
import functools
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from wamock.data import examples, resources
from wamock.data.collections import CURSOR, OFFSET, PAGE, Collection, at, fewest_listed, item_schema, place
from wamock.data.examples import Answer
from wamock.data.inference import properties, success_schema
from wamock.data.operations import Invalid, operation_key
from wamock.data.spec import resolved
from wamock.serve.state import SharedState

DEFAULT_SIZE = 20  # a page's size where the document gives no default
MAX_FRESH_TRIES = 1000  # ids generated in search of one no item has


class NothingToList(Exception):
    """The page would hold fewer items than the document lets a list hold (Telstra's messages:
    `minItems: 1`): the document has no answer for it but a 404, its error or its example."""


@dataclass
class Served:
    spec: dict = field(repr=False)
    collection: Collection
    data: list[dict] = field(repr=False)  # the items before any write
    answers: dict[str, dict[int, Answer]] = field(repr=False)  # the collection's operations' documented answers
    seed: int = 0
    holders: dict[str, tuple[str, ...] | None] = field(
        default_factory=dict
    )  # where each operation's answer holds an item

    def __post_init__(self) -> None:
        every = resources.operations_of(self.spec)
        sample = self.data[0] if self.data else resources.new_item(self.spec, self.collection, 0, self.seed)
        for key in self.item_operations():
            answers = self.answers[key]
            success = min((status for status in answers if 200 <= status < 300), default=None)
            documented = answers[success].body if success is not None else None
            schema = success_schema(self.spec, every[key].document)
            self.holders[key] = holder(self.spec, schema, sample, documented, self.collection.identity)

    @property
    def key(self) -> str:
        return self.collection.operation.key

    @functools.cached_property
    def item_schema(self) -> dict:
        """The item schema, inlined once: a recursive one (Telstra's messages) takes seconds to
        inline, and each write made it again, past the request timeout."""
        return item_schema(self.spec, self.collection)

    def item_operations(self) -> list[str]:
        """The collection's operations on one item, those the document has: create, read, update, delete."""
        path, item = self.collection.operation.path, self.collection.item
        wanted = [operation_key("POST", path)]
        if item is not None:
            wanted += [operation_key(method, item) for method in ("GET", "PUT", "PATCH", "DELETE")]
        return [key for key in wanted if key in self.answers]

    # Reading.

    def items(self, mock: SharedState) -> list[dict]:
        changes = (mock.snapshot().sections.get(resources.SECTION) or {}).get(self.key)
        return resources.current(self.data, self.collection, changes)

    def find(self, mock: SharedState, key: str) -> dict | None:
        identity = self.collection.identity
        return next((item for item in self.items(mock) if resources.key_of(item.get(identity)) == key), None)

    def page(self, mock: SharedState, query: Mapping[str, str], url: str) -> tuple[object, dict[str, str]]:
        """The list's answer for a (valid) query, and its headers."""
        collection, paging = self.collection, self.collection.paging
        found = [item for item in self.items(mock) if all(keeps(f, item, query) for f in collection.filters)]
        size = self.page_size(query, found)
        start = self.start(found, query)
        chosen = found[start : start + size]
        if len(chosen) < self.fewest_listed:
            raise NothingToList
        more = start + size < len(found)
        if not collection.items:
            return chosen, self.link(url, query, found, start, size, chosen) if more else {}
        body = copy.deepcopy(self.answers[self.key][200].body if 200 in self.answers[self.key] else {})
        body = body if isinstance(body, dict) else {}
        place(body, collection.items, chosen)
        if paging.total:
            place(body, paging.total_at, len(found))
        if paging.has_more:
            place(body, paging.has_more, more)
        if paging.echo and paging.size is not None:
            place(body, (*paging.echo, paging.size.name), size)
        if paging.echo and paging.start is not None and paging.style == OFFSET:
            place(body, (*paging.echo, paging.start.name), start)
        if paging.next:
            holder_ = at(body, paging.next[:-1]) if len(paging.next) > 1 else body
            if more:
                cursor = resources.key_of(chosen[-1].get(collection.identity))
                place(body, paging.next, self.next_url(url, query, cursor) if self.next_is_link else cursor)
            elif isinstance(holder_, dict):
                holder_.pop(paging.next[-1], None)
        return body, self.link(url, query, found, start, size, chosen) if more else {}

    @functools.cached_property
    def fewest_listed(self) -> int:
        return fewest_listed(self.spec, self.collection)

    @functools.cached_property
    def next_is_link(self) -> bool:
        """Whether the answer's next-page field is a link (InfluxDB's `links.next`, `format: uri`), not the bare cursor."""
        schema = success_schema(self.spec, self.collection.operation.document)
        for step in self.collection.paging.next:
            schema = properties(self.spec, schema).get(step) or {}
        return isinstance(schema, dict) and schema.get("format") in ("uri", "url", "uri-reference", "iri")

    def next_url(self, url: str, query: Mapping[str, str], cursor: str) -> str:
        """The request's own URL (`url`, without its query) with the next page's cursor in place of its own."""
        return f"{url}?{urllib.parse.urlencode({**query, self.collection.paging.start.name: cursor})}"

    def page_size(self, query: Mapping[str, str], found: list[dict]) -> int:
        """How many items a page holds: as asked, else the document's default; where the document
        names no size, every item from the start on, but a numbered page holds `DEFAULT_SIZE`
        (Discourse's `?page=3` of directory items), so that pages follow one another."""
        paging = self.collection.paging
        size = read(paging.size, query)
        if paging.size is None:
            size = DEFAULT_SIZE if paging.style == PAGE else len(found) or 1
        elif size is None:
            size = paging.size.default or min(DEFAULT_SIZE, paging.size.maximum or DEFAULT_SIZE)
        return max(int(size), 1)

    def start(self, found: list[dict], query: Mapping[str, str]) -> int:
        """The position of the page's first item."""
        paging = self.collection.paging
        given = read(paging.start, query)
        if paging.style == PAGE:
            number = int(given if given is not None else paging.start.default or paging.first)
            return max(number - paging.first, 0) * self.page_size(query, found)
        if paging.style == CURSOR:
            if not given:
                return 0
            keys = [resources.key_of(item.get(self.collection.identity)) for item in found]
            return keys.index(given) + 1 if given in keys else len(found)
        return max(int(given if given is not None else (paging.start.default if paging.start else 0) or 0), 0)

    def link(self, url: str, query: Mapping[str, str], found, start: int, size: int, chosen) -> dict[str, str]:
        """The `Link` header naming the next page, where the document has one."""
        paging = self.collection.paging
        if not paging.link or paging.start is None:
            return {}
        following = {
            OFFSET: lambda: start + size,
            PAGE: lambda: start // size + paging.first + 1,
            CURSOR: lambda: resources.key_of(chosen[-1].get(self.collection.identity)),
        }[paging.style]()
        next_query = {**query, paging.start.name: str(following)}
        if paging.size is not None:
            next_query[paging.size.name] = str(size)
        return {"Link": f'<{url}?{urllib.parse.urlencode(next_query)}>; rel="next"'}

    # Writing.

    def create(self, mock: SharedState, body) -> dict:
        created = {}

        def add(section):
            section = dict(section or {})
            changes = section.get(self.key)
            items = resources.current(self.data, self.collection, changes)
            # The mock names what it creates, as a server does: an id in the body is not taken.
            item = self.written(self.fresh(items, len(self.data) + len(changes or ())), body, keep_identity=True)
            created["item"] = item
            section[self.key] = resources.changed(changes, resources.key_of(item.get(self.collection.identity)), item)
            return section

        mock.change(resources.SECTION, add)
        return created["item"]

    def update(self, mock: SharedState, key: str, body) -> dict | None:
        updated = {}

        def change(section):
            section = dict(section or {})
            changes = section.get(self.key)
            items = resources.current(self.data, self.collection, changes)
            item = next((i for i in items if resources.key_of(i.get(self.collection.identity)) == key), None)
            if item is None:
                return section
            updated["item"] = item = self.written(item, body, keep_identity=True)
            section[self.key] = resources.changed(changes, key, item)
            return section

        mock.change(resources.SECTION, change)
        return updated.get("item")

    def delete(self, mock: SharedState, key: str) -> bool:
        deleted = {}

        def remove(section):
            section = dict(section or {})
            changes = section.get(self.key)
            items = resources.current(self.data, self.collection, changes)
            if not any(resources.key_of(i.get(self.collection.identity)) == key for i in items):
                return section
            deleted["done"] = True
            section[self.key] = resources.changed(changes, key, None)
            return section

        mock.change(resources.SECTION, remove)
        return bool(deleted)

    def fresh(self, items: list[dict], index: int) -> dict:
        """A new item whose id no item has: the next number, else the next generated id."""
        identity = self.collection.identity
        taken = {resources.key_of(item.get(identity)) for item in items}
        numbers = [item.get(identity) for item in items if isinstance(item.get(identity), int)]
        item = resources.new_item(self.spec, self.collection, index, self.seed, self.item_schema)
        if isinstance(item.get(identity), int):
            item[identity] = max(numbers, default=0) + 1
        # Items without an id (Telstra's virtual numbers name none) all have the same `null` one:
        # looking for an id no item has would never end.
        for _ in range(MAX_FRESH_TRIES):
            if item.get(identity) is None or resources.key_of(item.get(identity)) not in taken:
                break
            index += 1
            item = resources.new_item(self.spec, self.collection, index, self.seed, self.item_schema)
        return item

    def written(self, item: dict, body, keep_identity: bool = False) -> dict:
        """`item` with the fields a request body gives it that the item schema knows and takes
        (a document's example may give a date-time where the item has a date: that field is left)."""
        if not isinstance(body, dict):
            return item
        schema = self.item_schema
        known = properties(self.spec, schema).keys() or body.keys()
        given = {name: value for name, value in body.items() if name in known}
        if keep_identity:
            given.pop(self.collection.identity, None)
        merged = {**item, **given}
        if resources.meets(self.spec, merged, schema):
            return merged
        merged = dict(item)
        for name, value in given.items():
            if resources.meets(self.spec, {**merged, name: value}, schema):
                merged[name] = value
        return merged

    def answer_with(self, key: str, item: dict):
        """The answer of an item operation holding `item`; None where the document's answer holds none."""
        where = self.holders.get(key)
        if where is None:
            return None
        kind, names = where
        if kind == WHOLE:
            return item
        if kind == LISTED:
            return [item]
        answers = self.answers[key]
        success = min((status for status in answers if 200 <= status < 300), default=None)
        body = copy.deepcopy(answers[success].body) if success is not None else {}
        body = body if isinstance(body, dict) else {}
        if kind == SHARED:
            return {**body, **{name: item[name] for name in names if name in item}}
        place(body, names, item)
        return body


# An answer is the item, a list of such items (then holding it alone), holds it under a property,
# or is another view of it whose fields it shares (a creation's `{id}`, a detail with more fields
# than the list's items) filled from it.
WHOLE, LISTED, UNDER, SHARED = "whole", "listed", "under", "shared"


def holder(spec: dict, schema: dict, sample: dict, documented, identity: str) -> tuple[str, tuple[str, ...]] | None:
    """How an answer of `schema` (documented as `documented`) holds an item like `sample`: whole,
    as a list's one item, under a property, or as the fields it shares with it, its id among them; None where it holds none."""
    if not schema:
        return None
    # Of a oneOf whose branches overlap (InfluxDB's Dashboard and DashboardWithViewProperties, a
    # superset), no item meets exactly one: an item meeting a branch is what the answer holds.
    branches = resolved(spec, schema).get("oneOf") or []
    if resources.meets(spec, sample, schema) or any(resources.meets(spec, sample, branch) for branch in branches):
        return WHOLE, ()
    if resolved(spec, schema).get("type") == "array" and resources.meets(spec, [sample], schema):
        return LISTED, ()
    fields = properties(spec, schema)
    for name, inner in fields.items():
        # An object that names no id (InfluxDB's template `content`, free-form; its `links`) is no place for the item.
        described = isinstance(inner, dict) and identity in properties(spec, inner)
        if described and inner.get("type", "object") == "object" and resources.meets(spec, sample, inner):
            return UNDER, (name,)
    shared = tuple(name for name in fields if name in sample)
    if identity in shared and isinstance(documented, dict):
        filled = {**documented, **{name: sample[name] for name in shared}}
        if resources.meets(spec, filled, schema):
            return SHARED, shared
        kept = tuple(name for name in shared if resources.meets(spec, {**documented, name: sample[name]}, schema))
        if identity in kept:
            return SHARED, kept
    return None


def read(parameter, query: Mapping[str, str]):
    if parameter is None or query.get(parameter.name) is None:
        return None
    try:
        return parameter.read(query[parameter.name])
    except Invalid:
        return None


def keeps(filter_, item: dict, query: Mapping[str, str]) -> bool:
    value = read(filter_.parameter, query)
    if not filter_.applies(value):
        return True
    return bool(filter_.keeps(item, value))


def serving(spec: dict, collections: Mapping[str, Collection], data: Mapping[str, list], seed: int = 0) -> dict:
    """Each collection served, by the key of every operation it answers."""
    answers = examples.document_answers(spec)
    served = {}
    for key, collection in collections.items():
        own = {
            k: answers[k]
            for k in answers
            if k == key or k.split(" ", 1)[1] in (collection.operation.path, collection.item)
        }
        one = Served(spec, collection, list(data.get(key, ())), own, seed)
        for operation in (key, *one.item_operations()):
            served[operation] = one
    return served


def makeable(spec: dict, collection: Collection) -> bool:
    """Whether wamock can make items its schema takes: a collection it cannot is left to its examples."""
    return resources.meets(spec, resources.new_item(spec, collection, 0), item_schema(spec, collection))


def chats_file(fixtures_file, default):
    """The chats' fixture file: `default` where `fixtures_file` holds a document's collections instead."""
    return default if resources.is_collections_file(fixtures_file) else fixtures_file


def of_document(spec: dict, collections: Mapping[str, Collection], fixtures_file, handled=()) -> dict:
    """The document's collections served (but those wamock's own handlers answer, `handled`), with
    their data from `fixtures_file` where it holds collections, else generated (seed 0)."""
    mine = {key: found for key, found in collections.items() if key not in handled and makeable(spec, found)}
    if not mine:
        return {}
    if resources.is_collections_file(fixtures_file):
        data = resources.load(fixtures_file, spec, mine)
    else:
        data = resources.generate(spec, mine)
    return serving(spec, mine, data)
