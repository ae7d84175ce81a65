"""Keywords in Chromium: words a host types appear in the projector's and the console's
ranked bar charts, and the projector still shows its countdown and QR code."""

from playwright.sync_api import expect

from tests.conftest import create_event, seconds
from tests.e2e.conftest import screenshot

WAIT_MS = seconds(8) * 1000


def test_typed_words_appear_in_the_keyword_charts(server, api, open_page):
    event = create_event(api)
    table = event["tables"][0]
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    console = open_page(event["urls"]["console"], 1366, 900)
    host = open_page(table["host_url"], 1180, 820)
    expect(projector.locator("#keywords")).to_be_hidden()  # no cards, no chart
    entry = host.locator("#card-text")
    for text in ("見守りボランティアが足りない", "ボランティアの居場所づくり",
                 "若い世代のボランティアが参加", "Community cafe for volunteers"):
        entry.fill(text)
        entry.press("Enter")
        expect(entry).to_have_value("")
    first = projector.locator("#keywords .keyword").first
    expect(first.locator(".keyword__word")).to_have_text("ボランティア", timeout=WAIT_MS)
    expect(first.locator(".keyword__count")).to_have_text("3")
    expect(first.locator(".bar")).to_have_class("bar bar--w100")
    expect(projector.locator("#keywords .keyword")).to_have_count(6)  # the top six
    for piece in ("#keywords", "[data-countdown]", ".qr svg"):
        expect(projector.locator(piece).first).to_be_in_viewport()
    group = console.locator(f'#keywords [data-table="{table["id"]}"]')
    expect(group.locator(".keyword__word").first).to_have_text("ボランティア", timeout=WAIT_MS)
    expect(console.locator("#keywords .keywords__group--all")).to_contain_text("居場所")
    expect(console.locator("#keywords .keywords__group--all")).to_contain_text("community")
    bar = projector.locator("#keywords .bar").first.bounding_box()
    track = projector.locator("#keywords .keyword__track").first.bounding_box()
    assert bar and track and bar["width"] > 0.9 * track["width"]
    screenshot(projector, "projector-keywords")
    console.locator("#keywords").scroll_into_view_if_needed()
    screenshot(console, "console-keywords")
