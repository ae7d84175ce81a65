"""The action phase in the browser: a table's host drafts an action on the tablet (the
form only in the action phase), the console one for a KJ group, a phone raises a hand for
one and lowers it, the console moves its status, and the projector shows the actions by
theme with their roles and the hands per stakeholder — every screen live."""

from playwright.sync_api import expect

from tests.fixtures.api import bearer, control, create_event, facilitator, join, make_groups
from tests.fixtures.browser import expect_screen, screenshot, wait_ms

PROGRAM = [
    {"kind": "plain", "title": "開会・趣旨説明", "minutes": 5},
    {"kind": "conversation", "title": "ラウンド1", "minutes": 20,
     "question": "このテーマで一緒にできることは？"},
    {"kind": "action", "title": "アクションプラン：誰が何をいつまでに", "minutes": 20},
]
PHONE = (390, 844)


def test_an_action_is_drafted_on_a_tablet_raised_on_a_phone_and_shown_by_theme(
        server, api, open_page):
    event = create_event(api, program=PROGRAM)
    tables = event["tables"]
    person = join(api, event, "手を挙げる人", affiliation="npo",
                  theme=tables[0]["theme"]).json()
    others = [join(api, event, f"参加者{n}", affiliation=a).json()
              for n, a in enumerate(("citizen", "citizen", "city"))]
    host = open_page(tables[0]["host_url"], 1180, 820)
    phone = open_page(person["url"], *PHONE)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    console = open_page(event["urls"]["console"], 1366, 1000)
    draft = host.locator("[data-action-draft]")
    expect(draft).to_be_hidden()  # not the action phase yet
    expect(phone.locator("#action-list")).to_be_hidden()

    assert control(api, event, "goto", phase_index=2).status_code == 200
    assert control(api, event, "start").status_code == 200
    expect(draft).to_be_visible(timeout=wait_ms())
    expect_screen(projector, "actions")
    draft.locator("textarea[name=what]").fill("見守りカフェを公民館で月1回開く")
    draft.locator("input[name=role_citizen]").fill("声かけと見守りの担い手")
    draft.locator("input[name=role_city]").fill("公民館の会場と広報")
    draft.locator("input[name=role_npo]").fill("運営のノウハウ")
    draft.locator("input[name=due]").fill("2027-03-31")
    draft.locator("button[type=submit]").click()
    ours = host.locator("#table-actions [data-action-id]")
    expect(ours).to_have_count(1, timeout=wait_ms())
    expect(ours).to_contain_text("公民館の会場と広報")
    expect(ours).to_contain_text("期限 2027年3月31日（水）")  # the day as Japanese writes it
    expect(draft.locator("textarea[name=what]")).to_have_value("")  # ready for the next
    for table, what, roles in (
            (tables[1], "子ども食堂の担い手を募る",
             {"community": "自治会の回覧板", "business": "食材の提供"}),
            (tables[2], "市民参画の広報動画をつくる",
             {"citizen": "出演と撮影", "city": "市の公式SNS"})):
        made = api.post(f"/api/v1/sessions/{event['id']}/actions",
                        headers=bearer(table["host_token"]), json={"what": what, "roles": roles})
        assert made.status_code == 201, made.text

    group = make_groups(api, event, ["世代をこえた居場所づくり"])[0]
    for_group = console.locator("[data-action-draft]")
    expect(for_group.locator(f"select[name=group_id] option[value='{group['id']}']")
           ).to_have_count(1, timeout=wait_ms())  # the group made after the page was drawn
    for_group.locator("select[name=group_id]").select_option(str(group["id"]))
    for_group.locator("textarea[name=what]").fill("空き店舗で多世代の居場所を試す")
    for_group.locator("input[name=role_business]").fill("空き店舗の提供")
    for_group.locator("button[type=submit]").click()
    expect(console.locator("#action-plan [data-action-id]")).to_have_count(4, timeout=wait_ms())
    expect(console.locator("#action-plan")).to_contain_text("世代をこえた居場所づくり")

    items = phone.locator("#action-list [data-action-id]")
    expect(items).to_have_count(4, timeout=wait_ms())
    first = items.first
    expect(first).to_contain_text("見守りカフェ")
    first.locator("[data-raise-hand]").click()
    expect(first).to_have_attribute("data-raised", "", timeout=wait_ms())
    expect(phone.locator("#my-hands")).to_contain_text("見守りカフェ")
    action_id = first.get_attribute("data-action-id")
    for other in others:
        raised = api.post(f"/api/v1/sessions/{event['id']}/actions/{action_id}/volunteers",
                          headers=bearer(other["token"]))
        assert raised.status_code == 200, raised.text
    hands = first.locator("[data-volunteers]")
    expect(hands).to_have_attribute("data-volunteers", "4", timeout=wait_ms())
    expect(first.locator("[data-affiliation=citizen]")).to_contain_text("2")
    expect(phone.locator("#action-list")).not_to_contain_text("参加者")  # counts, no names

    shown = projector.locator("#action-screen")
    expect(shown.locator("[data-theme]")).to_have_count(4, timeout=wait_ms())  # and "other"
    expect(shown.locator(f"[data-action-id='{action_id}'] [data-volunteers]")).to_have_attribute(
        "data-volunteers", "4", timeout=wait_ms())
    expect(shown.locator(f"[data-action-id='{action_id}']")).to_contain_text("公民館の会場と広報")
    console.locator(f"#action-plan [data-action-id='{action_id}'] [data-move=agreed]").click()
    expect(shown.locator(f"[data-action-id='{action_id}']")).to_have_attribute(
        "data-status", "agreed", timeout=wait_ms())
    expect(first).to_have_attribute("data-status", "agreed", timeout=wait_ms())
    screenshot(projector, "projector-actions-1920x1080", full_page=False)
    screenshot(host, "host-actions")
    screenshot(phone, "phone-actions", full_page=False)
    console.locator("#action-plan").scroll_into_view_if_needed()
    screenshot(console, "console-actions", full_page=False)

    phone.locator(f"#my-hands [data-lower-hand='{action_id}']").click()
    expect(hands).to_have_attribute("data-volunteers", "3", timeout=wait_ms())
    expect(first).not_to_have_attribute("data-raised", "")
    listed = api.get(f"/api/v1/sessions/{event['id']}/actions", headers=facilitator(event))
    assert [a["status"] for a in listed.json()["actions"]] == ["agreed", *["proposed"] * 3]
    assert listed.json()["actions"][3]["group_id"] == group["id"]

    assert control(api, event, "goto", phase_index=1).status_code == 200
    expect(draft).to_be_hidden(timeout=wait_ms())  # the form only in the action phase
    expect_screen(projector, "moves")
