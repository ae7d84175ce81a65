"""A follow-up in the browser (issue 23): the host tablet of a follow-up opens with
「前回の主な意見」, its theme's carried groups with their top cards, and keeps them while
the table writes; a carried person's phone link of session 1 opens the follow-up."""

from playwright.sync_api import expect

from tests.fixtures.api import control
from tests.fixtures.browser import WAIT_MS, screenshot
from tests.fixtures.series import follow_up, grouped_cards, played_event


def test_the_host_tablet_of_a_follow_up_shows_last_times_main_opinions(server, api,
                                                                        open_page):
    event, joined = played_event(api, people=12, table_count=6)
    groups = grouped_cards(api, event)
    second = follow_up(api, event, carry={"participants": True,
                                          "groups": [g["id"] for g in groups]}).json()
    table = second["tables"][0]
    host = open_page(table["host_url"], 1180, 820)
    carried = host.locator("#carried")
    expect(carried.locator("h2")).to_have_text("前回の主な意見")
    expect(carried.locator("[data-carried-group]")).to_have_count(1)  # its theme's only
    expect(carried).to_contain_text("見守りの担い手")
    expect(carried.locator(".carried__cards li")).to_have_text(["見守りの担い手が足りない"])
    expect(carried).to_be_in_viewport()
    control(api, second, "next", from_phase=0)  # a push redraws the live pieces
    entry = host.locator("#card-text")
    entry.fill("担い手の募集を回覧板で")
    entry.press("Enter")
    expect(host.locator("#table-cards .card")).to_have_count(1, timeout=WAIT_MS)
    expect(carried).to_contain_text("見守りの担い手が足りない")
    screenshot(host, "series-host-carried")

    console = open_page(second["urls"]["console"], 1366, 900)
    expect(console.locator("#carried [data-carried-group]")).to_have_count(2)

    phone = open_page(joined[0]["url"], 390, 844)  # the link of session 1
    phone.wait_for_url(f"**/m/{second['id']}", timeout=WAIT_MS)
    expect(phone.locator("#seat")).to_be_visible()
