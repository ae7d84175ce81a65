"""A page link's token stays out of what a shared tablet's browser keeps: its history list,
its back button and its address-bar suggestions (Chromium's own History database)."""

import shutil
import sqlite3

from tests.fixtures.api import create_event
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

HISTORY_LINKS = """() => {
  const found = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.children || []) {
      if (child.tagName === 'A' && child.href) found.push(child.href);
      walk(child);
    }
  };
  walk(document.body);
  return found;
}"""


def test_a_host_link_leaves_no_token_in_the_browsers_history(server, api, playwright,
                                                               tmp_path):
    event = create_event(api)
    link = event["tables"][0]["host_url"]
    clean = f"{server.url}/h/{event['id']}"
    profile = tmp_path / "profile"
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(link)
        page.wait_for_url(clean)
        page.locator("main.host").wait_for()
        page.goto(f"{server.url}/")
        page.go_back()
        page.wait_for_url(clean)  # back leads to the clean page, never to the token URL
        page.go_back()
        assert page.url == "about:blank"
        listing = context.new_page()
        listing.goto("chrome://history")
        listing.wait_for_function(f"({HISTORY_LINKS})().some(href => href === {clean!r})")
        shown = [href for href in listing.evaluate(HISTORY_LINKS) if server.url in href]
        assert shown and not [href for href in shown if "token" in href]
    finally:
        context.close()
    copy = tmp_path / "History"
    shutil.copy(profile / "Default" / "History", copy)
    with sqlite3.connect(copy) as database:
        kept = database.execute("SELECT url, hidden FROM urls WHERE url LIKE ?",
                                (f"{server.url}/h/%",)).fetchall()
    with_token = [hidden for url, hidden in kept if "token=" in url]
    assert with_token == [1], kept  # stored once, hidden: never offered by the address bar
    assert (clean, 0) in kept
