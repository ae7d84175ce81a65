"""The console's grouping workspace at hall scale, in Chromium at 1366×768: 250 cards in no
group fill the width, the rail of groups and the run controls stay in the window however
far down one works, the filter narrows the cards (also the ones pushed later), and every
card goes into one of 8 groups by dragging onto the rail and from the keyboard (ranges
selected with Shift-click, then a digit), using only what is in the window: the test
never scrolls while it groups (the page follows the keyboard's focus by itself)."""

import uuid

from playwright.sync_api import expect

from tests.fixtures.api import (
    api_url,
    bearer,
    board,
    control,
    create_event,
    grouped,
    join,
    make_groups,
    write_texts,
)
from tests.fixtures.browser import ARTIFACTS, POOL, screenshot, wait_ms

WIDTH, HEIGHT = 1366, 768
TOPICS = ("見守り", "子育て", "防災", "交通", "公園", "商店街", "環境", "観光")
IN_WINDOW = """(selector) => [...document.querySelectorAll(selector)].map((element) => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight
    && box.right <= innerWidth;
})"""

POOL_IN_WINDOW = """() => {
  const below = document.querySelector('[data-run-controls]').getBoundingClientRect().bottom;
  return [...document.querySelectorAll('#board-group-none-cards > li[data-card]')]
    .filter((card) => {
      const box = card.getBoundingClientRect();
      return !card.hidden && box.top >= below && box.bottom <= innerHeight
        && box.right <= innerWidth;
    }).map((card) => card.dataset.card);
}"""


def topic_text(n: int) -> str:
    return f"{TOPICS[n % 8]}について{n}番目の意見"


def stored_cards(api, event: dict) -> list[dict]:
    return api.get(f"/api/v1/sessions/{event['id']}/cards",
                   headers=bearer(event["facilitator_token"])).json()["cards"]


def event_with_cards(server, api, count: int) -> tuple[dict, list[dict]]:
    """An event whose cards were written in two phases (half in each) at three tables."""
    event = create_event(api)
    writers = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
               for n in range(50)]
    half = count // 2
    write_texts(server, event, writers, [topic_text(n) for n in range(half)])
    assert control(api, event, "next", from_phase=0).status_code == 200
    write_texts(server, event, writers, [topic_text(n) for n in range(half, count)])
    return event, stored_cards(api, event)


def drag(page, source, target) -> None:
    """The mouse presses the source's middle, moves in steps onto the target's, lets go."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def window_shot(page, name: str) -> None:
    """What the window shows (the sticky run bar and rail where they are), not the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def state(api, event: dict) -> dict:
    return api.get(f"/api/v1/sessions/{event['id']}/state",
                   headers=bearer(event["facilitator_token"])).json()


