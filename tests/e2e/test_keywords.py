"""Keywords in Chromium: words a host types appear in the projector's and the console's
ranked bar charts, and the projector still shows its countdown and QR code."""

from playwright.sync_api import expect

from tests.fixtures.api import create_event
from tests.fixtures.browser import screenshot, wait_ms


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
    expect(first.locator(".keyword__word")).to_have_text("ボランティア", timeout=wait_ms())
    expect(first.locator(".keyword__count")).to_have_text("3")
    expect(first.locator(".bar")).to_have_class("bar bar--w100")
    expect(projector.locator("#keywords .keyword")).to_have_count(6)  # the top six
    for piece in ("#keywords", "[data-countdown]", ".qr svg"):
        expect(projector.locator(piece).first).to_be_in_viewport()
    group = console.locator(f'#keywords [data-table="{table["id"]}"]')
    expect(group.locator(".keyword__word").first).to_have_text("ボランティア", timeout=wait_ms())
    expect(console.locator("#keywords .keywords__group--all")).to_contain_text("居場所")
    expect(console.locator("#keywords .keywords__group--all")).to_contain_text("community")
    bar = projector.locator("#keywords .bar").first.bounding_box()
    track = projector.locator("#keywords .keyword__track").first.bounding_box()
    assert bar and track and bar["width"] > 0.9 * track["width"]
    screenshot(projector, "projector-keywords")
    console.locator("#keywords").scroll_into_view_if_needed()
    screenshot(console, "console-keywords")


def test_a_host_gives_their_affiliation_on_the_tablet_and_their_cards_count_under_it(
        server, api, open_page):
    event = create_event(api)
    table = event["tables"][0]
    host = open_page(table["host_url"], 1180, 820)
    asked = host.locator("#host-affiliation")
    expect(asked).to_have_attribute("data-host-affiliation", "")
    form = asked.locator("[data-host-affiliation-form]")
    expect(form).to_be_in_viewport()  # asked at once, without scrolling
    screenshot(host, "host-affiliation-asked")
    form.get_by_label("行政").check()
    form.get_by_role("button", name="保存").click()
    expect(asked).to_have_attribute("data-host-affiliation", "city", timeout=wait_ms())
    expect(asked.locator(".host-affiliation__chosen")).to_contain_text("行政")
    expect(asked.locator("[data-host-affiliation-form]")).to_be_hidden()  # folded away
    expect(host.locator("#flash")).to_contain_text("行政")
    entry = host.locator("#card-text")
    entry.fill("くるっぱを活用したい")
    entry.press("Enter")
    expect(entry).to_have_value("")
    screenshot(host, "host-affiliation-chosen")
    host.reload()
    expect(host.locator("#host-affiliation")).to_have_attribute("data-host-affiliation", "city")
    expect(host.locator("#host-affiliation [data-host-affiliation-form]")).to_be_hidden()
    console = open_page(event["urls"]["console"], 1366, 900)
    stakeholders = console.locator("#stakeholders")
    stakeholders.get_by_role("button").click()
    city = stakeholders.locator('[data-stakeholder="city"]')
    expect(city.locator(".keyword__word").first).to_have_text("くるっぱ", timeout=wait_ms())
    expect(stakeholders.locator('[data-stakeholder="host"]')).to_have_count(0)
    stakeholders.scroll_into_view_if_needed()
    screenshot(console, "console-stakeholders-host-affiliation")
