"""A follow-up in the browser (issue 23): the host tablet of a follow-up opens with
「前回の主な意見」, its theme's carried groups with their top cards, and keeps them while
the table writes; a carried person's phone link of session 1 opens the follow-up."""

from playwright.sync_api import expect

from tests.fixtures.api import control, create_event, facilitator
from tests.fixtures.browser import ARTIFACTS, screenshot, wait_ms
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
    expect(host.locator("#table-cards .card")).to_have_count(1, timeout=wait_ms())
    expect(carried).to_contain_text("見守りの担い手が足りない")
    screenshot(host, "series-host-carried")

    console = open_page(second["urls"]["console"], 1366, 900)
    expect(console.locator("#carried [data-carried-group]")).to_have_count(2)

    phone = open_page(joined[0]["url"], 390, 844)  # the link of session 1
    phone.wait_for_url(f"**/m/{second['id']}", timeout=wait_ms())
    expect(phone.locator("#seat")).to_be_visible()


def test_the_console_makes_the_next_session_with_the_groups_ticked(server, api, open_page):
    """次回（第N回）をつくる on the console: one of two groups ticked, the box sent, the new
    event's console opens (its facilitator cookie handed over) with that group as
    「前回の主な意見」."""
    event, _ = played_event(api, people=12, table_count=6)
    groups = grouped_cards(api, event)
    console = open_page(event["urls"]["console"], 1366, 900)
    box = console.locator("[data-follow-up]")
    expect(box.locator("h2")).to_have_text("次回（第2回）をつくる")
    expect(box.locator("input[name=title]")).to_have_attribute(
        "placeholder", "市民協働ワークショップ（第2回）")
    expect(box.locator("input[name=participants]")).to_be_checked()
    expect(box.locator("[data-follow-up-group]")).to_have_count(2)
    for group in groups:
        expect(box.locator(f"[data-follow-up-group='{group['id']}']")).not_to_be_checked()
    box.locator(f"[data-follow-up-group='{groups[0]['id']}']").check()
    console.evaluate("window.scrollTo(0, 0)")  # the box's place on the whole page
    ARTIFACTS.mkdir(exist_ok=True)  # the box alone, without the run bar kept over it
    console.screenshot(path=str(ARTIFACTS / "series-console-follow-up-box.png"),
                       full_page=True, clip=box.bounding_box())
    box.get_by_role("button", name="次回をつくる").click()
    console.wait_for_url(lambda url: "/f/" in url and event["id"] not in url, timeout=wait_ms())
    carried = console.locator("#carried")
    expect(carried.locator("h2")).to_have_text("前回の主な意見")
    expect(carried.locator("[data-carried-group]")).to_have_count(1)
    expect(carried.locator("[data-carried-group]")).to_have_attribute(
        "data-carried-group", str(groups[0]["id"]))
    expect(carried).to_contain_text("見守りの担い手")
    expect(console.locator("[data-follow-up] h2")).to_have_text("次回（第3回）をつくる")
    screenshot(console, "series-console-follow-up-made", full_page=False)


def test_a_follow_ups_console_opens_with_the_review_and_moves_an_action_on(server, api,
                                                                           open_page):
    """時限性 on the console of 第2回: the action agreed in session 1 is listed first with
    its session, roles and due date; the facilitator notes what happened and moves it to
    「実施中」, and the step lands in its history on the page and in the API."""
    first = create_event(api)
    made = api.post(f"/api/v1/sessions/{first['id']}/actions", headers=facilitator(first),
                    json={"what": "見守りカフェを月1回開く", "due": "2027-03-31",
                          "roles": {"citizen": "声かけ", "city": "公民館の会場"}}).json()
    agreed = api.patch(f"/api/v1/sessions/{first['id']}/actions/{made['id']}",
                       headers=facilitator(first), json={"status": "agreed",
                                                         "note": "区長会で合意"})
    assert agreed.status_code == 200, agreed.text
    second = follow_up(api, first, carry={"participants": False}).json()
    console = open_page(second["urls"]["console"], 1366, 900)
    review = console.locator("#action-review")
    expect(review).to_be_in_viewport(timeout=wait_ms())  # first on the console
    item = review.locator(f"[data-action-id='{made['id']}']")
    expect(item).to_have_attribute("data-status", "agreed")
    expect(item).to_contain_text("第1回")
    expect(item).to_contain_text("公民館の会場")
    expect(item).to_contain_text("2027年3月31日（水）")
    expect(item.locator("[data-history]")).to_contain_text("区長会で合意")
    item.locator("input[name=note]").fill("会場を予約した")
    item.locator("[data-move='in_progress']").click()
    expect(item).to_have_attribute("data-status", "in_progress", timeout=wait_ms())
    expect(item.locator("[data-history] li").last).to_contain_text("会場を予約した")
    expect(item.locator("[data-history] li").last).to_contain_text("第2回")
    screenshot(console, "series-console-review", full_page=False)
    history = api.get(f"/api/v1/series/{first['id']}/actions",
                      headers=facilitator(second)).json()["actions"][0]["history"]
    assert (history[-1]["status"], history[-1]["note"], history[-1]["session_id"]) == (
        "in_progress", "会場を予約した", second["id"])