def test_250_cards_go_into_8_groups_by_drag_and_keyboard_without_scrolling(server, api,
                                                                           open_page):
    event, cards = event_with_cards(server, api, 250)
    groups = make_groups(api, event, TOPICS)
    board(api, event, view="group")
    console = open_page(event["urls"]["console"], WIDTH, HEIGHT)
    pool = console.locator(POOL)
    expect(pool).to_have_count(250, timeout=wait_ms())
    rail = console.locator("[data-drop-group]")
    expect(rail).to_have_count(9)  # 8 groups and "not grouped yet"

    # the cards in no group fill the width: several columns, no page two thirds empty
    lefts = console.evaluate(f"""() => new Set([...document.querySelectorAll('{POOL}')]
        .map((card) => Math.round(card.getBoundingClientRect().left))).size""")
    assert lefts >= 4
    assert console.evaluate("document.documentElement.scrollWidth") <= WIDTH
    pool_box = console.locator("#board-group-none-cards").bounding_box()
    assert pool_box["width"] >= WIDTH * 0.55
    covered = console.evaluate(f"""() => [...document.querySelectorAll('{POOL}')]
        .map((card) => card.getBoundingClientRect())
        .reduce((sum, box) => sum + box.width * box.height, 0)""")
    assert covered >= 0.6 * pool_box["width"] * pool_box["height"]  # not two thirds empty
    window_shot(console, "workspace-250-top")

    # the filter narrows the cards in no group: words, table, theme, round
    search = console.locator("[data-card-filter] input[name=text]")
    count = console.locator("[data-filter-count]")
    shown = console.locator(f"{POOL}:not([hidden])")
    search.fill("防災")
    expect(shown).to_have_count(sum("防災" in c["text"] for c in cards))
    expect(count).to_have_text(f"250枚のうち{sum('防災' in c['text'] for c in cards)}枚を表示")
    search.fill("")
    table = event["tables"][1]
    console.locator("[data-card-filter] select[name=table]").select_option(str(table["id"]))
    expect(shown).to_have_count(sum(c["table_id"] == table["id"] for c in cards))
    console.locator("[data-card-filter] select[name=table]").select_option("")
    console.locator("[data-card-filter] select[name=theme]").select_option(table["theme"])
    themed = {t["id"] for t in event["tables"] if t["theme"] == table["theme"]}
    expect(shown).to_have_count(sum(c["table_id"] in themed for c in cards))
    console.locator("[data-card-filter] select[name=theme]").select_option("")
    console.locator("[data-card-filter] select[name=phase]").select_option("1")
    expect(shown).to_have_count(sum(c["phase_index"] == 1 for c in cards))
    assert 0 < shown.count() < 250
    console.locator("[data-card-filter] select[name=phase]").select_option("")
    expect(shown).to_have_count(250)
    expect(count).to_have_text("")

    # the shortcuts: a hint beside the cards, and "?" lists them all
    expect(console.locator(".rail__hint")).to_be_visible()
    pool.first.focus()
    console.keyboard.press("?")
    shortcuts = console.locator("#shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Shift")
    window_shot(console, "workspace-shortcuts")
    console.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()

    # at the bottom of the board: every group on screen, a drag reaches one, and the run
    # controls are there to click
    last = pool.last
    last.scroll_into_view_if_needed()
    assert console.evaluate("window.scrollY") > 2 * HEIGHT
    assert all(console.evaluate(IN_WINDOW, "[data-drop-group]"))
    assert all(console.evaluate(IN_WINDOW, "[data-run-controls]"))
    window_shot(console, "workspace-250-bottom")
    last_id = last.get_attribute("data-card")
    scrolled = console.evaluate("window.scrollY")
    drag(console, last.locator("[data-drag-card]"), console.locator(
        f"[data-drop-group='{groups[7]['id']}']"))
    expect(console.locator(f"#board-group-{groups[7]['id']}-cards [data-card='{last_id}']")
           ).to_have_count(1, timeout=wait_ms())
    assert console.evaluate("window.scrollY") == scrolled  # no scrolling during the drag
    run = console.locator("[data-run-controls]")
    run.locator("button[value=start]").click()
    expect(run.locator("button[value=pause]")).to_be_visible(timeout=wait_ms())
    assert state(api, event)["status"] == "running"
    run.locator("button[value=next]").click()
    expect(run.locator("button[value=start]")).to_be_visible(timeout=wait_ms())
    assert state(api, event)["phase_index"] == 2

    # from the top of the cards in no group: a sample of drags onto the rail, then the
    # keyboard, only what is in the window, and the page never scrolls
    console.evaluate("document.getElementById('board-group-none').scrollIntoView()")
    top = console.evaluate("window.scrollY")
    dragged = 1
    for n in range(8):  # one onto each group
        card_id = console.evaluate(POOL_IN_WINDOW)[0]
        card = console.locator(f"{POOL}[data-card='{card_id}']")
        drag(console, card.locator("[data-drag-card]"),
             console.locator(f"[data-drop-group='{groups[n % 8]['id']}']"))
        expect(console.locator(f"{POOL}[data-card='{card_id}']")).to_have_count(
            0, timeout=wait_ms())
        dragged += 1
    assert console.evaluate("window.scrollY") == top
    window_shot(console, "workspace-after-drags")

    keyed, turn = 0, 0
    while pool.count():
        in_window = console.evaluate(POOL_IN_WINDOW)
        first, last_id = in_window[0], in_window[min(len(in_window), 40) - 1]
        if turn % 2:  # X on the first card, Shift-click on the text of the last
            console.locator(f"{POOL}[data-card='{first}']").focus()
            console.keyboard.press("x")
            console.locator(f"{POOL}[data-card='{last_id}'] .card__text").click(
                modifiers=["Shift"])
        else:  # a click on the first box, Shift-click on the last box
            console.locator(f"{POOL}[data-card='{first}'] .card__select").click()
            console.locator(f"{POOL}[data-card='{last_id}'] .card__select").click(
                modifiers=["Shift"])
        chosen = console.locator(f"{POOL} .card__select:checked")
        expected = in_window[:in_window.index(last_id) + 1]
        expect(chosen).to_have_count(len(expected))
        expect(console.locator("[data-selection]")).to_contain_text(f"{len(expected)}枚を選択中")
        if turn == 1:
            window_shot(console, "workspace-range-selected")
        before = pool.count()
        group = groups[turn % 8]
        if turn == 2:  # a click on the rail moves the selection too
            console.locator(f"[data-drop-group='{group['id']}']").click()
        elif turn == 3:  # and so does a drag of one of the selected cards
            drag(console, console.locator(f"{POOL}[data-card='{first}'] [data-drag-card]"),
                 console.locator(f"[data-drop-group='{group['id']}']"))
        else:
            console.keyboard.press(str(turn % 8 + 1))
        expect(pool).to_have_count(before - len(expected), timeout=wait_ms())
        now = grouped(server, event)
        assert all(now[card_id] == group["id"] for card_id in expected)
        if turn not in (2, 3) and pool.count():  # the focus goes on to the next card, in view
            expect(console.locator(f"{POOL}:focus")).to_be_in_viewport(timeout=wait_ms())
        keyed += len(expected)
        turn += 1
    assert turn >= 4 and keyed + dragged == 250

    final = grouped(server, event)
    assert len(final) == 250
    group_ids = {g["id"] for g in groups}
    assert set(final.values()) == group_ids  # every card in one of the 8, each group used
    counts = [int(c) for c in console.locator("[data-rail-count]").all_inner_texts()]
    assert counts[:8] == [sum(v == g["id"] for v in final.values()) for g in groups]
    assert counts[8] == 0
    screenshot(console, "workspace-all-grouped")


