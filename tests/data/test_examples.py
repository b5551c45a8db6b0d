"""The answers wamock builds from a document meet the document's own schemas."""

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from tests.conftest import UPSTREAM, needs_upstream
from wamock.data import examples

pytestmark = needs_upstream


def inlined(document: dict, item, depth: int = 0):
    if isinstance(item, dict) and "$ref" in item:
        target = document
        for part in item["$ref"][2:].split("/"):
            target = target[part]
        return inlined(document, target, depth + 1)
    if isinstance(item, dict):
        return {key: inlined(document, value, depth + 1) for key, value in item.items()}
    if isinstance(item, list):
        return [inlined(document, value, depth + 1) for value in item]
    return item


@pytest.fixture(scope="module")
def upstream() -> dict:
    return yaml.safe_load(UPSTREAM.read_text())


def test_every_answer_of_upstreams_document_meets_its_schema(upstream):
    checked = 0
    for path, path_item in upstream["paths"].items():
        for method, operation in path_item.items():
            for status, answer in examples.operation_answers(upstream, operation).items():
                response = inlined(upstream, operation["responses"][str(status)])
                if answer.source == "none":
                    assert not response.get("content"), f"{method} {path} {status}"
                    continue
                schema = response["content"][answer.media_type]["schema"]
                OAS30Validator(schema).validate(answer.body)
                checked += 1

    assert checked > 200  # every documented answer with content, of 89 operations


def test_a_property_example_of_the_wrong_type_is_converted_or_replaced(upstream):
    not_found = examples.built_example(upstream, {"$ref": "#/components/schemas/ErrorNotFound"})

    # The document says code: {type: string, example: 404} and results: {type: object, example: null}.
    assert not_found == {"code": "404", "message": "Chat not found", "results": {}}


def test_how_upstreams_operations_answer(upstream):
    answers = examples.document_answers(upstream)
    usual = {key: min(statuses.items())[1].source for key, statuses in answers.items()}

    assert len(answers) == 89
    assert usual["GET /health"] == "example"  # a text/plain example on the response
    assert usual["GET /devices"] == "built"  # upstream's examples sit on schema properties
    assert set(usual.values()) <= {"example", "built", "none"}


def test_texts_fall_back_to_the_bundled_spec_where_a_document_is_silent(upstream):
    texts = examples.texts(upstream)

    assert texts.success == "Success get chat list"
    assert texts.unauthorized == "Unauthorized access"
    assert texts.device_not_found["code"] == "DEVICE_NOT_FOUND"  # upstream documents no 404 for GET /chats
    assert texts.default_limit == 25


@pytest.mark.parametrize("length", [21, 24, 29])
def test_a_date_time_made_up_is_as_long_as_the_schema_asks(length):
    """Telstra's `lastUse` is a date-time of at least 24 characters: milliseconds."""
    schema = {"type": "string", "format": "date-time", "minLength": length, "maxLength": 29}

    value = examples.plain_value("string", schema)

    assert len(value) >= length
    assert OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER).is_valid(value)


@pytest.mark.parametrize(
    ("schema", "meets"),
    [
        ({"type": "string", "example": 401234567, "minLength": 10, "maxLength": 10}, "0401234567"),  # Telstra's
        ({"type": "string", "example": 12.5, "minLength": 6}, "xxxxxx"),  # no padding makes it fit: replaced
        ({"type": "string", "example": 404}, "404"),
    ],
)
def test_a_number_example_of_a_string_is_written_to_meet_the_schema(schema, meets):
    assert examples.built_example({}, schema) == meets
