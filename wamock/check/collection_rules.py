"""Rules every collection keeps, asked of any implementation of any document.

A collection is what `wamock.data.inference` finds in the document (or its `x-wamock-collection`
or side file says): a list paged in its own style, its filters, and where it has them, the
operations that create, read, change and delete one item. GET /chats has probes of its own
that know more (`wamock.check.probes`); these are the rules any list keeps:

- the pages of a walk share no item, and together give the total the answer states;
- no page is larger than the size asked;
- past the last page, a page is empty;
- every item of a filtered page matches the filter;
- an item created is readable at its id, an update is visible there, and once deleted it is 404.

Each is asked only where the document makes it decidable: a walk needs a size and a start, the
total needs a field for it, writes need the item's path and an id in what the creation answers.
What a probe writes, it deletes again where the document lets it.
"""

import functools
import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from wamock.check.checks import RuleBroken, shown
from wamock.data.collections import (
    CONTAINS,
    CURSOR,
    OFFSET,
    PAGE,
    Collection,
    Filter,
    at,
    fewest_listed,
    item_schema,
    properties,
)
from wamock.data.examples import built_example
from wamock.data.operations import Operation, operations
from wamock.data.plain_requests import PlainRequest, plain_request
from wamock.data.resources import key_of
from wamock.data.spec import SpecError, resolved

MAX_PAGES = 50  # a walk's most requests: a list longer than that is walked in part
WALK_SIZE = 3  # items a page while walking: small, so that a short list still has several pages
CHANGED_TEXT = "changed by wamock check"


class Unwalkable(Exception):
    """The list answered no page before: a rule that needs its walk has nothing to judge."""


@dataclass
class Walk:
    pages: list[list] = field(default_factory=list)
    total: int | None = None  # as the first answer states it, where the answer has a total
    complete: bool = False  # it reached an empty page, or a last one (no next cursor, no more)
    size: int | None = None

    @property
    def items(self) -> list:
        return [item for page in self.pages for item in page]


