"""The harvest board in Chromium: the facilitator drags a card into a group on the console
(Pointer Events, as a mouse does) and the projector shows it in that group; a phone puts its
dots on cards and the counts appear only once the facilitator reveals them."""

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import api_url, bearer, create_event, join, post_card
from tests.fixtures.browser import screenshot, wait_ms
from tests.fixtures.timing import seconds


def touch_drag(page, source: dict, target: dict) -> None:
    """A finger on the source box, moved in steps onto the target box, lifted."""
    cdp = page.context.new_cdp_session(page)
    x0, y0 = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    x1, y1 = target["x"] + target["width"] / 2, target["y"] + target["height"] / 2
    cdp.send("Input.dispatchTouchEvent",
             {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, 13):
        x, y = x0 + (x1 - x0) * step / 12, y0 + (y1 - y0) * step / 12
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_card_dragged_into_a_group_on_the_console_appears_in_it_on_the_projector(
        server, api, open_page):
    event = create_event(api)
    host = event["tables"][0]["host_token"]
    cards = [post_card(api, event, host, text).json()
             for text in ("見守りの担い手が足りない", "子どもの居場所がほしい", "空き家を活かす")]
    console = open_page(event["urls"]["console"], 1366, 1000)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    expect(projector.locator("#board .card")).to_have_count(3, timeout=wait_ms())
    console.locator("#board select[name=view]").select_option("group")
    expect(console.locator("#board")).to_have_attribute("data-layout", "group", timeout=wait_ms())
    expect(projector.locator("#board")).to_have_attribute("data-layout", "group",
                                                          timeout=wait_ms())
    console.locator("#board input[name=name]").first.fill("地域の見守り")
    console.get_by_role("button", name="グループを追加").click()
    group = console.locator("[data-drop-group]:not([data-drop-group=''])")
    expect(group).to_have_count(1, timeout=wait_ms())
    expect(group.locator(".rail__name")).to_contain_text("地域の見守り")
    group_id = group.get_attribute("data-drop-group")

    grip = console.locator(f"[data-card='{cards[0]['id']}'] [data-drag-card]")
    source, target = grip.bounding_box(), group.bounding_box()
    console.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    console.mouse.down()
    console.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2,
                       steps=12)
    console.mouse.up()

    in_group = projector.locator(f"#board-group-{group_id} .card__text")
    expect(in_group).to_have_text(["見守りの担い手が足りない"], timeout=wait_ms())
    expect(projector.locator("#board-group-none .card")).to_have_count(2)
    expect(console.locator(f"#board-group-{group_id} .card")).to_have_count(1, timeout=wait_ms())
    stored = loopback.get(api_url(server, event, "/cards"), headers=bearer(
        event["facilitator_token"]), timeout=seconds(10)).json()["cards"]
    assert {c["id"]: c["group_id"] for c in stored}[cards[0]["id"]] == int(group_id)

    # a finger drags the same way (touch Pointer Events through Chromium's touch input)
    grip = console.locator(f"[data-card='{cards[1]['id']}'] [data-drag-card]")
    touch_drag(console, grip.bounding_box(), group.bounding_box())
    expect(in_group).to_have_count(2, timeout=wait_ms())
    expect(projector.locator(f"#board-group-{group_id}")).to_contain_text("子どもの居場所がほしい")
    # the ghost of a dragged card is under the pointer, above every column
    grip = console.locator(f"[data-card='{cards[2]['id']}'] [data-drag-card]")
    source = grip.bounding_box()
    console.mouse.move(source["x"] + 5, source["y"] + 5)
    console.mouse.down()
    console.mouse.move(target["x"] + 30, target["y"] + 20, steps=8)
    ghost = console.locator(".card--ghost").bounding_box()
    assert ghost["x"] <= target["x"] + 30 <= ghost["x"] + ghost["width"]
    assert ghost["y"] <= target["y"] + 20 <= ghost["y"] + ghost["height"]
    on_top = console.evaluate(f"document.elementFromPoint({target['x'] + 30}, "
                              f"{target['y'] + 20}) === null")
    assert not on_top
    console.keyboard.press("Escape")
    console.mouse.move(source["x"] + 5, source["y"] + 5, steps=4)  # back where it was
    console.mouse.up()
    expect(console.locator(".card--ghost")).to_have_count(0)
    # and the "move to group" menu (in the card's ⋯ menu) takes a card back
    card = console.locator(f"[data-card='{cards[0]['id']}']")
    card.locator(".card__menu-button").click()
    card.locator("select[data-group-menu]").select_option("")
    expect(in_group).to_have_text(["子どもの居場所がほしい"], timeout=wait_ms())
    expect(projector.locator("#board-group-none .card")).to_have_count(2)
    # hidden on the console, gone from the projector; the author is nowhere on the board
    hidden = console.locator(f"[data-card='{cards[2]['id']}']")
    hidden.locator(".card__menu-button").click()
    hidden.get_by_role("button", name="隠す").click()
    expect(projector.locator("#board .card")).to_have_count(2, timeout=wait_ms())
    expect(console.locator(f"[data-card='{cards[2]['id']}']")).to_have_class(
        "card card--yellow card--hidden", timeout=wait_ms())
    screenshot(console, "board-console-groups")
    screenshot(projector, "board-projector-groups")


