"""The answer cache replays connexion's answers, and only ones that still hold."""

import asyncio
import base64
from types import SimpleNamespace

from tests.conftest import AUTH, JSON
from wamock.serve.answer_cache import ResponseCacheMiddleware
from wamock.serve.state import SCOPE_KEY as STATE_KEY

WRONG = {"Authorization": "Basic " + base64.b64encode(b"username:wrong").decode()}


def test_repeated_request_gets_the_same_answer(client):
    first = client.get("/chats?limit=3", auth=AUTH)
    second = client.get("/chats?limit=3", auth=AUTH)

    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert second.headers["content-type"] == "application/json"


def test_replayed_answers_keep_their_headers(client):
    """Middleware outside the cache (CORS) adds headers; the cached answer must not keep them."""
    origin = {"Origin": "http://localhost:5173"}
    answers = [client.get("/chats", auth=AUTH, headers=origin) for _ in range(4)]

    assert [answer.headers.get_list("vary") for answer in answers] == [["Origin"]] * 4
    assert len({tuple(answer.headers.raw) for answer in answers}) == 1


def test_credentials_are_part_of_the_key(client):
    assert client.get("/chats", auth=AUTH).status_code == 200
    assert client.get("/chats", headers=WRONG).status_code == 401
    assert client.get("/chats", headers=WRONG).status_code == 401
    assert client.get("/chats").status_code == 401
    assert client.get("/chats", auth=AUTH).status_code == 200


def test_a_state_change_retires_cached_answers(client):
    assert client.get("/chats", auth=AUTH).status_code == 200

    client.put("/__wamock/session", json={"logged_in": False})

    assert client.get("/chats", auth=AUTH).status_code == 500


def test_prefer_is_never_answered_from_the_cache(client):
    assert client.get("/chats", auth=AUTH).status_code == 200

    assert client.get("/chats", auth=AUTH, headers={"Prefer": "code=500"}).status_code == 500


def test_cache_hits_are_journaled(client):
    client.delete("/__wamock/journal", headers=JSON)
    client.get("/chats?limit=1", auth=AUTH)
    client.get("/chats?limit=1", auth=AUTH)

    entries = client.get("/__wamock/journal").json()["results"]["entries"]

    assert [(entry["query"], entry["status"]) for entry in entries] == [("limit=1", 200), ("limit=1", 200)]


def test_cache_keeps_the_most_recent_entries_only():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["query_string"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["query_string"]})

    cache = ResponseCacheMiddleware(app, paths={"/chats"}, max_entries=5)
    state = SimpleNamespace(version=1)

    async def get(query: bytes) -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/chats",
            "query_string": query,
            "headers": [],
            STATE_KEY: state,
        }

        async def send(message):
            pass

        await cache(scope, None, send)

    async def scenario():
        for offset in range(10):
            await get(b"offset=%d" % offset)
        await get(b"offset=9")  # cached
        await get(b"offset=0")  # evicted long ago

    asyncio.run(scenario())

    assert len(cache.entries) == 5
    assert calls.count(b"offset=9") == 1
    assert calls.count(b"offset=0") == 2