@dataclass
class CollectionProbing:
    """A collection of the document, and the client that asks it (each request with the
    credentials its operation's security asks: `authorized(operation)` gives them)."""

    client: httpx.Client
    spec: dict
    collection: Collection
    rng: random.Random
    authorized: Callable[[Operation], httpx.Auth | None] = lambda operation: None
    judge: Callable[[httpx.Response], list[tuple[str, RuleBroken]]] = lambda response: []
    requests: int = 0
    last: httpx.Response | None = None
    broken: list[tuple[str, RuleBroken, httpx.Response]] = field(default_factory=list)
    walked: Walk | None = None
    unwalkable: bool = False  # the first walk found no page: its rule said so, the others have nothing to judge
    _plain_requests: dict[str, PlainRequest | None] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def operations(self) -> dict[str, Operation]:
        return operations(self.spec)

    @functools.cached_property
    def plain(self) -> PlainRequest | None:
        """The list's plain request (`plain_request`), read once."""
        return plain_request(self.spec, self.collection.operation)

    def plain_of(self, operation: Operation) -> PlainRequest | None:
        if operation.key not in self._plain_requests:
            self._plain_requests[operation.key] = plain_request(self.spec, operation)
        return self._plain_requests[operation.key]

    def send(self, method: str, path: str, template: str, **options) -> httpx.Response:
        operation = self.operations.get(f"{method} {template}")
        auth = self.authorized(operation) if operation is not None else None
        if operation is not None and template != self.collection.operation.path:
            # An item's operation gets the query parameters and headers it requires, as the list
            # does (InfluxDB's GET /dbrps/{dbrpID} requires orgID): without them, a refusal is right.
            plain = self.plain_of(operation)
            if plain is not None:
                options["params"] = {**dict(httpx.URL(plain.target).params), **(options.get("params") or {})}
                options["headers"] = {**plain.headers, **(options.get("headers") or {})}
        self.requests += 1
        response = self.client.request(method, path, auth=auth or httpx.USE_CLIENT_DEFAULT, **options)
        self.last = response
        found = self.judge(response)
        if response.status_code >= 500:
            found.append(("not_a_server_error", RuleBroken("Server error", f"Received: {response.status_code}")))
        self.broken += [(name, why, response) for name, why in found]
        return response

    def listed(self, query: dict) -> httpx.Response:
        path = self.collection.operation.path
        headers = self.plain.headers if self.plain is not None else {}
        return self.send("GET", path, path, params={**self.required_query(), **query}, headers=headers)

    def required_query(self) -> dict:
        """The list's required query parameters and headers, as the document gives them
        (`plain_request`), paging left to the walk."""
        paging = {p.name for p in (self.collection.paging.size, self.collection.paging.start) if p is not None}
        query = dict(httpx.URL(self.plain.target).params) if self.plain is not None else {}
        return {name: value for name, value in query.items() if name not in paging}

    @property
    def askable(self) -> bool:
        """Whether the document gives a value of every parameter the list requires: else no rule is decidable."""
        return self.plain is not None

    def items_of(self, response: httpx.Response) -> list | None:
        """The items an answer holds, None unless it is a success holding a list where the
        collection says; a 404 is no items where the document lets no page be empty."""
        if response.status_code == 404 and fewest_listed(self.spec, self.collection) > 0:
            return []
        if not 200 <= response.status_code < 300:
            return None
        try:
            found = at(response.json(), self.collection.items) if self.collection.items else response.json()
        except ValueError:
            return None
        return found if isinstance(found, list) else None

    def total_of(self, response: httpx.Response) -> int | None:
        at_path = self.collection.paging.total_at
        value = at(response.json(), at_path) if at_path else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def ids(self, items: list) -> list[str]:
        """The ids the items are named by; an item without one (Getty's related searches, whose
        schema has no id) is named by none, and cannot be said to repeat another."""
        identity = self.collection.identity
        return [
            key_of(item.get(identity)) if isinstance(item, dict) else key_of(item)
            for item in items
            if not isinstance(item, dict) or item.get(identity) is not None
        ]

    def size(self) -> int | None:
        size = self.collection.paging.size
        if size is None:
            return None
        wanted = WALK_SIZE
        if size.minimum is not None and size.minimum > wanted:
            wanted = int(size.minimum)
        return int(min(wanted, size.maximum)) if size.maximum is not None else wanted

    def walk(self, filters: dict | None = None) -> Walk:
        """The pages from the first on, asked in the collection's style, to an empty or a last page."""
        if filters is None and self.walked is not None:
            return self.walked
        if self.unwalkable:
            raise Unwalkable()
        paging, size = self.collection.paging, self.size()
        sized = {paging.size.name: size} if size is not None else {}
        walk = Walk(size=size)
        query = {**(filters or {}), **sized}
        if paging.start is not None and paging.style == PAGE:
            query[paging.start.name] = paging.first
        elif paging.start is not None and paging.style == OFFSET:
            query[paging.start.name] = 0
        for _ in range(MAX_PAGES):
            response = self.listed(query)
            items = self.items_of(response)
            if items is None:
                self.unwalkable = filters is None
                raise RuleBroken(
                    f"{self.collection.operation.key} does not answer a page",
                    f"Requested: {shown(query)}",
                    f"Received: {response.status_code} {response.text[:200]}",
                    response=response,
                )
            if not walk.pages:
                walk.total = self.total_of(response)
            if not items:
                walk.complete = True
                break
            walk.pages.append(items)
            following = self.next_query(query, response, items)
            if following is None:
                walk.complete = True
                break
            query = following
        if filters is None:
            self.walked = walk
        return walk

    def next_query(self, query: dict, response: httpx.Response, items: list) -> dict | None:
        """The query of the page after this one; None where the answer says it is the last."""
        paging = self.collection.paging
        if paging.start is None:
            return None  # one page: the document names no way to ask for another
        if paging.has_more and at(response.json(), paging.has_more) is False:
            return None
        if paging.style == CURSOR:
            cursor = at(response.json(), paging.next) if paging.next else None
            if cursor in (None, ""):
                return None
            if isinstance(cursor, str) and ("://" in cursor or cursor.startswith("/")):
                # a link to the next page (`links.next`): its cursor is the one it names
                linked = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cursor).query))
                cursor = linked.get(paging.start.name, cursor)
            return {**query, paging.start.name: cursor}
        step = 1 if paging.style == PAGE else len(items)
        return {**query, paging.start.name: query[paging.start.name] + step}

    # Writes.

    def item_path(self, key: str) -> str:
        template = self.collection.item
        name = template.rsplit("{", 1)[1].split("}", 1)[0]
        return template.replace("{" + name + "}", key)

    def body_for(self, method: str, path: str) -> dict | None:
        """A body the operation takes, built from its JSON schema; None where it takes none in JSON."""
        operation = self.operations.get(f"{method} {path}")
        if operation is None:
            return None
        content = resolved(self.spec, operation.document.get("requestBody") or {}).get("content") or {}
        media = content.get("application/json")
        if media is None:
            return None
        body = built_example(self.spec, resolved(self.spec, media.get("schema") or {}))
        return body if isinstance(body, dict) else None

    def created_key(self, response: httpx.Response) -> str | None:
        """The id of what a creation answered: in the item it answers, else its Location header."""
        identity = self.collection.identity
        try:
            body = response.json()
        except ValueError:
            body = None
        candidates = [body, *(body.values() if isinstance(body, dict) else ())]
        for candidate in candidates:
            if isinstance(candidate, dict) and candidate.get(identity) is not None:
                return key_of(candidate[identity])
        location = response.headers.get("location")
        return location.rstrip("/").rsplit("/", 1)[-1] if location else None

    def item_of(self, response: httpx.Response, key: str) -> dict | None:
        """The item `key` an answer holds: the answer itself, a property of it, or, where the
        document answers a list of items for one (Netlify's accounts), that list's item `key`."""
        try:
            body = response.json()
        except ValueError:
            return None
        identity = self.collection.identity
        if isinstance(body, list):
            found = [item for item in body if isinstance(item, dict) and key_of(item.get(identity)) == key]
            return found[0] if found else None
        if isinstance(body, dict) and identity in body:
            return body
        found = (
            [value for value in body.values() if isinstance(value, dict) and identity in value]
            if isinstance(body, dict)
            else []
        )
        return found[0] if found else None

    def free_text_field(self, body: dict) -> str | None:
        """A field of the body that takes any text (no format, enum, pattern or bound): one an update may change."""
        try:
            fields = properties(self.spec, item_schema(self.spec, self.collection))
        except SpecError:
            return None
        for name in body:
            schema = fields.get(name) or {}
            bounded = {"format", "enum", "pattern", "maxLength", "const"} & set(schema)
            if name != self.collection.identity and schema.get("type") == "string" and not bounded:
                return name
        return None


