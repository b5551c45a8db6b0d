"""In headless Chromium, from another origin: a page that uses a chat's messages as GOWA's
dashboard does (tests/serve/browser/messages.html) against `wamock serve --spec` upstream's document."""

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream, start_wamock, stop
from tests.serve.test_browser import browser, frontend_origin  # noqa: F401  (the fixtures, shared)

pytestmark = [pytest.mark.live, needs_upstream]


@pytest.fixture(scope="module")
def gowa() -> Iterator[str]:
    server = start_wamock("--spec", str(UPSTREAM))
    yield server.base_url
    stop(server)


@pytest.fixture
def page(browser, frontend_origin, gowa) -> Iterator[Page]:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{frontend_origin}/messages.html?api={gowa}")
    yield page
    page.close()
    httpx.post(f"{gowa}/__wamock/reset", headers=JSON, json={})


def history(gowa: str, jid: str) -> list[dict]:
    found = []
    while True:
        results = httpx.get(
            f"{gowa}/chat/{jid}/messages", params={"limit": 100, "offset": len(found)}, auth=AUTH
        ).json()
        found += results["results"]["data"]
        if len(found) >= results["results"]["pagination"]["total"]:
            return found


def chat_with_images(gowa: str) -> tuple[str, list[dict]]:
    """A chat of the page's list with more than two pages of messages, one an image."""
    chats = httpx.get(f"{gowa}/chats", params={"limit": 20}, auth=AUTH).json()["results"]["data"]
    for chat in chats:
        messages = history(gowa, chat["jid"])
        if len(messages) > 60 and any(message["media_type"] == "image" for message in messages):
            return chat["jid"], messages
    raise AssertionError("no chat of the first 20 has more than 60 messages and an image")


def open_whole_history(page: Page, jid: str, total: int) -> None:
    """Open the chat and click "Older" until every message is shown, each page awaited."""
    page.click(f'#chats li[data-jid="{jid}"]')
    shown = min(30, total)
    expect(page.locator("#status")).to_have_text(f"{shown} of {total} messages")
    while shown < total:
        page.click("#older")
        shown = min(shown + 30, total)
        expect(page.locator("#status")).to_have_text(f"{shown} of {total} messages")
    expect(page.locator("#older")).to_be_disabled()


def test_a_chats_messages_page_back_through_their_whole_history(page, gowa):
    jid, messages = chat_with_images(gowa)

    open_whole_history(page, jid, len(messages))

    ids = page.locator("#messages li").evaluate_all("items => items.map((item) => item.dataset.id)")
    assert ids == [message["id"] for message in messages]
    expect(page.locator("#error")).to_have_text("")


def test_an_image_message_points_at_the_mocks_own_origin(page, gowa):
    jid, messages = chat_with_images(gowa)

    open_whole_history(page, jid, len(messages))

    image = page.locator("#messages img").first
    assert re.fullmatch(re.escape(gowa) + r"/statics/media/sample\.(jpg|png|webp)", image.get_attribute("src"))


def test_an_image_message_renders(page, gowa):
    jid, messages = chat_with_images(gowa)
    open_whole_history(page, jid, len(messages))

    image = page.locator("#messages img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("image => image.complete", arg=image.element_handle())

    assert image.evaluate("image => image.naturalWidth") > 0


def test_a_text_sent_from_the_composer_comes_first_and_its_chat_moves_to_the_top(page, gowa):
    chats = httpx.get(f"{gowa}/chats", params={"limit": 20}, auth=AUTH).json()["results"]["data"]
    jid = chats[7]["jid"]
    page.click(f'#chats li[data-jid="{jid}"]')
    expect(page.locator("#messages li")).to_have_count(min(30, len(history(gowa, jid))))

    page.fill("#text", "Sent from the composer")
    page.click("#send")

    expect(page.locator("#messages li").first).to_have_text(re.compile(r": Sent from the composer$"))
    expect(page.locator("#chats li").first).to_have_attribute("data-jid", jid)
    expect(page.locator("#error")).to_have_text("")
