"""The table host's tablet (1180×820): who is coming leads the page at a move, and the host
edits and withdraws their own card, which every screen follows."""

import re

from playwright.sync_api import expect

from tests.fixtures.api import THEMES, board, control, create_event, join, post_until_accepted
from tests.fixtures.browser import screenshot, wait_ms

TABLET = (1180, 820)


def test_at_a_move_who_is_coming_is_in_view_above_the_cards(server, api, open_page):
    event = create_event(api, title="移動のときのホスト")
    for n in range(24):  # eight a table, as at a 48-person event of six tables
        join(api, event, name=f"参加者{n}", theme=THEMES[n % 3],
             expectation="地域の見守りについて、ほかの人の考えも聞いてみたい。" * 5)  # 130 of 140
    host_token = event["tables"][0]["host_token"]
    control(api, event, "next", from_phase=0)  # the home round: the host writes cards
    for n in range(8):
        assert post_until_accepted(api, event, host_token, f"ホームの意見その{n}：見守りの担い手",
                                   None) == 201
    control(api, event, "next", from_phase=1)  # ラウンド2: people are moving

    host = open_page(event["tables"][0]["host_url"], *TABLET)
    coming = host.locator("#table-people")
    expect(coming.locator("h2")).to_contain_text("このテーブルに来る人")
    expect(coming.locator(".cards .card")).not_to_have_count(0)
    expect(host.locator("#table-cards .card")).to_have_count(8)
    box = coming.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= TABLET[0] and box["y"] + box["height"] <= TABLET[1], box
    cards_box = host.locator("#table-cards").bounding_box()
    assert cards_box["y"] >= box["y"] + box["height"]  # the cards come after
    screenshot(host, "host-move-arrivals", full_page=False)

    control(api, event, "start")  # the round runs: the page is the table's again
    expect(coming.locator("h2")).to_contain_text("このテーブル")
    expect(coming).not_to_have_class(re.compile("table-people--coming"))


def test_a_host_edits_and_withdraws_a_card_and_every_screen_follows(server, api, open_page):
    event = create_event(api, title="ホームのカードを直す")
    person = join(api, event, name="電話の人", theme=THEMES[0]).json()
    board(api, event, open=True, screen="board")  # the phones list every card to vote on
    console = open_page(event["urls"]["console"], 1366, 768)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    phone = open_page(person["url"], 390, 844)
    host = open_page(event["tables"][0]["host_url"], *TABLET)

    host.locator("#card-text").fill("見守りの担い手がたりない")
    host.locator("#card-text").press("Enter")
    item = host.locator("#table-cards .card", has_text="見守りの担い手がたりない")
    expect(item).to_have_count(1, timeout=wait_ms())
    card_id = item.get_attribute("data-card")
    on_screens = {"console": console.locator(f"#bc-{card_id}"),
                  "projector": projector.locator(f"#bc-{card_id}"),
                  "phone": phone.locator(f"#vc-{card_id}")}
    for found in on_screens.values():
        expect(found).to_contain_text("見守りの担い手がたりない", timeout=wait_ms())

    item.locator("summary").click()
    item.locator("textarea[name=text]").fill("見守りの担い手が足りない（民生委員も）")
    item.locator("[data-own-card-save]").click()
    expect(host.locator("#flash")).to_contain_text("カードを直しました")
    expect(host.locator(f"#tc-{card_id} .card__text")).to_have_text(
        "見守りの担い手が足りない（民生委員も）", timeout=wait_ms())
    for found in on_screens.values():
        expect(found.locator(".card__text")).to_have_text("見守りの担い手が足りない（民生委員も）",
                                                          timeout=wait_ms())
    screenshot(host, "host-own-card-edited", full_page=False)
    screenshot(phone, "phone-follows-host-edit")

    host.once("dialog", lambda dialog: dialog.accept())
    host.locator(f"#tc-{card_id}").locator("summary").click()
    host.locator(f"#tc-{card_id} [data-own-card-withdraw]").click()
    expect(host.locator("#flash")).to_contain_text("取り下げました")
    expect(host.locator(f"#tc-{card_id}")).to_have_count(0, timeout=wait_ms())
    expect(on_screens["projector"]).to_have_count(0, timeout=wait_ms())
    expect(on_screens["phone"]).to_have_count(0, timeout=wait_ms())
    expect(on_screens["console"]).to_have_class(re.compile(r"\bcard--hidden\b"),
                                                timeout=wait_ms())  # kept, marked hidden
    screenshot(projector, "projector-after-host-withdrew", full_page=False)
    screenshot(console, "console-after-host-withdrew", full_page=False)