def test_the_filter_narrows_the_cards_pushed_after_it_was_set(server, api, open_page):
    event, cards = event_with_cards(server, api, 20)
    make_groups(api, event, TOPICS[:2])
    board(api, event, view="group")
    console = open_page(event["urls"]["console"], WIDTH, HEIGHT)
    shown = console.locator(f"{POOL}:not([hidden])")
    expect(console.locator(POOL)).to_have_count(20, timeout=wait_ms())
    console.locator("[data-card-filter] input[name=text]").fill("防災")
    expect(shown).to_have_count(sum("防災" in c["text"] for c in cards))
    host = event["tables"][0]["host_token"]
    fits, misses = str(uuid.uuid4()), str(uuid.uuid4())
    for card_id, text in ((fits, "防災訓練に若い人を"), (misses, "図書館をもっと使いたい")):
        response = api.post(f"/api/v1/sessions/{event['id']}/cards",
                            json={"id": card_id, "text": text}, headers=bearer(host))
        assert response.status_code == 201, response.text
    expect(console.locator(f"{POOL}[data-card='{fits}']")).to_be_visible(timeout=wait_ms())
    expect(console.locator(f"{POOL}[data-card='{misses}']")).to_be_hidden(timeout=wait_ms())
    expect(console.locator(POOL)).to_have_count(22)
    expect(shown).to_have_count(sum("防災" in c["text"] for c in cards) + 1)
    # a selection: a box, a Shift-click on another card; Esc unselects them
    boxes = console.locator(f"{POOL}:not([hidden]) .card__select")
    boxes.first.click()
    boxes.last.click(modifiers=["Shift"])
    expect(console.locator(f"{POOL} .card__select:checked")).to_have_count(shown.count())
    console.keyboard.press("Escape")
    expect(console.locator(f"{POOL} .card__select:checked")).to_have_count(0)
    expect(console.locator("[data-selection]")).to_be_hidden()
    # a new group draws the board again: the filter keeps its words and keeps narrowing
    response = api.post(api_url(server, event, "/groups"), json={"name": "図書館"},
                        headers=bearer(event["facilitator_token"]))
    assert response.status_code == 201
    expect(console.locator("[data-drop-group]")).to_have_count(4, timeout=wait_ms())
    expect(console.locator("[data-card-filter] input[name=text]")).to_have_value("防災")
    expect(shown).to_have_count(sum("防災" in c["text"] for c in cards) + 1)
