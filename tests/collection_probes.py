"""What a collection must do over HTTP, asked of any server: pages, filters, writes that stick.

The tests ask it of wamock serving real documents and our own books.yaml, and of the books
implementations of tests/check/library (the correct one keeps every rule, each broken one
breaks its own). A collection is read from the document by wamock's inference; what is asked
is plain HTTP, judged here.
"""

from dataclasses import dataclass

import httpx

from wamock.data.collections import CURSOR, PAGE, Collection, at, item_schema, properties
from wamock.data.examples import built_example
from wamock.data.operations import operations
from wamock.data.plain_requests import plain_request
from wamock.data.resources import key_of
from wamock.data.spec import resolved


@dataclass
class Api:
    client: httpx.Client  # at the document's base URL, with whatever credentials it asks
    spec: dict
    collection: Collection

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *_exc) -> None:
        self.client.close()

    def items(self, response: httpx.Response) -> list:
        assert response.status_code == 200, response.text[:300]
        found = at(response.json(), self.collection.items)
        assert isinstance(found, list), response.text[:300]
        return found

    def ids(self, items: list) -> list[str]:
        return [key_of(item.get(self.collection.identity)) for item in items]

    def __post_init__(self) -> None:
        # Headers the collection's operations require (Postmark's X-Postmark-Account-Token), as the document gives them.
        for operation in operations(self.spec).values():
            if operation.path in (self.collection.operation.path, self.collection.item):
                plain = plain_request(self.spec, operation)
                self.client.headers.update(plain.headers if plain else {})

    def list(self, **query) -> httpx.Response:
        """The list, with the paging parameters the document requires at their first page where not given."""
        paging = self.collection.paging
        first = {"offset": 0, "page": paging.first, "cursor": ""}[paging.style]
        for parameter, value in ((paging.size, 10), (paging.start, first)):
            if parameter is not None and parameter.required:
                query.setdefault(parameter.name, value)
        return self.client.get(self.collection.operation.path, params=query)

    def first_pages(self, size: int) -> tuple[list, list]:
        """Page 1 and page 2, asked as the document pages: offset, page number or the next cursor."""
        paging = self.collection.paging
        sized = {paging.size.name: size} if paging.size else {}
        first = self.list(**sized)
        if paging.style == PAGE:
            second = self.list(**sized, **{paging.start.name: paging.first + 1})
        elif paging.style == CURSOR:
            cursor = at(first.json(), paging.next) if paging.next else None
            if isinstance(cursor, str) and "://" in cursor:  # a link to the next page (InfluxDB's links.next)
                return self.items(first), self.items(self.client.get(cursor))
            if cursor is None and "link" in first.headers:
                return self.items(first), self.items(self.client.get(first.links["next"]["url"]))
            cursor = cursor if cursor is not None else self.ids(self.items(first))[-1]
            second = self.list(**sized, **{paging.start.name: cursor})
        else:
            second = self.list(**sized, **{paging.start.name: size})
        return self.items(first), self.items(second)

    def every_item(self) -> list:
        paging = self.collection.paging
        biggest = (paging.size.maximum or 100) if paging.size else None
        return self.items(self.list(**({paging.size.name: min(biggest, 100)} if biggest else {})))

    def path_of(self, key: str) -> str:
        name = self.collection.item.rsplit("{", 1)[1].rstrip("}")
        return self.collection.item.replace("{" + name + "}", key)

    def body_for(self, method: str, path: str) -> dict:
        """A request body the document takes: built from its schema."""
        operation = resolved(self.spec, self.spec["paths"][path])[method.lower()]
        content = resolved(self.spec, operation.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or next(iter(content.values()), {})).get("schema") or {}
        body = built_example(self.spec, schema)
        return body if isinstance(body, dict) else {}

    def free_text(self, field: str) -> bool:
        """Whether the item field takes any text: a string without format, enum, pattern or bounds."""
        schema = properties(self.spec, item_schema(self.spec, self.collection)).get(field) or {}
        return schema.get("type") == "string" and not {"format", "enum", "pattern", "maxLength"} & set(schema)

    def required_query(self, method: str, path: str) -> dict:
        """The query parameters an operation requires, as the document gives them (Drive's `requestId`)."""
        plain = plain_request(self.spec, operations(self.spec)[f"{method} {path}"])
        return httpx.URL(plain.target).params if plain else {}

    def item_of(self, response: httpx.Response) -> dict:
        """The item an answer holds: itself, or under one of its properties."""
        body = response.json()
        if isinstance(body, dict) and self.collection.identity in body:
            return body
        return next(value for value in body.values() if isinstance(value, dict) and self.collection.identity in value)