def test_a_phone_votes_and_the_count_appears_after_the_reveal(server, api, open_page):
    open_page.allowed.append("status of 409")  # the vote over the budget, on purpose
    event = create_event(api)
    host = event["tables"][0]["host_token"]
    cards = [post_card(api, event, host, text).json()
             for text in ("見守りの担い手が足りない", "子どもの居場所がほしい")]
    person = join(api, event, "鈴木").json()
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    phone = open_page(person["url"], 390, 844)
    expect(phone.locator("#vote-cards")).to_be_hidden()  # nothing before voting starts
    opened = loopback.patch(api_url(server, event, "/board"), json={"open": True, "budget": 3},
                            headers=bearer(event["facilitator_token"]), timeout=seconds(10))
    assert opened.status_code == 200, opened.text
    first = phone.locator(f"#vote-cards [data-card='{cards[0]['id']}'] .vote-button")
    expect(first).to_be_visible(timeout=wait_ms())
    first.click()
    expect(phone.locator("#my-votes")).to_have_attribute("data-left", "2", timeout=wait_ms())
    first.click()
    expect(phone.locator("#my-votes")).to_have_attribute("data-left", "1", timeout=wait_ms())
    expect(phone.locator(f"#my-votes [data-card='{cards[0]['id']}']")).to_have_attribute(
        "data-my-dots", "2")
    # before the reveal nobody sees counts: not the phone's list, not the projector
    expect(phone.locator("#vote-cards .dots")).to_have_count(0)
    expect(projector.locator("#board .dots")).to_have_count(0)
    screenshot(phone, "board-phone-voting")
    revealed = loopback.patch(api_url(server, event, "/board"),  # keeps voting open
                              json={"revealed": True, "open": True},
                              headers=bearer(event["facilitator_token"]), timeout=seconds(10))
    assert revealed.status_code == 200
    count = projector.locator(f"#board [data-card='{cards[0]['id']}'] .dots")
    expect(count).to_have_attribute("data-dots", "2", timeout=wait_ms())
    expect(projector.locator(".board__ranking .ranking__item").first).to_contain_text(
        "見守りの担い手が足りない")
    expect(phone.locator(f"#vote-cards [data-card='{cards[0]['id']}'] .dots")).to_have_attribute(
        "data-dots", "2", timeout=wait_ms())
    # the last dot: every "+ dot" is disabled; one too many anyway (a second tab of the
    # same phone, a race) gets its refusal right under the tapped button, nothing changes
    second = phone.locator(f"#vote-cards [data-card='{cards[1]['id']}'] .vote-button")
    second.click()
    expect(phone.locator("#my-votes")).to_have_attribute("data-left", "0", timeout=wait_ms())
    expect(second).to_be_disabled(timeout=wait_ms())
    expect(phone.locator("#vote-cards .vote-button:enabled")).to_have_count(0)
    second.evaluate("button => { button.disabled = false; }")
    second.click()
    message = phone.locator(f"#vote-cards [data-card='{cards[1]['id']}'] [data-vote-message]")
    expect(message).to_contain_text("3", timeout=wait_ms())
    expect(message).to_be_in_viewport()
    expect(phone.locator("#my-votes")).to_have_attribute("data-left", "0")
    expect(count).to_have_attribute("data-dots", "2")
    screenshot(phone, "board-phone-revealed")
    screenshot(projector, "board-projector-revealed")
