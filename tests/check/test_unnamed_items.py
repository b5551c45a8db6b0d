"""Collection rules on a list whose items the document names by no id (Getty's related searches
of a search by image: `{phrase, url}`): a page cannot be said to repeat an item no id names."""

import random

import httpx
import pytest

from wamock.check.checks import RuleBroken
from wamock.check.collection_rules import CollectionProbing, pages_are_disjoint_and_cover
from wamock.data.inference import served_collections

ITEM = {"type": "object", "properties": {"phrase": {"type": "string"}, "url": {"type": "string"}}}


def listing(item: dict) -> dict:
    answer = {"type": "object", "properties": {"related": {"type": "array", "items": item}}}
    size = {"name": "page_size", "in": "query", "schema": {"type": "integer"}}
    page = {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}}
    ok = {"description": "OK", "content": {"application/json": {"schema": answer}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "searches", "version": "1"},
        "paths": {"/searches": {"get": {"parameters": [size, page], "responses": {"200": ok}}}},
    }


def probing(spec: dict, pages: list[list[dict]]) -> CollectionProbing:
    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json={"related": pages[number - 1] if number <= len(pages) else []})

    client = httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(answer))
    return CollectionProbing(client, spec, served_collections(spec)["GET /searches"], random.Random(1))


def test_pages_of_items_named_by_no_id_are_not_said_to_repeat():
    pages = [[{"phrase": "willow", "url": f"/by-image/{n}"} for n in range(3)], [{"phrase": "birch", "url": "/4"}]]

    pages_are_disjoint_and_cover(probing(listing(ITEM), pages))


def test_pages_repeating_an_item_named_by_its_id_still_break_the_rule():
    named = {**ITEM, "properties": {**ITEM["properties"], "id": {"type": "string"}}}
    pages = [[{"id": "a"}, {"id": "b"}, {"id": "c"}], [{"id": "c"}]]

    with pytest.raises(RuleBroken, match="repeats items of an earlier page"):
        pages_are_disjoint_and_cover(probing(listing(named), pages))


def test_pages_of_a_list_the_document_gives_no_page_size_are_not_judged():
    """Discourse's GET /directory_items.json names `page` alone: what a page holds is the
    server's to say, and the document says nothing of how its pages relate (Prism's one
    example on every page was called a repeat, a false alarm)."""
    named = {**ITEM, "properties": {**ITEM["properties"], "id": {"type": "string"}}}
    spec = listing(named)
    parameters = spec["paths"]["/searches"]["get"]["parameters"]
    spec["paths"]["/searches"]["get"]["parameters"] = [p for p in parameters if p["name"] != "page_size"]
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "a"}, {"id": "b"}]]

    pages_are_disjoint_and_cover(probing(spec, pages))
