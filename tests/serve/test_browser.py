"""In a real headless Chromium: a page on another origin, the logged-out screen, Swagger UI.

Chromium is Debian's (`/usr/bin/chromium`, which `tox` installs when it is missing), driven by
Playwright's Python package; no browser is downloaded.
"""

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.conftest import AUTH, JSON, UPSTREAM, needs_upstream, start_wamock, stop

CHROMIUM = "/usr/bin/chromium"
# Without the networking switches, Chromium keeps calling home, and this network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("WAMOCK_ARTIFACTS", Path(__file__).resolve().parents[2] / ".artifacts"))

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run tests/serve/browser/install-chromium.sh (tox does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def frontend_origin() -> Iterator[str]:
    """tests/serve/browser/ served on a port of its own: another origin than the mock's."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=Path(__file__).parent / "browser")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mock(live_server) -> Iterator[str]:
    yield live_server.base_url
    httpx.post(f"{live_server.base_url}/__wamock/reset", headers=JSON)


def names(mock: str, offset: int) -> list[str]:
    chats = httpx.get(f"{mock}/chats?limit=5&offset={offset}", auth=AUTH).json()["results"]["data"]
    return [chat["name"] for chat in chats]


def test_page_on_another_origin_renders_first_and_next_page(browser, frontend_origin, mock):
    page = browser.new_page()
    page.goto(f"{frontend_origin}/chats.html?api={mock}")

    expect(page.locator("#chats li")).to_have_text(names(mock, 0))
    page.click("#next")
    expect(page.locator("#status")).to_have_text("offset 5")
    expect(page.locator("#chats li")).to_have_text(names(mock, 5))
    expect(page.locator("#error")).to_have_text("")
    page.close()


def test_page_shows_logged_out_error_when_control_api_says_so(browser, frontend_origin, mock):
    page = browser.new_page()
    page.goto(f"{frontend_origin}/chats.html?api={mock}")
    expect(page.locator("#chats li")).to_have_count(5)

    httpx.put(f"{mock}/__wamock/session", json={"logged_in": False})
    page.click("#reload")

    expect(page.locator("#error")).to_have_text("500: you are not loggin")
    expect(page.locator("#chats li")).to_have_count(0)
    page.close()


def test_swagger_ui_try_it_out_gets_200_after_authorize(browser, mock):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{mock}/ui/")

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    dialog.locator("input").nth(0).fill("username")
    dialog.locator("input[type=password]").fill("password")
    dialog.get_by_role("button", name="Authorize", exact=True).click()
    dialog.get_by_role("button", name="Close").click()
    page.locator(".opblock-summary-path", has_text="/chats").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()

    live_status = page.locator(".live-responses-table tr.response td.response-col_status").first
    expect(live_status).to_have_text("200")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "swagger-ui.png", full_page=True)
    page.close()


def test_page_on_another_origin_cannot_drive_the_control_api(browser, frontend_origin, mock):
    httpx.put(f"{mock}/__wamock/session", json={"logged_in": False}, headers=JSON)
    page = browser.new_page()
    page.goto(f"{frontend_origin}/chats.html?api={mock}")

    outcomes = page.evaluate(
        """async (mock) => {
            const attempt = async (url, init) => {
                try { const r = await fetch(mock + url, init); return r.type === "opaque" ? "opaque" : r.status; }
                catch (e) { return "blocked"; }
            };
            return [
                // A simple request: no preflight, the page cannot read the answer, but the server sees it.
                await attempt("/__wamock/reset", {method: "POST", mode: "no-cors", body: "x",
                                                  headers: {"Content-Type": "text/plain"}}),
                await attempt("/__wamock/reset", {method: "POST", headers: {"Content-Type": "application/json"}}),
                await attempt("/__wamock/chats", {method: "PUT", body: "[]",
                                                  headers: {"Content-Type": "application/json"}}),
                await attempt("/__wamock/journal", {}),
            ];
        }""",
        mock,
    )
    page.close()

    assert outcomes == ["opaque", "blocked", "blocked", "blocked"]
    assert httpx.get(f"{mock}/chats", auth=AUTH).status_code == 500  # still logged out: nothing changed
    assert httpx.get(f"{mock}/__wamock/chats").json()["results"]["total"] == 150


def server_total(mock: str, query: str) -> str:
    answer = httpx.get(f"{mock}/chats?limit=1&{query}", auth=AUTH, headers={"X-Device-Id": "my-device-id"})
    return str(answer.json()["results"]["pagination"]["total"])


def test_dashboard_on_another_origin_pages_searches_and_filters_with_a_device_header(browser, frontend_origin, mock):
    page = browser.new_page()
    page.goto(f"{frontend_origin}/dashboard.html?api={mock}&device=my-device-id&search=an")

    expect(page.locator("#error")).to_have_text("")
    expect(page.locator("#chats li").first).to_have_text("John Doe")
    expect(page.locator("#chats li")).to_have_count(10)
    expect(page.locator("#walked")).to_have_text(f"{server_total(mock, '')} chats, {server_total(mock, '')} distinct")
    expect(page.locator("#search-total")).to_have_text(server_total(mock, "search=an"))
    expect(page.locator("#archived-true")).to_have_text(server_total(mock, "archived=true"))
    expect(page.locator("#archived-false")).to_have_text(server_total(mock, "archived=false"))
    expect(page.locator("#combined-total")).to_have_text(server_total(mock, "has_media=true&archived=false&search=an"))
    assert {server_total(mock, "search=an"), server_total(mock, "archived=true")}.isdisjoint({"0", "150"})
    page.close()


@pytest.fixture(scope="module")
def upstream_mock() -> Iterator[str]:
    server = start_wamock("--spec", str(UPSTREAM))
    yield server.base_url
    stop(server)


@needs_upstream
def test_frontend_of_upstreams_api_lists_devices_and_chats_and_archives_one(browser, frontend_origin, upstream_mock):
    page = browser.new_page()
    page.goto(f"{frontend_origin}/upstream.html?api={upstream_mock}")
    expect(page.locator("#devices li")).to_have_text(["my-device-id (logged_in)"])
    expect(page.locator("#chats li")).to_have_count(5)
    first = page.locator("#chats li").first
    jid, name = first.get_attribute("data-jid"), first.inner_text().removesuffix(" Archive")
    # The archived list is drawn after the chats: waited for at the server's count, never read half drawn.
    archived_before = int(server_total(upstream_mock, "archived=true"))
    expect(page.locator("#archived li")).to_have_count(archived_before)

    first.get_by_role("button", name="Archive").click()

    expect(page.locator(f'#archived li[data-jid="{jid}"]')).to_have_count(1)
    expect(page.locator("#archived li")).to_have_count(archived_before + 1)
    expect(page.locator(f'#chats li[data-jid="{jid}"]')).to_have_count(0)
    expect(page.locator("#error")).to_have_text("")
    listed = httpx.get(f"{upstream_mock}/chats", params={"archived": "true", "limit": 100}, auth=AUTH).json()
    assert name in [chat["name"] for chat in listed["results"]["data"]]
    page.close()
    httpx.post(f"{upstream_mock}/__wamock/reset", headers=JSON)
