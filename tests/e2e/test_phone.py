"""Phones show what matters now, in Chromium at 390×844: the destination of a move comes
into view wherever the phone was scrolled, the return says home, the voting list comes by
KJ group with the dots left kept in view; the host is told to stay."""


from playwright.sync_api import expect

from tests.fixtures.api import bearer, control, create_event, join, write_cards
from tests.fixtures.browser import screenshot, wait_ms


def test_the_destination_comes_into_view_and_the_return_says_home(server, api, open_page):
    event = create_event(api)
    people = [join(api, event, f"歩く人{n}", theme=event["tables"][n % 3]["theme"]).json()
              for n in range(6)]
    person = people[0]
    control(api, event, "start")
    control(api, event, "next", from_phase=0)
    control(api, event, "start")
    write_cards(api, event, person["token"], 12)  # a long page
    phone = open_page(person["url"], 390, 844)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    expect(phone.locator("#my-cards .card")).to_have_count(12, timeout=wait_ms())
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(phone.locator("#seat")).not_to_be_in_viewport()
    control(api, event, "next", from_phase=1)  # round 2 is set up: people move
    seat = phone.locator("#seat[data-next-table]")
    expect(seat).to_be_in_viewport(timeout=wait_ms())
    number = seat.get_attribute("data-next-table")
    expect(seat.locator(".seat__number")).to_have_text(number)
    expect(seat).to_contain_text("次はこのテーブルへ")
    screenshot(phone, "phone-move-destination")
    expect(host.locator("#phase .phase__move")).to_contain_text("ホストはこのテーブルに残り")
    expect(host.locator("#table-people h2")).to_contain_text("このテーブルに来る人")
    screenshot(host, "host-during-a-move")
    for from_phase in (2, 3):
        control(api, event, "start")
        control(api, event, "next", from_phase=from_phase)
    home = next(t for t in event["tables"] if t["id"] == person["home_table"])
    expect(seat).to_contain_text("最初のテーブルに戻ります", timeout=wait_ms())
    expect(seat).to_have_attribute("data-next-table", str(home["number"]))
    expect(phone.locator("#phase .phase__move")).to_contain_text("最初のテーブルに戻って")
    screenshot(phone, "phone-return-home")


def test_the_voting_list_comes_by_group_with_the_dots_left_in_view(server, api, open_page):
    event = create_event(api)
    person = join(api, event, "投票する人").json()
    host = event["tables"][0]["host_token"]
    ids = write_cards(api, event, host, 9)
    facilitator = bearer(event["facilitator_token"])
    groups = []
    for name in ("見守り", "子育て"):
        answer = api.post(f"/api/v1/sessions/{event['id']}/groups", json={"name": name},
                          headers=facilitator)
        groups.append(answer.json())
    for card_id, group in zip(ids[:6], groups * 3, strict=True):
        api.patch(f"/api/v1/sessions/{event['id']}/cards/{card_id}",
                  json={"group_id": group["id"]}, headers=facilitator)
    phone = open_page(person["url"], 390, 844)
    expect(phone.locator("#my-votes")).to_be_hidden()
    api.patch(f"/api/v1/sessions/{event['id']}/board", json={"open": True},
              headers=facilitator)
    banner = phone.locator("#my-votes .my-votes__banner")
    expect(banner).to_be_in_viewport(timeout=wait_ms())
    for group in groups:
        section = phone.locator(f"#vote-cards-group-{group['id']}")
        expect(section.locator(".vote-group__name")).to_have_text(group["name"])
        expect(section.locator(".card")).to_have_count(3)
    expect(phone.locator("#vote-cards-group-none .card")).to_have_count(3)
    # a card moved into a group on the console moves on the phone too
    api.patch(f"/api/v1/sessions/{event['id']}/cards/{ids[8]}",
              json={"group_id": groups[0]["id"]}, headers=facilitator)
    expect(phone.locator(f"#vote-cards-group-{groups[0]['id']} .card")).to_have_count(
        4, timeout=wait_ms())
    last = phone.locator(f"#vote-cards [data-card='{ids[7]}'] .vote-button")
    last.scroll_into_view_if_needed()
    last.click()
    expect(phone.locator("#my-votes")).to_have_attribute("data-left", "2", timeout=wait_ms())
    expect(phone.locator("#my-votes .my-votes__left")).to_be_in_viewport()  # sticky
    screenshot(phone, "phone-voting-by-group")


def test_a_participant_edits_and_withdraws_a_card_of_this_round_from_the_phone(server, api,
                                                                               open_page):
    """The phone's own cards carry the host's menu while their phase runs; the host's
    tablet and the console follow; an earlier round's card has no menu."""
    event = create_event(api)
    person = join(api, event, "書く人", theme=event["tables"][0]["theme"]).json()
    phone = open_page(person["url"], 390, 844)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    console = open_page(event["urls"]["console"], 1366, 768)
    earlier = write_cards(api, event, person["token"], 1)[0]
    control(api, event, "next", from_phase=0)
    now = write_cards(api, event, person["token"], 1)[0]
    menu = phone.locator(f"#mc-{now} [data-own-card]")
    expect(menu).to_be_visible(timeout=wait_ms())
    expect(phone.locator(f"#mc-{earlier} [data-own-card]")).to_be_hidden()

    menu.locator("summary").click()
    menu.locator("textarea[name=text]").fill("書き直したカード")
    menu.locator("[data-own-card-save]").click()
    expect(phone.locator("#flash")).to_contain_text("カードを直しました")
    for page, item in ((phone, f"#mc-{now}"), (host, f"#tc-{now}"), (console, f"#bc-{now}")):
        expect(page.locator(f"{item} .card__text")).to_have_text("書き直したカード",
                                                               timeout=wait_ms())
    screenshot(phone, "phone-own-card-edited")

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator(f"#mc-{now} [data-own-card]").locator("summary").click()
    phone.locator(f"#mc-{now} [data-own-card-withdraw]").click()
    expect(phone.locator("#flash")).to_contain_text("取り下げました")
    for page, item in ((phone, f"#mc-{now}"), (host, f"#tc-{now}")):
        expect(page.locator(item)).to_have_count(0, timeout=wait_ms())
    expect(phone.locator(f"#mc-{earlier}")).to_have_count(1)
