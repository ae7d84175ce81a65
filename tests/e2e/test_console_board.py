"""The console's board at full scale, in Chromium: 150 small cards in columns as tall as
their cards (one page scroll), a keyboard move, several cards moved at once, clicks while
the server is away refused visibly, and a confirmation before the event is finished."""

import uuid

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import (
    bearer,
    create_event,
    grouped,
    join,
    make_groups,
    post_until_accepted,
)
from tests.fixtures.browser import screenshot, wait_ms
from tests.fixtures.timing import eventually, seconds


def test_a_hundred_and_fifty_small_cards_a_keyboard_move_and_several_at_once(server, api,
                                                                              open_page):
    event = create_event(api)
    writers = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
               for n in range(30)]
    ids = []
    for n in range(150):
        card_id = str(uuid.uuid4())
        assert post_until_accepted(api, event, writers[n % 30]["token"],
                                   f"{n}: 見守りの担い手が足りない", card_id) == 201
        ids.append(card_id)
    groups = make_groups(api, event, ["見守り", "子育て", "まちの魅力"])
    console = open_page(event["urls"]["console"], 1366, 768)
    expect(console.locator("#board .card")).to_have_count(150, timeout=wait_ms())
    heights = console.evaluate("""() => [...document.querySelectorAll('#board .card')]
        .map((card) => card.getBoundingClientRect().height)""")
    assert max(heights) < 80  # text and a ⋯ menu, not a form per card
    scrolls = console.evaluate("""() => [...document.querySelectorAll('#board .board__cards')]
        .filter((list) => list.scrollHeight > list.clientHeight + 1).length""")
    assert scrolls == 0  # one scroll: the page's
    assert console.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(console, "console-board-150-cards")

    card = console.locator(f"#board [data-card='{ids[0]}']")
    card.focus()
    console.keyboard.press("2")  # the second group
    eventually(lambda: grouped(server, event)[ids[0]] == groups[1]["id"])
    expect(console.locator(f"#board [data-card='{ids[0]}']")).to_be_focused(timeout=wait_ms())
    console.keyboard.press("ArrowLeft")  # the first group
    eventually(lambda: grouped(server, event)[ids[0]] == groups[0]["id"])
    console.keyboard.press("0")
    eventually(lambda: grouped(server, event)[ids[0]] is None)

    for card_id in ids[1:6]:
        console.locator(f"#board [data-card='{card_id}'] .card__select").check()
    selection = console.locator("#selected-cards")
    selection.locator("select[name=group_id]").select_option(str(groups[2]["id"]))
    selection.get_by_role("button", name="移動").click()
    eventually(lambda: all(grouped(server, event)[c] == groups[2]["id"] for c in ids[1:6]))
    console.locator("#board select[name=view]").select_option("group")
    expect(console.locator(f"#board-group-{groups[2]['id']} .card")).to_have_count(
        5, timeout=wait_ms())
    screenshot(console, "console-board-grouped")


def test_clicks_while_the_server_is_away_are_refused_visibly(make_server, open_page):
    server = make_server()
    open_page.allowed += ["WebSocket", "ERR_CONNECTION_REFUSED", "ERR_FAILED", "[object Event]"]
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        event = create_event(api)
    console = open_page(event["urls"]["console"], 1366, 900)
    expect(console.locator("#controls")).to_be_visible()
    server.stop()
    expect(console.locator("#connection-banner")).to_be_visible(timeout=wait_ms())
    console.get_by_role("button", name="+1分").click()
    expect(console.locator("#controls [data-flash-beside]")).to_contain_text(
        "送信していません", timeout=wait_ms())  # beside the buttons, not in the run bar
    server.start()
    expect(console.locator("#connection-banner")).to_be_hidden(timeout=seconds(20) * 1000)
    console.get_by_role("button", name="+1分").click()
    expect(console.locator("#phase [data-countdown]")).to_have_text("11:00", timeout=wait_ms())


def test_finishing_the_event_asks_first(server, api, open_page):
    event = create_event(api, program="briefing")
    console = open_page(event["urls"]["console"], 1366, 900)
    for phase in (0, 1):
        api.post(f"/api/v1/sessions/{event['id']}/control", json={"action": "next",
                 "from_phase": phase}, headers=bearer(event["facilitator_token"]))
    finish = console.locator("[data-finish]")
    expect(finish).to_be_visible(timeout=wait_ms())
    asked = []
    console.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    finish.click()
    expect(console.locator("[data-finish]")).to_be_visible()
    assert asked and "終了" in asked[0]
    console.once("dialog", lambda dialog: dialog.accept())
    finish.click()
    expect(console.locator("#phase")).to_contain_text("終了", timeout=wait_ms())
    state = api.get(f"/api/v1/sessions/{event['id']}/state",
                    headers=bearer(event["facilitator_token"])).json()
    assert state["status"] == "finished"