def pages_are_disjoint_and_cover(probing: CollectionProbing) -> None:
    if probing.collection.paging.size is None:
        # A page parameter alone (Discourse's `page`, `offset`), no size: what a page holds is the
        # server's to say, and the document says nothing of how its pages relate.
        return
    walk = probing.walk()
    noun = probing.collection.noun
    seen: set[str] = set()
    for number, page in enumerate(walk.pages, start=1):
        ids = probing.ids(page)
        repeated = sorted(set(ids) & seen)
        if repeated:
            raise RuleBroken(
                f"A page of {noun} repeats items of an earlier page",
                f"Walked: {walk.size} a page; page {number} repeats {shown(repeated[:5])}",
                response=probing.last,
            )
        seen.update(ids)
    if walk.complete and walk.total is not None and len(walk.items) != walk.total:
        raise RuleBroken(
            f"Walking the pages of {noun} does not give the total",
            f"Walked: {len(walk.pages)} pages of {walk.size} to the end",
            f"Expected: {walk.total} {noun} (the total the first page states)",
            f"Received: {len(walk.items)} {noun}",
        )


def page_size_is_respected(probing: CollectionProbing) -> None:
    walk = probing.walk()
    if walk.size is None:
        return
    for number, page in enumerate(walk.pages, start=1):
        if len(page) > walk.size:
            name = probing.collection.paging.size.name
            raise RuleBroken(
                f"A page holds more {probing.collection.noun} than asked",
                f"Requested: {name}={walk.size}",
                f"Received: {len(page)} on page {number}",
            )


def past_the_end_is_empty(probing: CollectionProbing) -> None:
    paging, walk = probing.collection.paging, probing.walk()
    if paging.start is None or paging.style == CURSOR or not walk.complete:
        return
    sized = {paging.size.name: walk.size} if walk.size is not None else {}
    beyond = paging.first + len(walk.pages) + 1 if paging.style == PAGE else len(walk.items) + (walk.size or 1)
    query = {**sized, paging.start.name: beyond}
    response = probing.listed(query)
    items = probing.items_of(response)
    if items:
        raise RuleBroken(
            "A page past the last one is not empty",
            f"Requested: {shown(query)}; {len(walk.items)} {probing.collection.noun} in all",
            f"Received: {len(items)} {probing.collection.noun}",
            response=response,
        )


def filter_value(probing: CollectionProbing, filter_: Filter, items: list) -> str | None:
    """A value of the filter that some walked item matches and, where there is one, some does not."""
    candidates = []
    for item in items:
        value = item.get(filter_.field) if isinstance(item, dict) else None
        if filter_.match == CONTAINS and isinstance(value, str) and len(value) >= 2:
            start = probing.rng.randrange(len(value) - 1)
            candidates.append(value[start : start + 2])
        elif isinstance(value, bool):
            candidates.append("true" if value else "false")
        elif isinstance(value, str | int) and not isinstance(value, bool):
            candidates.append(str(value))
    usable = []
    for value in candidates:
        try:
            filter_.parameter.read(value)
        except ValueError:
            continue
        usable.append(value)
    narrowing = [value for value in usable if usable.count(value) < len(items)]
    return (narrowing or usable or [None])[0]


