"""Duplicates keep their weight, in Chromium: the console (1366×768) finds four cards that
say the same, asks before merging them, and the kept card shows ×4 on the console's board,
the projector's ranking and the phones' voting list (pushed live); "分ける" gives the four
back with their dots."""

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import api_url, bearer, create_event, join, post_card
from tests.fixtures.browser import screenshot, wait_ms
from tests.fixtures.timing import seconds

SAME = "高齢者の居場所が公民館だけでは足りない"


def board(server, event, **fields) -> None:
    response = loopback.patch(api_url(server, event, "/board"), json=fields,
                              headers=bearer(event["facilitator_token"]), timeout=seconds(10))
    assert response.status_code == 200, response.text


def test_four_cards_merged_with_a_confirmation_weigh_four_until_unmerged(server, api,
                                                                         open_page):
    event = create_event(api)
    hosts = [table["host_token"] for table in event["tables"]]
    texts = ((0, SAME), (1, f"{SAME}。"), (2, f"{SAME}！"), (0, f"{SAME} "),
             (1, "子ども食堂を続けたい"))
    ids = [post_card(api, event, hosts[table], text).json()["id"] for table, text in texts]
    people = [join(api, event, f"参加者{n}").json() for n in range(4)]
    board(server, event, open=True, budget=3)
    for person, card_id in [*zip(people, ids[:4], strict=True), (people[0], ids[4]),
                            (people[1], ids[4])]:
        voted = loopback.post(api_url(server, event, f"/cards/{card_id}/votes"),
                              headers=bearer(person["token"]), timeout=seconds(10))
        assert voted.status_code == 201, voted.text
    # the results shown while voting stays open: the phones keep their list
    board(server, event, revealed=True, open=True, screen="ranking")

    console = open_page(event["urls"]["console"], 1366, 768)
    projector = open_page(event["urls"]["projector"], 1280, 720)
    phone = open_page(people[0]["url"], 390, 844)
    ranking = projector.locator("#board-ranking .ranking__item")
    expect(ranking.first).to_contain_text("子ども食堂を続けたい", timeout=wait_ms())

    console.get_by_role("button", name="同じ内容のカードを探す").click()
    found = console.locator("#duplicates [data-duplicate]")
    expect(found).to_have_count(1, timeout=wait_ms())
    expect(found).to_contain_text("この4枚は同じ内容です")
    found.get_by_role("button", name="まとめる").click()
    dialog = console.locator("dialog#merge-confirm")
    expect(dialog).to_be_visible(timeout=wait_ms())
    expect(dialog).to_contain_text("この4枚を1枚にまとめますか")
    expect(dialog.locator("[data-merge-card]")).to_have_count(4)
    assert console.evaluate("document.querySelector('dialog#merge-confirm').matches(':modal')")
    screenshot(console, "weight-merge-confirmation")
    dialog.locator("[data-confirm-merge]").click()
    expect(dialog).to_be_hidden(timeout=wait_ms())

    kept = console.locator(f"#bc-{ids[0]} .weight")
    expect(kept).to_have_attribute("data-weight", "4", timeout=wait_ms())
    expect(kept).to_have_text("×4")
    for merged in ids[1:4]:
        expect(console.locator(f"#bc-{merged}")).to_have_count(0)
    top = ranking.first
    expect(top).to_contain_text(SAME, timeout=wait_ms())
    expect(top.locator(".weight")).to_have_text("×4")
    expect(top.locator(".dots")).to_have_attribute("data-dots", "4")
    expect(console.locator("#board-ranking .ranking__item").first.locator(".weight")
           ).to_have_text("×4", timeout=wait_ms())
    expect(phone.locator("#vote-cards [data-card]")).to_have_count(2, timeout=wait_ms())
    expect(phone.locator(f"#vc-{ids[0]} .weight")).to_have_text("×4")  # pushed live
    screenshot(console, "weight-console-merged")
    screenshot(phone, "weight-phone-merged")
    screenshot(projector, "weight-projector-ranking-merged")
    stored = loopback.get(api_url(server, event, "/cards"), headers=bearer(
        event["facilitator_token"]), timeout=seconds(10)).json()["cards"]
    assert {c["id"]: c["weight"] for c in stored}[ids[0]] == 4

    console.locator(f"#bc-{ids[0]} .card__menu summary").click()
    console.locator(f"#bc-{ids[0]} [data-unmerge]").click()
    expect(console.locator(f"#bc-{ids[0]} .weight")).to_have_count(0, timeout=wait_ms())
    for restored in ids[1:4]:
        expect(console.locator(f"#bc-{restored}")).to_be_visible(timeout=wait_ms())
    expect(ranking.first).to_contain_text("子ども食堂を続けたい", timeout=wait_ms())
    expect(projector.locator("#board-ranking .weight")).to_have_count(0)
    expect(phone.locator("#vote-cards [data-card]")).to_have_count(5, timeout=wait_ms())
    expect(phone.locator("#vote-cards .weight")).to_have_count(0)
    screenshot(console, "weight-console-unmerged")
