"""Collections inferred from a document's shapes: each paging style, filters, item operations;
the extension and the file beside the document override; a wrong guess is no collection."""

import copy

import pytest

from tests.documents import write
from wamock.data.collections import EXTENSION
from wamock.data.inference import inferred, served_collections
from wamock.data.operations import operations
from wamock.data.spec import SpecError

THING = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "colour": {"type": "string"},
        "done": {"type": "boolean"},
    },
}


def listing(parameters: list[dict], answer: dict, headers: dict | None = None) -> dict:
    ok = {"description": "OK", "content": {"application/json": {"schema": answer}}}
    if headers:
        ok["headers"] = headers
    one = {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {
            "/things": {
                "get": {"parameters": parameters, "responses": {"200": ok}},
                "post": {"responses": {"201": one["200"]}},
            },
            "/things/{thingId}": {"get": {"responses": one}, "delete": {"responses": {"204": {"description": "gone"}}}},
        },
        "components": {"schemas": {"Thing": THING}},
    }


def query(name: str, kind: str = "integer", **schema) -> dict:
    return {"name": name, "in": "query", "schema": {"type": kind, **schema}}


ARRAY = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}


def described(document: dict) -> dict:
    every = operations(document)
    return inferred(document, every["GET /things"], every)


@pytest.mark.parametrize(
    ("parameters", "answer", "headers", "paging"),
    [
        (
            [query("limit"), query("offset")],
            {"type": "object", "properties": {"data": ARRAY, "total": {"type": "integer"}}},
            None,
            {"style": "offset", "size": "limit", "start": "offset", "total": "total"},
        ),
        (
            [query("page", minimum=0), query("per_page")],
            {
                "type": "object",
                "properties": {
                    "items": ARRAY,
                    "meta": {"type": "object", "properties": {"totalCount": {"type": "integer"}}},
                },
            },
            None,
            {"style": "page", "size": "per_page", "start": "page", "first": 0, "total": "meta.totalCount"},
        ),
        (
            [query("pageSize"), query("pageToken", "string")],
            {
                "type": "object",
                "properties": {"things": ARRAY, "nextPageToken": {"type": "string"}, "has_more": {"type": "boolean"}},
            },
            None,
            {
                "style": "cursor",
                "size": "pageSize",
                "start": "pageToken",
                "next": "nextPageToken",
                "has_more": "has_more",
            },
        ),
        (
            [query("limit"), query("after", "string")],
            ARRAY,
            {"Link": {"schema": {"type": "string"}}},
            {"style": "cursor", "size": "limit", "start": "after", "link": True},
        ),
        (  # a moment is no cursor: `after` of format date-time filters by time
            [query("limit"), query("after", "string", format="date-time")],
            ARRAY,
            None,
            {"style": "offset", "size": "limit"},
        ),
    ],
)
def test_each_paging_style_is_read_from_parameter_and_answer_names(parameters, answer, headers, paging):
    assert described(listing(parameters, answer, headers))["paging"] == paging


def test_fields_named_by_parameters_filter_and_free_text_looks_in_the_name():
    document = listing(
        [
            query("colour", "string"),
            query("done", "boolean"),
            query("q", "string"),
            query("name", "string"),
            query("id", "string"),
        ],
        ARRAY,
    )

    assert described(document)["filters"] == {
        "colour": {"field": "colour", "match": "equals"},
        "done": {"field": "done", "match": "equals"},
        "q": {"field": "name", "match": "contains"},
        "name": {"field": "name", "match": "contains"},
        # `id` is a string here and an integer in the item: no filter
    }


def test_the_item_path_names_the_items_and_a_field_of_its_name_is_their_id():
    document = listing([query("limit")], ARRAY)
    assert (described(document)["item"], described(document)["id"]) == ("/things/{thingId}", "id")

    document["components"]["schemas"]["Thing"]["properties"]["thingId"] = {"type": "string"}
    assert described(document)["id"] == "thingId"


def test_a_list_neither_paged_nor_written_is_left_to_its_example():
    document = listing([], ARRAY)
    del document["paths"]["/things/{thingId}"]
    del document["paths"]["/things"]["post"]

    assert described(document) is None


def test_lists_under_a_templated_path_and_answers_without_objects_are_not_collections():
    document = listing([query("limit")], ARRAY)
    document["paths"]["/owners/{ownerId}/things"] = document["paths"]["/things"]
    document["paths"]["/names"] = {
        "get": {
            "parameters": [query("limit")],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}},
                }
            },
        }
    }

    assert list(served_collections(document)) == ["GET /things"]


def test_the_extension_and_the_file_beside_the_document_override_inference(tmp_path):
    document = listing([query("limit"), query("offset"), query("colour", "string")], ARRAY)
    by_extension = copy.deepcopy(document)
    by_extension["paths"]["/things"]["get"][EXTENSION] = {"paging": {"size": "limit"}, "id": "name"}
    path = write(tmp_path / "api.yaml", document)
    write(tmp_path / "api.wamock.yaml", {"collections": {"GET /things": {"paging": {"size": "limit"}, "filters": {}}}})

    extended = served_collections(by_extension)["GET /things"]
    beside = served_collections(document, path)["GET /things"]
    guessed = served_collections(document)["GET /things"]

    assert (extended.paging.start, extended.identity) == (None, "name")
    assert (beside.paging.start, beside.filters) == (None, ())
    assert (guessed.paging.start.name, [f.name for f in guessed.filters]) == ("offset", ["colour"])


def test_a_bad_file_beside_the_document_is_one_line_naming_it(tmp_path):
    document = listing([query("limit")], ARRAY)
    path = write(tmp_path / "api.yaml", document)
    write(tmp_path / "api.wamock.yaml", {"collections": {"GET /things": {"paging": {"style": "keyset"}}}})

    with pytest.raises(SpecError, match=r"^GET /things: x-wamock-collection: paging style 'keyset' is not one of"):
        served_collections(document, path)
    (tmp_path / "api.wamock.yaml").write_text("collections: [1")
    with pytest.raises(SpecError, match=r"api.wamock.yaml: cannot be read: "):
        served_collections(document, path)
