"""The operation model: every operation of a document, its parameters read once, and how a value is read."""

import pytest

from tests.conftest import UPSTREAM, needs_upstream
from wamock.data import spec as spec_module
from wamock.data.operations import Invalid, Parameter, operation, operations
from wamock.data.paths import SPEC_FILE


def test_the_chat_list_has_the_contracts_query_parameters_and_defaults():
    chat_list = operation(spec_module.load(SPEC_FILE), "GET /chats")

    query = chat_list.query()
    assert list(query) == ["limit", "offset", "has_media", "search", "archived", "device_id"]
    assert (query["limit"].default, query["limit"].minimum, query["limit"].maximum) == (25, 1, 100)
    assert (query["offset"].default, query["offset"].minimum) == (0, 0)
    assert query["has_media"].kind == "boolean"
    assert chat_list.parameter("X-Device-Id", "header") is not None
    assert chat_list.security == ({"basicAuth": []},)


def test_a_path_items_parameters_are_shared_and_an_operations_own_override_them():
    document = {
        "openapi": "3.0.3",
        "security": [{"key": []}],
        "paths": {
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                ],
                "get": {"parameters": [{"$ref": "#/components/parameters/Verbose"}], "responses": {}},
                "delete": {"security": [], "responses": {}},
            }
        },
        "components": {"parameters": {"Verbose": {"name": "verbose", "in": "query", "schema": {"type": "integer"}}}},
    }

    found = operations(document)

    assert list(found) == ["GET /things/{id}", "DELETE /things/{id}"]
    assert found["GET /things/{id}"].query()["verbose"].kind == "integer"
    assert found["GET /things/{id}"].parameter("id", "path").required
    assert found["DELETE /things/{id}"].query()["verbose"].kind == "boolean"
    assert (found["GET /things/{id}"].security, found["DELETE /things/{id}"].security) == (({"key": []},), ())


@pytest.mark.parametrize("document", [{"paths": None}, {"paths": {"/a": None, "/b": [1], "/c": {"get": [1]}}}])
def test_odd_documents_have_no_operations_rather_than_a_crash(document):
    assert operations(document) == {}


@needs_upstream
def test_upstreams_document_has_its_89_operations():
    assert len(operations(spec_module.load(UPSTREAM))) == 89


LIMIT = Parameter("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100})


@pytest.mark.parametrize(("raw", "value"), [("1", 1), ("100", 100), ("05", 5), ("+7", 7)])
def test_an_integer_is_ascii_digits_with_a_sign_within_its_bounds(raw, value):
    assert LIMIT.read(raw) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "limit: must be no less than 1"),
        ("101", "limit: must be no greater than 100"),
        ("1e1", "limit: must be an integer"),
        ("5_0", "limit: must be an integer"),
        (" 5", "limit: must be an integer"),
        ("\u0663", "limit: must be an integer"),  # an Arabic-Indic three, which int() would take
        ("", "limit: must be an integer"),
    ],
)
def test_anything_else_is_invalid_and_says_why(raw, message):
    with pytest.raises(Invalid) as refused:
        LIMIT.read(raw)

    assert str(refused.value) == message


def test_a_boolean_is_true_or_false_in_any_letter_case():
    flag = Parameter("has_media", "query", {"type": "boolean"})

    assert [flag.read(raw) for raw in ("true", "FALSE", "True")] == [True, False, True]
    with pytest.raises(Invalid):
        flag.read("1")


def test_an_enum_allows_only_its_values():
    sort = Parameter("sort", "query", {"type": "string", "enum": ["newest", "oldest"]})

    assert sort.read("oldest") == "oldest"
    with pytest.raises(Invalid, match="sort: must be one of newest, oldest"):
        sort.read("name")
