"""End to end, as a dashboard uses it: `wamock serve --spec` upstream's document, two workers,
a chat's messages paged back through their whole history, filters narrowing, a send seen by
every worker (first in its chat, its chat first in the list), reset restoring it all."""

import httpx
import pytest

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream, start_wamock, stop

pytestmark = [pytest.mark.live, needs_upstream]


@pytest.fixture(scope="module")
def served():
    server = start_wamock("--spec", str(UPSTREAM), "--workers", "2")
    yield server
    stop(server)


@pytest.fixture
def gowa(served):
    # A new connection each request, so that both workers answer.
    with httpx.Client(base_url=served.base_url, auth=AUTH, timeout=10, headers={"Connection": "close"}) as client:
        yield client
        client.post("/__wamock/reset", headers=JSON, json={})


def page_back(client: httpx.Client, jid: str, **query) -> tuple[list[dict], int]:
    """Every message, 30 at a time as the dashboard's "Older" asks, and the total each page gave."""
    found, offset, totals = [], 0, set()
    while True:
        results = client.get(f"/chat/{jid}/messages", params={"limit": 30, "offset": offset, **query}).json()["results"]
        found += results["data"]
        totals.add(results["pagination"]["total"])
        offset += 30
        if not results["data"]:
            assert len(totals) == 1
            return found, totals.pop()


def test_a_dashboard_pages_sends_and_resets_across_workers(gowa):
    listed = gowa.get("/chats", params={"limit": 100, "has_media": "true"}).json()["results"]["data"]
    chat = max(
        listed[:10], key=lambda chat: gowa.get(f"/chat/{chat['jid']}/messages").json()["results"]["pagination"]["total"]
    )
    history, total = page_back(gowa, chat["jid"])
    media, media_total = page_back(gowa, chat["jid"], media_only="true")

    sent = gowa.post("/send/message", json={"phone": chat["jid"], "message": "from the composer"}).json()
    firsts = [
        gowa.get(f"/chat/{chat['jid']}/messages", params={"limit": 1}).json()["results"]["data"][0] for _ in range(4)
    ]
    tops = [gowa.get("/chats", params={"limit": 1}).json()["results"]["data"][0]["jid"] for _ in range(4)]
    gowa.post("/__wamock/reset", headers=JSON, json={})
    after_reset, total_after_reset = page_back(gowa, chat["jid"])

    assert len(history) == total > 30
    assert history[0]["timestamp"] == chat["last_message_time"]
    assert media == [message for message in history if message["media_type"]] and 0 < media_total < total
    assert {first["id"] for first in firsts} == {sent["results"]["message_id"]}
    assert firsts[0]["content"] == "from the composer"
    assert tops == [chat["jid"]] * 4
    assert (after_reset, total_after_reset) == (history, total)
    assert gowa.get("/chats", params={"limit": 1}).json()["results"]["data"][0]["jid"] != chat["jid"]
