"""Screens on the venue LAN over plain http: no wake lock, so the host and projector pages
say how to keep the screen on and loop a muted video instead (issue 24, item 4).

Chromium treats http://localhost and every 127.x address as secure contexts, so the pages
are opened through a name that is not local: `--host-resolver-rules` maps venue.test to the
test server's 127.0.0.1, and http://venue.test:PORT is then what http://192.0.2.2:8732 is
on the day (window.isSecureContext false)."""

from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

from tests.fixtures.api import create_event
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, screenshot, wait_ms

VENUE = "venue.test"


@pytest.fixture
def venue_browser(playwright):
    """A Chromium that reaches the test server under a non-local name."""
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {VENUE} 127.0.0.1"])
    yield launched
    launched.close()


def on_the_lan(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{VENUE}:{parts.port}"))


def open_screen(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.goto(url)
    page.wait_for_url(lambda address: "token=" not in address)
    return page


def test_a_screen_on_plain_http_says_how_to_stay_awake_and_plays_the_fallback(
        server, api, venue_browser, open_page):
    event = create_event(api)
    host = open_screen(venue_browser, on_the_lan(event["tables"][0]["host_url"]), 1180, 820)
    projector = open_screen(venue_browser, on_the_lan(event["urls"]["projector"]), 1920, 1080)
    for page in (host, projector):
        assert page.evaluate("window.isSecureContext") is False
        notice = page.locator("[data-keep-awake]")
        expect(notice).to_be_visible(timeout=wait_ms())
        expect(notice).to_contain_text("スリープ")
        expect(notice).to_contain_text("https")
        # the fallback: the muted looping video plays (its time advances)
        video = page.locator("[data-keep-awake-video]")
        expect(video).to_have_js_property("muted", True)
        expect(video).to_have_js_property("loop", True)
        page.wait_for_function(
            "() => { const v = document.querySelector('[data-keep-awake-video]');"
            " return v && !v.paused && v.currentTime > 0; }", timeout=wait_ms())
    screenshot(host, "keep-awake-host-notice", full_page=False)
    screenshot(projector, "keep-awake-projector-notice", full_page=False)

    host.locator("[data-keep-awake-dismiss]").click()
    expect(host.locator("[data-keep-awake]")).to_be_hidden()
    host.reload()  # dismissed on this device: it stays away, the video still plays
    expect(host.locator("#live")).to_be_visible()
    expect(host.locator("[data-keep-awake]")).to_be_hidden()
    host.wait_for_function(
        "() => !document.querySelector('[data-keep-awake-video]').paused", timeout=wait_ms())

    # on a secure context (http://127.0.0.1 counts as one) the wake lock is used: no notice
    secure = open_page(event["tables"][1]["host_url"], 1180, 820)
    assert secure.evaluate("window.isSecureContext") is True
    expect(secure.locator("#live")).to_be_visible()
    expect(secure.locator("[data-keep-awake]")).to_be_hidden()
