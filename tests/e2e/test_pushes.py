"""Pushes that carry only what changed, in Chromium: after cards, hides, edits, group moves
and dots, every open page shows exactly what the same page shows when opened afresh; a
hall's console keeps its filter on the cards pushed to it."""

import time
import uuid

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import (
    THEMES,
    bearer,
    board,
    board_event,
    create_event,
    join,
    post_until_accepted,
    write_texts,
)
from tests.fixtures.browser import POOL, screenshot, wait_until_drawn
from tests.fixtures.timing import seconds

SHAPE = """(ids) => ids.map((id) => {
  const walk = (element) => [
    element.tagName, element.id,
    [...element.classList].filter((c) => !c.startsWith("htmx-")).join(" "),
    Object.entries(element.dataset).sort().join(";"),
    [...element.childNodes].filter((n) => n.nodeType === 3)
      .map((n) => n.textContent.trim()).join(" ").trim(),
    (element.tagName === "INPUT" || element.tagName === "SELECT") ? element.value : "",
    [...element.children].map(walk)];
  const element = document.getElementById(id);
  return element ? walk(element) : null;
})"""
PIECES = {"console": ["board", "keywords"], "projector": ["board", "keywords"],
          "host": ["table-cards"], "phone": ["my-cards", "my-votes", "vote-cards"]}


def shapes(page, pieces) -> list:
    return page.evaluate(SHAPE, pieces)


def same_as_a_fresh_page(page, url, open_page, pieces) -> tuple[list, list]:
    """The page's pieces, and those of the same page opened again, once they agree (or
    after the wait: the caller's assertion then shows the difference)."""
    fresh = open_page(url, 1366, 1000)
    wait_until_drawn(fresh)
    expected = shapes(fresh, pieces)
    deadline = time.monotonic() + seconds(10)
    while time.monotonic() < deadline:
        seen = shapes(page, pieces)
        if seen == expected:
            break
        page.wait_for_timeout(100)
    return seen, expected


def test_pages_kept_up_to_date_by_pushes_equal_fresh_pages(server, api, open_page):
    event = create_event(api)
    facilitator = bearer(event["facilitator_token"])
    url = f"{server.url}/api/v1/sessions/{event['id']}"
    person = join(api, event, "山田", theme=event["tables"][0]["theme"]).json()
    assert api.patch(f"{url}/board", json={"open": True}, headers=facilitator).status_code == 200
    host = event["tables"][0]
    pages = {"console": open_page(event["urls"]["console"], 1366, 1000),
             "projector": open_page(event["urls"]["projector"], 1366, 1000),
             "host": open_page(host["host_url"], 1366, 1000),
             "phone": open_page(person["url"], 420, 900)}
    for page in pages.values():
        wait_until_drawn(page)
    cards = []
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        for n in range(30):
            writer = person["token"] if n % 3 == 0 else event["tables"][n % 3]["host_token"]
            card_id = str(uuid.uuid4())
            text = f"見守りボランティア {n} <b>太字</b>"
            status = post_until_accepted(client, event, writer, text, card_id)
            assert status == 201
            cards.append({"id": card_id})
        group = client.post(f"{url}/groups", json={"name": "地域の見守り"},
                            headers=facilitator).json()
        changes = [(cards[0], {"hidden": True}), (cards[4], {"text": "書き直した <i>カード</i>"}),
                   (cards[5], {"group_id": group["id"]}), (cards[0], {"hidden": False}),
                   (cards[7], {"hidden": True})]
        for card, change in changes:
            answer = client.patch(f"{url}/cards/{card['id']}", json=change, headers=facilitator)
            assert answer.status_code == 200, answer.text
        for card in (cards[3], cards[3], cards[6]):
            vote = client.post(f"{url}/cards/{card['id']}/votes", headers=bearer(person["token"]))
            assert vote.status_code == 201, vote.text
    urls = {"console": event["urls"]["console"], "projector": event["urls"]["projector"],
            "host": host["host_url"], "phone": person["url"]}
    for name, page in pages.items():
        seen, expected = same_as_a_fresh_page(page, urls[name], open_page, PIECES[name])
        assert seen == expected, name
        screenshot(page, f"pushes-{name}")


def test_a_hall_console_kept_up_by_pushes_filters_them_and_equals_a_fresh_console(
        server, api, open_page):
    """20 tables of three themes, the group layout's filter set: 40 cards pushed one by one
    (with the keyword charts they changed, a few seconds later at most) are narrowed by the
    filter as they come, and the console then shows what a console opened afresh shows."""
    event = create_event(api, tables=[{"name": f"T{n}", "theme": THEMES[n % 3]}
                                      for n in range(1, 21)])
    board(api, event, view="group")
    console = open_page(event["urls"]["console"], 1366, 900)
    wait_until_drawn(console)
    search = console.locator("[data-card-filter] input[name=text]")
    search.fill("防災")
    hosts = [{"token": table["host_token"]} for table in event["tables"]]
    texts = [f"防災の備え {n}" if n % 4 == 0 else f"見守りボランティア {n}" for n in range(40)]
    write_texts(server, event, hosts, texts)
    expect(console.locator(POOL)).to_have_count(40, timeout=seconds(10) * 1000)
    expect(console.locator(f"{POOL}:not([hidden])")).to_have_count(10)
    expect(console.locator("#keywords-all")).to_contain_text("防災",
                                                             timeout=seconds(10) * 1000)
    screenshot(console, "pushes-hall-console-filtered")
    search.fill("")
    expect(console.locator(f"{POOL}:not([hidden])")).to_have_count(40)
    seen, expected = same_as_a_fresh_page(console, event["urls"]["console"], open_page,
                                          ["board", "keywords"])
    assert seen == expected
    console.locator("#keywords").scroll_into_view_if_needed()
    screenshot(console, "pushes-hall-console-keywords")


RECORD_REMOVALS = """
window.removedPieces = [];
new MutationObserver((records) => records.forEach((record) => record.removedNodes.forEach(
  (node) => node.id && window.removedPieces.push(node.id)
))).observe(document, {childList: true, subtree: true});
"""
"""Every element with an id taken out of the page, from before its first script on."""


def test_the_first_snapshot_leaves_alone_the_pieces_the_page_was_drawn_with(
        server, api, open_page):
    """A page's socket begins with a snapshot of every piece, mostly what the server has
    just drawn: those are not drawn again, so nothing begun in them in the first moments
    is lost (a filter being typed, a list scrolled into view) and a big board is laid out
    once. A piece that changed in between is drawn: the snapshot after the change."""
    event, _ids, person = board_event(api)
    console = open_page(event["urls"]["console"], 1366, 900)  # stores the keyword terms
    wait_until_drawn(console)
    urls = {"console": event["urls"]["console"], "projector": event["urls"]["projector"],
            "host": event["tables"][0]["host_url"], "phone": person["url"]}
    for name, url in urls.items():
        page = open_page(url, 1366, 900, init_script=RECORD_REMOVALS)
        wait_until_drawn(page)
        assert page.evaluate("window.removedPieces") == [], name
