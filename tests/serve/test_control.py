"""The control API under /__wamock: data, session and journal, as an end-to-end test drives them."""

import base64
import json

import httpx
import pytest

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream
from wamock.data import spec as spec_module

CHAT = {
    "jid": "628123@s.whatsapp.net",
    "name": "Only Chat",
    "last_message_time": "2024-05-01T10:00:00Z",
    "ephemeral_expiration": 0,
    "created_at": "2024-04-01T10:00:00Z",
    "updated_at": "2024-05-01T10:00:00Z",
    "has_media": True,
}


def test_replaced_data_is_served(client):
    response = client.put("/__wamock/chats", json=[CHAT])
    body = client.get("/chats", auth=AUTH).json()

    assert response.json() == {"code": "SUCCESS", "message": "serving 1 chat", "results": {"total": 1}}
    assert body["results"]["data"] == [{k: v for k, v in CHAT.items() if k != "has_media"}]
    assert body["results"]["pagination"] == {"limit": 25, "offset": 0, "total": 1}


def test_control_shows_the_data_with_has_media(client):
    client.put("/__wamock/chats", json=[CHAT])

    assert client.get("/__wamock/chats").json()["results"] == {"total": 1, "data": [CHAT]}


def test_a_served_page_is_taken_back_whole(client):
    served = client.get("/chats?limit=100", auth=AUTH).json()

    response = client.put("/__wamock/chats", json=served)
    again = client.get("/chats?limit=100", auth=AUTH).json()

    assert response.json()["message"] == "serving 100 chats"
    assert again["results"]["data"] == served["results"]["data"]
    assert again["results"]["pagination"]["total"] == 100


def test_a_served_page_is_taken_back_as_its_results(client):
    results = client.get("/chats?limit=3", auth=AUTH).json()["results"]

    client.put("/__wamock/chats", json=results)

    assert client.get("/chats", auth=AUTH).json()["results"]["data"] == results["data"]


@needs_upstream
def test_an_answer_of_upstreams_shape_is_taken_back(client):
    """A chat as GOWA's own document describes it (its Chat schema's examples), in GOWA's envelope."""
    chat_schema = spec_module.load(UPSTREAM)["components"]["schemas"]["Chat"]["properties"]
    chat = {name: field["example"] for name, field in chat_schema.items()}
    answer = {"code": "SUCCESS", "message": "Success get chat list", "results": {"data": [chat]}}

    response = client.put("/__wamock/chats", json=answer)

    assert response.status_code == 200
    assert client.get("/chats", auth=AUTH).json()["results"]["data"] == [chat]


