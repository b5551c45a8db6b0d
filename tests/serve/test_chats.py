"""GET /chats through the app in process: the page's example, filters, pagination, errors."""

import base64

import pytest

from tests.conftest import AUTH

PAGE_EXAMPLE_CHAT = {
    "jid": "6289685028129@s.whatsapp.net",
    "name": "John Doe",
    "last_message_time": "2024-01-15T10:30:00Z",
    "ephemeral_expiration": 0,
    "created_at": "2024-01-10T08:00:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
    "archived": False,  # upstream's field, beside the page's example
}


def test_default_request_answers_the_page_example(client):
    body = client.get("/chats", auth=AUTH).json()

    assert body["code"] == "SUCCESS"
    assert body["message"] == "Success get chat list"
    assert body["results"]["data"][0] == PAGE_EXAMPLE_CHAT
    assert len(body["results"]["data"]) == 25
    assert body["results"]["pagination"] == {"limit": 25, "offset": 0, "total": 150}


def test_response_never_shows_has_media(client):
    chats = client.get("/chats?limit=100", auth=AUTH).json()["results"]["data"]

    assert [chat for chat in chats if "has_media" in chat] == []


def test_pages_follow_each_other(client):
    whole = client.get("/chats?limit=30", auth=AUTH).json()["results"]["data"]
    first = client.get("/chats?limit=10", auth=AUTH).json()["results"]["data"]
    second = client.get("/chats?limit=20&offset=10", auth=AUTH).json()["results"]

    assert first + second["data"] == whole
    assert second["pagination"] == {"limit": 20, "offset": 10, "total": 150}


def test_offset_past_the_end_gives_an_empty_page(client):
    results = client.get("/chats?offset=150", auth=AUTH).json()["results"]

    assert results == {"data": [], "pagination": {"limit": 25, "offset": 150, "total": 150}}


@pytest.mark.parametrize("offset", [2**63 - 1, 2**63, 2**64, 10**40])
def test_offset_past_any_int64_is_echoed_past_the_end(client, offset):
    results = client.get(f"/chats?offset={offset}", auth=AUTH).json()["results"]

    assert results == {"data": [], "pagination": {"limit": 25, "offset": offset, "total": 150}}


def test_last_page_is_short(client):
    results = client.get("/chats?offset=140&limit=25", auth=AUTH).json()["results"]

    assert len(results["data"]) == 10


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_has_media_true_keeps_only_chats_with_media(client, value):
    filtered = client.get(f"/chats?has_media={value}&limit=100", auth=AUTH).json()["results"]
    everything = client.get("/chats?limit=100&offset=0", auth=AUTH).json()["results"]["data"]
    everything += client.get("/chats?limit=100&offset=100", auth=AUTH).json()["results"]["data"]

    assert filtered["pagination"]["total"] == 50
    assert len(filtered["data"]) == 50
    assert all(chat in everything for chat in filtered["data"])


@pytest.mark.parametrize("value", ["false", "FALSE", "False"])
def test_has_media_false_applies_no_filter(client, value):
    body = client.get(f"/chats?has_media={value}", auth=AUTH).json()

    assert body["results"]["pagination"]["total"] == 150


def test_unknown_query_parameters_are_ignored(client):
    response = client.get("/chats?sort=name&fields=jid&limit=1", auth=AUTH)

    assert response.status_code == 200
    assert response.json()["results"]["data"] == [PAGE_EXAMPLE_CHAT]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("limit=101", "limit: must be no greater than 100", id="limit-too-big"),
        pytest.param("limit=0", "limit: must be no less than 1", id="limit-zero"),
        pytest.param("limit=-3", "limit: must be no less than 1", id="limit-negative"),
        pytest.param("limit=abc", "limit: must be an integer", id="limit-not-a-number"),
        pytest.param("limit=2.5", "limit: must be an integer", id="limit-fraction"),
        pytest.param("limit=", "limit: must be an integer", id="limit-empty"),
        pytest.param("offset=-1", "offset: must be no less than 0", id="offset-negative"),
        pytest.param("offset=x", "offset: must be an integer", id="offset-not-a-number"),
        pytest.param("has_media=maybe", "has_media: must be true or false", id="has-media-word"),
        pytest.param("has_media=1", "has_media: must be true or false", id="has-media-one"),
        pytest.param("has_media=yes", "has_media: must be true or false", id="has-media-yes"),
        pytest.param("has_media=", "has_media: must be true or false", id="has-media-empty"),
    ],
)
def test_bad_query_gets_400_envelope(client, query, message):
    response = client.get(f"/chats?{query}", auth=AUTH)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": "400", "message": message, "results": {}}


