"""Real Chromium (Debian's, never a downloaded one) through Playwright."""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, wait_ms
from tests.fixtures.servers import SHARED_SERVER_ENV, Server, database_url


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    """The browser tier runs on the embedded default, SQLite (the integration tier covers
    PostgreSQL)."""
    folder = tmp_path_factory.mktemp("server-e2e")
    started = Server(database_url("sqlite", folder, request), folder / "server.log",
                     env=SHARED_SERVER_ENV).start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run `make system` (apt-get install chromium)")
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright):
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def sign_in_step(message) -> bool:
    """Chromium's console notes the 401 of a page link's sign-in step (docs/api.md, "Page
    links"): expected, for that URL only."""
    return "?token=" in message.location.get("url", "") and "status of 401" in message.text


@pytest.fixture
def open_page(browser):
    """A fresh device (its own cookies) per call; console errors fail the test unless the
    test expects them with `open_page.allowed.append("part of the message")`."""
    contexts, problems = [], []

    def open_(url: str, width: int = 1280, height: int = 800, locale: str = "ja-JP",
              init_script: str | None = None):
        # an expect without its own time-out waits Playwright's 5 s, stretched as wait_ms
        # is by the load now (the browser tiers run last, when it is highest)
        expect.set_options(timeout=max(5000, wait_ms() * 5 / 8))
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale=locale)
        contexts.append(context)
        page = context.new_page()
        if init_script:  # runs before the page's own scripts
            page.add_init_script(init_script)
        page.on("console", lambda m: m.type == "error" and not sign_in_step(m)
                and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(url)
        if "token=" in url:  # the sign-in step refreshes to the clean URL
            page.wait_for_url(lambda address: "token=" not in address)
        return page

    open_.allowed = []
    yield open_
    for context in contexts:
        context.close()
    unexpected = [p for p in problems if not any(part in p for part in open_.allowed)]
    assert not unexpected, unexpected