def test_a_chat_without_has_media_has_none(client):
    chat = {k: v for k, v in CHAT.items() if k != "has_media"}

    client.put("/__wamock/chats", json=[chat])

    assert client.get("/__wamock/chats").json()["results"]["data"] == [{**chat, "has_media": False}]
    assert client.get("/chats?has_media=true", auth=AUTH).json()["results"]["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            [{**CHAT, "updated_at": "soon"}], "body: record 0: updated_at: not an RFC 3339 date-time", id="bad-date"
        ),
        pytest.param([CHAT, CHAT], "body: record 1: jid: '628123@s.whatsapp.net' repeats record 0", id="duplicate"),
        pytest.param([{"jid": "1@g.us"}], "body: record 0: ", id="missing-fields"),
        pytest.param(
            {"chats": []},
            'body: expected a JSON list of chats, or {"devices": {"ID": [chats], ...}}, '
            "got a JSON object without a non-empty devices object",
            id="not-a-list",
        ),
        pytest.param(
            {"devices": {"a": [{**CHAT, "has_media": "yes"}]}},
            "body: devices.a: record 0: has_media: must be a JSON boolean",
            id="device-record",
        ),
    ],
)
def test_bad_data_changes_nothing(client, body, message):
    response = client.put("/__wamock/chats", json=body)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert client.get("/chats", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_reset_serves_the_fixtures_logged_in(client):
    client.put("/__wamock/chats", json=[CHAT])
    client.put("/__wamock/session", json={"logged_in": False})

    response = client.post("/__wamock/reset", headers=JSON)

    assert response.status_code == 200
    assert client.get("/chats", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_session_switch_logs_out_and_in(client):
    logged_out = client.put("/__wamock/session", json={"logged_in": False}).json()
    out_answer = client.get("/chats", auth=AUTH)
    client.put("/__wamock/session", json={"logged_in": True})

    assert logged_out["results"] == {"logged_in": False}
    assert out_answer.status_code == 500
    assert out_answer.json()["message"] == "you are not loggin"
    assert client.get("/__wamock/session").json()["results"] == {"logged_in": True}
    assert client.get("/chats", auth=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"logged_in": "no"}, "body.logged_in: must be true or false"),
        ({}, "body: 'logged_in' is a required property"),
    ],
)
def test_bad_session_body_gets_400(client, body, message):
    response = client.put("/__wamock/session", json=body)

    assert (response.status_code, response.json()["message"]) == (400, message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 5000 + "]" * 5000, "body: JSON nested too deep"),
        ("[" + "9" * 100_000 + "]", "body: a number longer than 4300 digits"),
    ],
)
def test_json_too_deep_or_with_endless_numbers_gets_400(client, body, message):
    response = client.put("/__wamock/chats", content=body, headers=JSON)

    assert (response.status_code, response.json()["message"]) == (400, message)
    assert client.get("/chats", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_a_data_set_sent_in_chunks_is_read_whole(live_server):
    def chunks():
        yield b"["
        yield json.dumps(CHAT).encode()
        yield b"]"

    response = httpx.put(f"{live_server.base_url}/__wamock/chats", content=chunks(), headers=JSON)
    served = httpx.get(f"{live_server.base_url}/chats", auth=AUTH).json()
    httpx.post(f"{live_server.base_url}/__wamock/reset", headers=JSON)

    assert response.status_code == 200, response.text
    assert served["results"]["pagination"]["total"] == 1


def test_unparsable_body_gets_400(client):
    response = client.put("/__wamock/chats", content=b"[{", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["message"].startswith("body: not valid JSON: ")


def test_journal_records_what_clients_sent_never_passwords(client):
    client.delete("/__wamock/journal", headers=JSON)
    client.get("/chats?limit=2&has_media=true", auth=AUTH)
    client.get("/chats")
    client.get("/chats", headers={"Authorization": "Basic " + base64.b64encode(b"eve:secret").decode()})

    entries = client.get("/__wamock/journal").json()["results"]["entries"]

    assert [{k: v for k, v in entry.items() if k != "time"} for entry in entries] == [
        {
            "method": "GET",
            "path": "/chats",
            "query": "limit=2&has_media=true",
            "auth": True,
            "user": "username",
            "status": 200,
        },
        {"method": "GET", "path": "/chats", "query": "", "auth": False, "user": None, "status": 401},
        {"method": "GET", "path": "/chats", "query": "", "auth": True, "user": "eve", "status": 401},
    ]
    assert "password" not in str(entries)
    assert "secret" not in str(entries)


def test_journal_clears(client):
    client.get("/chats", auth=AUTH)

    client.delete("/__wamock/journal", headers=JSON)

    assert client.get("/__wamock/journal").json()["results"]["entries"] == []


def test_control_can_have_its_own_credentials(make_client):
    client = make_client(control_accounts=["admin:s3cret"])

    assert client.get("/__wamock/session").status_code == 401
    assert client.get("/__wamock/session", auth=AUTH).status_code == 401
    assert client.get("/__wamock/session", auth=("admin", "s3cret")).status_code == 200
    assert client.get("/chats", auth=("admin", "s3cret")).status_code == 401


def test_control_can_be_turned_off(make_client):
    client = make_client(control=False)

    response = client.post("/__wamock/reset", headers=JSON)

    assert response.status_code == 404
    assert response.json()["code"] == "404"
