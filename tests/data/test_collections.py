"""The collection description: read from the document, and agreeing with the store that serves it."""

import copy
import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import data_sets, page_requests
from wamock.data import collections
from wamock.data.collections import CHAT_LIST_DESCRIPTION, EXTENSION
from wamock.data.spec import SpecError
from wamock.data.store import ChatStore, order_key

# A list of our own, paged and filtered under other names: the description, not the code, says so.
THINGS = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "parameters": [
                    {"name": "size", "in": "query", "schema": {"type": "integer", "default": 10}},
                    {"name": "from", "in": "query", "schema": {"type": "integer", "default": 0}},
                    {"name": "colour", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                ],
                EXTENSION: {
                    "items": "things",
                    "paging": {"size": "size", "start": "from", "echo": "page", "total": "count"},
                    "filters": {"colour": {"field": "colour"}, "q": {"field": "label", "match": "contains"}},
                    "order": ["-made_at", "id"],
                    "id": "id",
                },
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "things": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "id": {"type": "string"},
                                                    "label": {"type": "string"},
                                                    "made_at": {"type": "string", "format": "date-time"},
                                                },
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}


def things() -> collections.Collection:
    return collections.collection(THINGS, "GET /things")


def test_a_described_list_pages_and_filters_by_its_own_names():
    described = things()
    request = described.requested({"size": "3", "q": "Ab", "colour": "red"})

    assert described.parameters == ("size", "from", "colour", "q")
    assert (request.size, request.start, request.by_field()) == (3, 0, {"colour": "red", "label": "Ab"})
    assert str(request) == "size=3 from=0 colour=red q=Ab"
    assert described.times == frozenset({"made_at"})
    assert described.noun == "things"


@given(
    size=st.integers(0, 2**70),
    start=st.integers(0, 2**70),
    total=st.integers(0, 2**70),
    items=st.lists(st.dictionaries(st.text(max_size=3), st.integers(-(2**63), 2**63 - 1)), max_size=3),
)
def test_an_answer_is_the_frame_with_the_page_where_the_description_puts_it(size, start, total, items):
    encoded = b",".join(orjson.dumps(item) for item in items)
    frame = {"code": "SUCCESS", "message": 'says "hi"'}

    body = things().answer(frame, encoded, size, start, total)

    expected = {**frame, "things": items, "page": {"size": size, "from": start, "count": total}}
    # The standard library reads integers of any size exactly (orjson reads those past 64 bits as floats).
    assert json.loads(body) == expected
    assert things().answered(json.loads(body)) == collections.AnsweredPage(items, size, start, total)


def test_an_answer_not_of_the_described_shape_is_no_page():
    described = things()

    assert described.answered({"things": [], "page": {"size": 1, "from": 0}}) is None  # no count
    assert described.answered({"things": {}, "page": {"size": 1, "from": 0, "count": 0}}) is None
    assert described.answered({"things": [], "page": {"size": True, "from": 0, "count": 0}}) is None
    assert described.answered([]) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["paging"].update(size="limit"),
            "GET /things: x-wamock-collection: the operation has no query parameter 'limit'",
        ),
        (
            lambda d: d["filters"]["colour"].update(match="like"),
            "match 'like' is not one of equals, contains, only-true",
        ),
        (lambda d: d["paging"].update(style="keyset"), "paging style 'keyset' is not one of offset, page, cursor"),
        (lambda d: d["paging"].update(first="one"), "paging first 'one': must be an integer"),
        (lambda d: d.update(filters=["colour"]), "not a collection description"),
    ],
)
def test_a_description_that_does_not_fit_is_one_line_naming_it(change, message):
    document = copy.deepcopy(THINGS)
    change(document["paths"]["/things"]["get"][EXTENSION])

    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        collections.collection(document, "GET /things")


def test_gowa_chats_are_described_by_the_built_in_description(spec):
    chats = collections.collection(spec)

    assert [(f.name, f.field, f.match) for f in chats.filters] == [
        (name, rule["field"], rule["match"]) for name, rule in CHAT_LIST_DESCRIPTION["filters"].items()
    ]
    assert chats.items == ("results", "data")


@given(data_sets())
def test_the_description_orders_chats_as_the_store_does(chats):
    described = collections.collection(collections.load())

    assert sorted(chats, key=described.sort_key) == sorted(chats, key=order_key)


@given(data_sets(), page_requests())
def test_the_store_keeps_exactly_what_the_descriptions_filters_keep(chats, request):
    """Served by the store and judged by the description: one rule, so they must agree."""
    described = collections.collection(collections.load())
    filters = request["filters"]
    query = {"has_media": str(filters.has_media).lower(), "search": filters.search}
    if filters.archived is not None:
        query["archived"] = str(filters.archived).lower()
    asked = described.requested(query)

    verdicts = {chat["jid"]: [f.keeps(chat, v) for f, v in asked.applied()] for chat in chats}
    page = ChatStore(chats).page(limit=len(chats) + 1, offset=0, filters=filters)
    served = {chat["jid"] for chat in page.data}

    # A chat that does not say (no `archived` field) is the store's to place; every other agrees.
    assert not {jid for jid, kept in verdicts.items() if False in kept} & served
    assert {jid for jid, kept in verdicts.items() if all(kept)} <= served