def pages_differ_and_keep_their_size(api: Api, size: int = 3) -> None:
    first, second = api.first_pages(size)
    assert len(first) == size and len(second) == size, (len(first), len(second))
    assert not set(api.ids(first)) & set(api.ids(second)), (api.ids(first), api.ids(second))


def a_filter_narrows(api: Api) -> str:
    """An equality filter on a value an item has keeps that item and fewer than all; its name."""
    every = api.every_item()
    for filter_ in api.collection.filters:
        values = [item.get(filter_.field) for item in every if takes(filter_, item.get(filter_.field))]
        value = next((v for v in values if values.count(v) < len(every)), None)
        if value is None:
            continue
        query = str(value).lower() if isinstance(value, bool) else value
        kept = api.items(api.list(**{filter_.name: query}, **size_of(api, 100)))
        assert kept, f"{filter_.name}={query} kept nothing"
        assert all(filter_.keeps(item, filter_.parameter.read(str(query))) for item in kept), (filter_.name, kept)
        assert len(kept) < len(every), f"{filter_.name}={query} kept every item"
        return filter_.name
    raise AssertionError(f"no filter of {api.collection.operation.key} has a value to narrow by")


def takes(filter_, value) -> bool:
    """Whether the filter's parameter takes the value (an enum parameter may not take every field value)."""
    if not isinstance(value, str | int | bool):
        return False
    try:
        filter_.parameter.read(str(value).lower() if isinstance(value, bool) else str(value))
    except ValueError:
        return False
    return True


def size_of(api: Api, wanted: int) -> dict:
    size = api.collection.paging.size
    return {size.name: min(wanted, size.maximum or wanted)} if size else {}


def writes_stick(api: Api, update_method: str = "PUT") -> str:
    """Create, read, update, read, delete, then 404; the created item's key."""
    collection = api.collection
    created = api.client.post(
        collection.operation.path,
        params=api.required_query("POST", collection.operation.path),
        json=api.body_for("POST", collection.operation.path),
    )
    assert 200 <= created.status_code < 300, created.text[:300]
    key = key_of(api.item_of(created)[collection.identity])
    read = api.client.get(api.path_of(key))
    assert read.status_code == 200, read.text[:300]
    assert key_of(api.item_of(read)[collection.identity]) == key
    assert key in api.ids(api.every_item()), "the created item is not in the list"
    body = api.body_for(update_method, collection.item)
    text_field = next((name for name in body if name != collection.identity and api.free_text(name)), None)
    if text_field is not None:
        body[text_field] = "Changed by wamock's test"
    updated = api.client.request(update_method, api.path_of(key), json=body)
    assert 200 <= updated.status_code < 300, updated.text[:300]
    if text_field is not None:
        assert api.item_of(api.client.get(api.path_of(key))).get(text_field) == "Changed by wamock's test"
    deleted = api.client.delete(api.path_of(key))
    assert 200 <= deleted.status_code < 300, deleted.text[:300]
    gone = api.client.get(api.path_of(key))
    assert gone.status_code == 404, gone.text[:300]
    return key


def reset_restores(api: Api, control_url: str) -> None:
    """A reset forgets what was written: a created item is gone, the list is as it was."""
    before = api.ids(api.every_item())
    collection = api.collection
    created = api.client.post(
        collection.operation.path,
        params=api.required_query("POST", collection.operation.path),
        json=api.body_for("POST", collection.operation.path),
    )
    key = key_of(api.item_of(created)[collection.identity])
    api.client.delete(api.path_of(before[0]))
    assert api.ids(api.every_item()) != before
    reset = httpx.post(f"{control_url}/__wamock/reset", json={}, timeout=30)
    assert reset.status_code in (200, 204), reset.text
    assert api.ids(api.every_item()) == before
    assert api.client.get(api.path_of(key)).status_code == 404
