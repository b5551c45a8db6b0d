"""A list whose document lets no page be empty (`minItems: 1`, Telstra's messages): an
implementation answering 404 where nothing is found keeps the collection rules; the same answer
where the document allows an empty page is no page."""

import random

import httpx
import pytest

from wamock.check.checks import RuleBroken
from wamock.check.collection_rules import RULES, CollectionProbing
from wamock.data.inference import served_collections

THINGS = [{"id": number, "name": f"thing {number}"} for number in range(1, 8)]


def document(fewest: int) -> dict:
    thing = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    listed = {"type": "array", "items": thing, **({"minItems": fewest} if fewest else {})}
    page = [{"in": "query", "name": name, "schema": {"type": "integer", "minimum": 0}} for name in ("limit", "offset")]
    ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "things": listed, "total": {"type": "integer"}}}}}}  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {"/things": {"get": {"parameters": page, "responses": {"200": ok, "404": {"description": "None"}}}}},
    }


def answer(request: httpx.Request) -> httpx.Response:
    """An implementation sharing no code with wamock: 404 for a page that would be empty."""
    limit = int(request.url.params.get("limit", 3))
    offset = int(request.url.params.get("offset", 0))
    chosen = THINGS[offset : offset + limit]
    if not chosen:
        return httpx.Response(404, json={"message": "no things"})
    return httpx.Response(200, json={"things": chosen, "total": len(THINGS)})


def probing(fewest: int) -> CollectionProbing:
    spec = document(fewest)
    client = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://things.test")
    return CollectionProbing(client, spec, served_collections(spec)["GET /things"], random.Random(1))


@pytest.mark.parametrize("rule", ["pages_are_disjoint_and_cover", "page_size_is_respected", "past_the_end_is_empty"])
def test_a_404_for_nothing_found_keeps_the_rules_where_no_page_may_be_empty(rule):
    RULES[rule](probing(fewest=1))


def test_a_404_for_nothing_found_is_no_page_where_a_page_may_be_empty():
    with pytest.raises(RuleBroken, match="does not answer a page"):
        RULES["past_the_end_is_empty"](probing(fewest=0))