def filtered_items_match(probing: CollectionProbing) -> None:
    items = probing.walk().items
    for filter_ in probing.collection.filters:
        value = filter_value(probing, filter_, items)
        if value is None:
            continue
        filtered = probing.walk({filter_.name: value})
        read = filter_.parameter.read(value)
        for item in filtered.items:
            if filter_.keeps(item, read) is False:
                rule = "contains" if filter_.match == CONTAINS else "is"
                raise RuleBroken(
                    f"A page filtered by {filter_.name} holds an item whose {filter_.field} does not match it",
                    f"Requested: {filter_.name}={value} ({filter_.field} {rule} {shown(value)})",
                    f"Received: {filter_.field} = {shown(item.get(filter_.field))}",
                    response=probing.last,
                )


def writes_stick(probing: CollectionProbing) -> None:
    """Create, read it at its id, change it, read the change, delete it, read 404."""
    collection = probing.collection
    if collection.item is None:
        return
    every = probing.operations
    listed = collection.operation.path
    body = probing.body_for("POST", listed)
    if body is None or f"GET {collection.item}" not in every:
        return
    created = probing.send("POST", listed, listed, json=body)
    if not 200 <= created.status_code < 300:
        return  # refusing a body built from the schema is positive_data_acceptance's to judge
    key = probing.created_key(created)
    if key is None:
        return  # the creation does not say the id: reading it back is not decidable
    path = probing.item_path(key)
    cleanup = f"DELETE {collection.item}" in every
    try:
        read = probing.send("GET", path, collection.item)
        if read.status_code != 200:
            raise RuleBroken(
                f"A {collection.item_noun} created is not readable at its id",
                f"Requested: POST {listed}, then GET {path}",
                f"Received: {read.status_code} {read.text[:200]}",
                response=read,
            )
        changed = changed_by_update(probing, path)
        if changed is not None:
            field_name, method = changed
            again = probing.item_of(probing.send("GET", path, collection.item), key) or {}
            if again.get(field_name) != CHANGED_TEXT:
                raise RuleBroken(
                    f"An update of a {collection.item_noun} is not visible",
                    f'Requested: {method} {path} with {field_name}: "{CHANGED_TEXT}", then GET {path}',
                    f"Received: {field_name} = {shown(again.get(field_name))}",
                    response=probing.last,
                )
        if cleanup:
            deleted = probing.send("DELETE", path, collection.item)
            cleanup = False
            if 200 <= deleted.status_code < 300:
                gone = probing.send("GET", path, collection.item)
                if gone.status_code != 404:
                    raise RuleBroken(
                        f"A {collection.item_noun} deleted is still readable",
                        f"Requested: DELETE {path} ({deleted.status_code}), then GET {path}",
                        f"Received: {gone.status_code}; documented: 404",
                        response=gone,
                    )
    finally:
        if cleanup:
            probing.send("DELETE", path, collection.item)


def changed_by_update(probing: CollectionProbing, path: str) -> tuple[str, str] | None:
    """PUT (or PATCH) the item with one free-text field changed; the field and method, if it succeeded."""
    template = probing.collection.item
    for method in ("PUT", "PATCH"):
        body = probing.body_for(method, template)
        if body is None:
            continue
        field_name = probing.free_text_field(body)
        if field_name is None:
            continue
        response = probing.send(method, path, template, json={**body, field_name: CHANGED_TEXT})
        return (field_name, method) if 200 <= response.status_code < 300 else None
    return None


Rule = Callable[[CollectionProbing], None]


def decidable(rule: Rule) -> Rule:
    """The rule, asked only where the list can be asked, and silent where its walk found no page
    (the first rule to walk reported that)."""

    def asked(probing: CollectionProbing) -> None:
        if not probing.askable:
            return
        try:
            rule(probing)
        except Unwalkable:
            return

    asked.__name__ = rule.__name__
    return asked


RULES: dict[str, Rule] = {
    rule.__name__: decidable(rule)
    for rule in (
        pages_are_disjoint_and_cover,
        page_size_is_respected,
        past_the_end_is_empty,
        filtered_items_match,
        writes_stick,
    )
}