def basic(raw: bytes) -> dict:
    return {"Authorization": b"Basic " + base64.b64encode(raw)}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-credentials"),
        pytest.param(basic(b"username:wrong"), id="wrong-password"),
        pytest.param(basic(b"someone:password"), id="wrong-user"),
        pytest.param(basic(b"usernamepassword"), id="no-colon"),
        pytest.param({"Authorization": "Basic !!!not-base64"}, id="bad-base64"),
        pytest.param({"Authorization": "Basic"}, id="basic-without-value"),
        pytest.param({"Authorization": "Bearer abc"}, id="other-scheme"),
    ],
)
def test_bad_credentials_get_401_envelope(client, headers):
    response = client.get("/chats", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"code": "401", "message": "Unauthorized access", "results": {}}
    assert response.headers["www-authenticate"] == 'Basic realm="wamock", charset="UTF-8"'


def test_bad_credentials_win_over_bad_parameters(client):
    response = client.get("/chats?limit=500")

    assert response.status_code == 401


def test_several_accounts_each_get_in(make_client):
    client = make_client(accounts=["alice:a1", "bob:b:2"])

    assert client.get("/chats", auth=("alice", "a1")).status_code == 200
    assert client.get("/chats", auth=("bob", "b:2")).status_code == 200
    assert client.get("/chats", auth=AUTH).status_code == 401


def test_utf8_credentials_are_compared_as_sent(make_client):
    client = make_client(accounts=["josé:pässwörd"])

    assert client.get("/chats", headers=basic("josé:pässwörd".encode())).status_code == 200
    assert client.get("/chats", headers=basic("josé:pässwörd".encode("latin-1"))).status_code == 401


def test_logged_out_answers_the_page_500_example(make_client):
    response = make_client(logged_out=True).get("/chats", auth=AUTH)

    assert response.status_code == 500
    assert response.json() == {"code": "INTERNAL_SERVER_ERROR", "message": "you are not loggin", "results": {}}


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        pytest.param("GET", "/nope", 404, "Not Found: GET /nope", id="unknown-path"),
        pytest.param("POST", "/chats", 405, "Method Not Allowed: POST /chats", id="unknown-method"),
        pytest.param("DELETE", "/chats", 405, "Method Not Allowed: DELETE /chats", id="delete"),
    ],
)
def test_unknown_route_gets_envelope_with_its_status(client, method, path, status, message):
    response = client.request(method, path, auth=AUTH)

    assert response.status_code == status
    assert response.json() == {"code": str(status), "message": message, "results": {}}


def test_served_data_can_be_given_directly(make_client):
    chat = {**PAGE_EXAMPLE_CHAT, "jid": "1@s.whatsapp.net", "archived": True, "has_media": True}

    body = make_client(chats=[chat]).get("/chats?has_media=true", auth=AUTH).json()

    assert body["results"]["data"] == [{**PAGE_EXAMPLE_CHAT, "jid": "1@s.whatsapp.net", "archived": True}]


def every_chat(client, query: str = "") -> list[dict]:
    chats, offset = [], 0
    while page := client.get(f"/chats?limit=100&offset={offset}&{query}", auth=AUTH).json()["results"]["data"]:
        chats += page
        offset += 100
    return chats


@pytest.mark.parametrize("search", ["john", "JOHN", "oh", "Tech", "zzz-no-such-name"])
def test_search_keeps_the_chats_whose_name_contains_it_in_any_case(client, search):
    everything = every_chat(client)
    expected = [chat for chat in everything if search.lower() in chat["name"].lower()]

    found = every_chat(client, f"search={search}")
    total = client.get(f"/chats?search={search}", auth=AUTH).json()["results"]["pagination"]["total"]

    assert found == expected
    assert total == len(expected)


@pytest.mark.parametrize("archived", ["true", "false", "TRUE", "False"])
def test_archived_keeps_the_chats_with_that_archived(client, archived):
    found = every_chat(client, f"archived={archived}")

    assert {chat["archived"] for chat in found} == {archived.lower() == "true"}
    assert len(found) == len([c for c in every_chat(client) if c["archived"] is (archived.lower() == "true")])


def test_filters_combine_with_and(client):
    with_media = {chat["jid"] for chat in every_chat(client, "has_media=true")}
    expected = [
        chat["jid"]
        for chat in every_chat(client)
        if chat["jid"] in with_media and not chat["archived"] and "a" in chat["name"].lower()
    ]

    found = [chat["jid"] for chat in every_chat(client, "has_media=true&archived=false&search=A")]

    assert found == expected
    assert 0 < len(found) < 150


def test_empty_search_is_no_filter(client):
    assert client.get("/chats?search=", auth=AUTH).json()["results"]["pagination"]["total"] == 150


def test_archived_must_be_a_boolean(client):
    response = client.get("/chats?archived=yes", auth=AUTH)

    assert (response.status_code, response.json()["message"]) == (400, "archived: must be true or false")
