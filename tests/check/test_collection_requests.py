"""The collection rules ask each operation as the document allows: with the query parameters and
headers it requires (InfluxDB's GET /dbrps/{dbrpID} requires `orgID`)."""

import random

import httpx

from wamock.check.collection_rules import CollectionProbing, writes_stick
from wamock.data.inference import served_collections

ORG = {"name": "orgID", "in": "query", "required": True, "schema": {"type": "string", "example": "org-1"}}
THING = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
ANSWER = {"description": "OK", "content": {"application/json": {"schema": THING}}}
DOCUMENT = {
    "openapi": "3.0.0",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {
            "get": {"parameters": [ORG], "responses": {"200": {"description": "OK", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "things": {"type": "array", "items": THING}}}}}}}},
            "post": {"requestBody": {"content": {"application/json": {"schema": THING}}},
                     "responses": {"201": ANSWER}},
        },
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"parameters": [ORG], "responses": {"200": ANSWER}},
        },
    },
}  # fmt: skip


def server(request: httpx.Request) -> httpx.Response:
    """A correct implementation: an item read without the orgID it requires is refused."""
    if request.method == "POST":
        return httpx.Response(201, json={"id": "thing-1", "name": "new"})
    if "orgID" not in request.url.params:
        return httpx.Response(400, json={"message": "orgID: required"})
    return httpx.Response(200, json={"id": "thing-1", "name": "new"})


def test_an_item_is_read_back_with_the_query_parameters_its_operation_requires():
    collection = served_collections(DOCUMENT)["GET /things"]
    client = httpx.Client(base_url="http://things.test", transport=httpx.MockTransport(server))
    probing = CollectionProbing(client, DOCUMENT, collection, random.Random(1))

    writes_stick(probing)

    assert probing.last.request.url.params["orgID"] == "org-1"
    assert probing.last.status_code == 200
