"""A form or multipart body where GOWA's document lists only JSON is read as GOWA's framework
binds it, typed by the body schema, judged as JSON, and noted in the journal."""

import httpx
import pytest

from tests.conftest import AUTH, JSON, TEST_HOST, UPSTREAM, needs_upstream
from wamock.serve.app import create_app
from wamock.serve.encodings import typed

pytestmark = needs_upstream

NOTE = "media type not in the document: {}, read as JSON"
GROUP = "120363024512399999@g.us"


@pytest.fixture
def gowa() -> httpx.Client:
    client = create_app(spec_file=UPSTREAM, allowed_hosts=[TEST_HOST]).test_client()
    client.auth = AUTH
    return client


def last_entry(gowa: httpx.Client) -> dict:
    return gowa.get("/__wamock/journal").json()["results"]["entries"][-1]


@pytest.mark.parametrize(
    ("send", "media_type"),
    [
        pytest.param({"data": {"group_id": GROUP}}, "application/x-www-form-urlencoded", id="form"),
        pytest.param({"files": {"group_id": (None, GROUP)}}, "multipart/form-data", id="multipart"),
    ],
)
def test_leaving_a_group_with_a_form_is_taken_and_noted(gowa, send, media_type):
    answer = gowa.post("/group/leave", **send)

    assert answer.status_code == 200
    assert answer.json()["code"] == "SUCCESS"
    assert last_entry(gowa)["note"] == NOTE.format(media_type)


def test_a_json_body_is_not_noted(gowa):
    gowa.post("/group/leave", json={"group_id": GROUP})

    assert "note" not in last_entry(gowa)


def test_each_field_is_typed_by_the_body_schema(gowa):
    jid = gowa.get("/chats", params={"archived": "false", "limit": 1}).json()["results"]["data"][0]["jid"]

    archived = gowa.post(f"/chat/{jid}/archive", data={"archived": "true"})

    assert archived.status_code == 200
    assert archived.json()["results"]["archived"] is True
    gowa.post("/__wamock/reset", headers=JSON)


def test_a_value_that_does_not_fit_its_type_is_the_400_of_a_json_body(gowa):
    refused = gowa.post("/chat/1@s.whatsapp.net/archive", data={"archived": "maybe"})

    assert refused.status_code == 400
    assert refused.json()["message"] == "body.archived: must be true or false"


def test_a_malformed_multipart_body_is_a_400_saying_why(gowa):
    refused = gowa.post(
        "/group/leave", content=b"--x\r\nno blank line", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )

    assert refused.status_code == 400
    assert refused.json()["message"] == "body: not multipart form data: a part's headers do not end with a blank line"


def test_a_form_still_needs_credentials(gowa):
    refused = gowa.post("/group/leave", data={"group_id": GROUP}, auth=None)

    assert refused.status_code == 401


@pytest.mark.parametrize(
    ("text", "schema", "value"),
    [
        ("5", {"type": "integer"}, 5),
        ("-5", {"type": "integer"}, -5),
        ("٣", {"type": "integer"}, "٣"),
        ("1.5", {"type": "number"}, 1.5),
        ("T", {"type": "boolean"}, True),
        ("0", {"type": "boolean"}, False),
        ("yes", {"type": "boolean"}, "yes"),
        ('{"a": 1}', {"type": "object"}, {"a": 1}),
        ("5", {"type": "string"}, "5"),
    ],
)
def test_a_value_is_read_as_go_reads_it(text, schema, value):
    assert typed(text, schema) == value
