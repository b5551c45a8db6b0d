"""In Chromium, from another origin: a page that keeps GOWA's devices live as its dashboard does
(tests/serve/browser/live.html) shows each change without a reload, and renders the QR code."""

from collections.abc import Iterator

import httpx
import pytest
import segno
from playwright.sync_api import Page, expect

from tests.conftest import JSON, UPSTREAM, needs_upstream, start_wamock, stop
from tests.serve.test_browser import ARTIFACTS, browser, frontend_origin  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.live, needs_upstream]


@pytest.fixture(scope="module")
def gowa() -> Iterator[str]:
    server = start_wamock("--spec", str(UPSTREAM))
    yield server.base_url
    stop(server)


def devices(page: Page):
    return expect(page.locator("#devices li span"))


def loaded(page: Page, selector: str) -> bool:
    return page.eval_on_selector(selector, "image => image.complete && image.naturalWidth > 0")


def test_devices_added_logged_in_out_and_removed_show_without_a_reload(browser, frontend_origin, gowa):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{frontend_origin}/live.html?api={gowa}&device=my-device-id")
    expect(page.locator("#live")).to_have_text("live")
    devices(page).to_have_text(["my-device-id (logged_in)"])  # drawn on LIST_DEVICES

    page.fill("#new-id", "harness-dev")
    page.click("#add")
    devices(page).to_have_text(["my-device-id (logged_in)", "harness-dev (disconnected)"])

    page.locator('li[data-id="harness-dev"]').get_by_role("button", name="Log in").click()
    expect(page.locator("#qr-dialog")).to_be_visible()
    page.wait_for_function(
        "() => document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0"
    )
    name = page.eval_on_selector("#qr", "image => image.src").rsplit("/", 1)[1].removesuffix(".png")
    # The image the QR link names, drawn: the QR symbol of its name, 8 pixels a module.
    assert page.eval_on_selector("#qr", "image => image.naturalWidth") == segno.make(name, error="m").symbol_size(8)[0]
    # The phone scans the code: the page learns it from the LOGIN_SUCCESS frame alone.
    httpx.put(f"{gowa}/__wamock/devices/harness-dev/session", json={"logged_in": True}, headers=JSON)
    expect(page.locator("#qr-dialog")).to_be_hidden()
    devices(page).to_have_text(["my-device-id (logged_in)", "harness-dev (logged_in)"])

    page.locator('li[data-id="harness-dev"]').get_by_role("button", name="Log out").click()
    devices(page).to_have_text(["my-device-id (logged_in)", "harness-dev (disconnected)"])
    page.locator('li[data-id="harness-dev"]').get_by_role("button", name="Remove").click()
    devices(page).to_have_text(["my-device-id (logged_in)"])

    expect(page.locator("#events li")).to_have_text(
        ["LIST_DEVICES", "LIST_DEVICES", "LOGIN_SUCCESS", "DEVICE_LOGGED_OUT", "DEVICE_REMOVED"]
    )
    assert loaded(page, "#medium")
    expect(page.locator("#error")).to_have_text("")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "live-devices.png", full_page=True)
    page.close()
    httpx.post(f"{gowa}/__wamock/reset", headers=JSON)
