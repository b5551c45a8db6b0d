"""A multipart form read field by field by its schema, as requests encodes one."""

import pytest
import requests

from wamock.data import form_bodies

SCHEMA = {
    "properties": {
        "n": {"type": "integer"},
        "on": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
    }
}


def encoded(*fields) -> tuple[bytes, str]:
    request = requests.Request("POST", "http://x/", files=[(name, (None, value)) for name, value in fields]).prepare()
    return request.body, request.headers["Content-Type"]


def test_fields_are_typed_by_their_schemas_and_repeats_make_an_array():
    raw, content_type = encoded(("n", "5"), ("on", "true"), ("tags", "a"), ("tags", "b"), ("other", "x"))

    assert form_bodies.read_multipart(raw, content_type, SCHEMA) == {
        "n": 5,
        "on": True,
        "tags": ["a", "b"],
        "other": "x",
    }


def test_a_field_of_one_value_given_twice_is_ambiguous():
    raw, content_type = encoded(("n", "5"), ("n", "6"))

    with pytest.raises(form_bodies.Ambiguous):
        form_bodies.read_multipart(raw, content_type, SCHEMA)


@pytest.mark.parametrize("raw", [b"not a form", b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n"])
def test_no_form_or_a_part_without_a_name_is_not_a_form(raw):
    with pytest.raises(form_bodies.NotAForm):
        form_bodies.read_multipart(raw, "multipart/form-data; boundary=b", SCHEMA)
