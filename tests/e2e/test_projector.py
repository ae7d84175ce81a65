"""The projector's screens in Chromium: under `auto` each phase of the standard programme
shows its screen (timer, moves, board, ranking, end), a pinned screen survives a reload,
and the board screen shows every one of 150 cards whole within a minute at 1080p."""

import uuid

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import bearer, board, control, create_event, join, post_until_accepted
from tests.fixtures.browser import SEEN_WHOLE, expect_screen, screenshot
from tests.fixtures.timing import seconds


def test_auto_shows_the_screen_of_each_phase_of_the_standard_programme(server, api,
                                                                        open_page):
    event = create_event(api)
    people = [join(api, event, f"参加者{n}", theme=event["tables"][n % 3]["theme"]).json()
              for n in range(9)]
    projector = open_page(event["urls"]["projector"], 1280, 720)
    expect_screen(projector, "timer")
    expect(projector.locator("#screen")).to_have_attribute("data-join", "large")
    steps = [  # (action, from the phase, the screen after it)
        ("start", None, "timer"), ("next", 0, "timer"), ("start", None, "timer"),
        ("next", 1, "moves"), ("start", None, "timer"), ("next", 2, "moves"),
        ("start", None, "timer"), ("next", 3, "moves"), ("start", None, "timer"),
        ("next", 4, "board"),
    ]
    for action, from_phase, screen in steps:
        extra = {} if from_phase is None else {"from_phase": from_phase}
        assert control(api, event, action, **extra).status_code == 200
        expect_screen(projector, screen)
        if screen == "moves":
            screenshot(projector, f"projector-moves-phase-{from_phase + 1}")
    expect(projector.locator("#screen")).to_have_attribute("data-join", "corner")
    expect(projector.locator("#moves")).to_be_hidden()
    card = post_until_accepted(api, event, people[0]["token"], "見守りの輪", str(uuid.uuid4()))
    assert card == 201
    board(api, event, open=True, revealed=True)
    expect_screen(projector, "ranking")
    control(api, event, "finish")
    expect_screen(projector, "end")
    expect(projector.locator("#end")).to_contain_text("1枚")
    expect(projector.locator("#join")).to_be_hidden()
    screenshot(projector, "projector-end")


def test_a_pinned_screen_survives_a_projector_reload(server, api, open_page):
    event = create_event(api)
    projector = open_page(event["urls"]["projector"], 1280, 720)
    expect_screen(projector, "timer")
    assert board(api, event, screen="end")["screen"] == "end"
    expect_screen(projector, "end")
    projector.reload()
    expect_screen(projector, "end")
    votes = api.get(f"/api/v1/sessions/{event['id']}/votes",
                    headers=bearer(event["projector_token"])).json()
    assert votes["screen"] == "end"
    refused = api.patch(f"/api/v1/sessions/{event['id']}/board", json={"screen": "disco"},
                        headers=bearer(event["facilitator_token"]))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid"
    board(api, event, screen="auto")
    expect_screen(projector, "timer")


def test_the_board_screen_shows_every_one_of_150_cards_whole_within_a_minute(server, api,
                                                                             open_page):
    event = create_event(api)
    writers = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
               for n in range(30)]
    sent = []
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        for n in range(150):
            text = f"{n}番: 地域の見守りの担い手が足りない" + "、若い世代にも声をかけたい" * (n % 3)
            card_id = str(uuid.uuid4())
            assert post_until_accepted(client, event, writers[n % 30]["token"], text,
                                       card_id) == 201
            sent.append(card_id)
    board(api, event, screen="board")
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    expect_screen(projector, "board")
    expect(projector.locator(".projector .board__cards .card")).to_have_count(150)
    pages = projector.evaluate("window.worldcafeBoardPages.count()")
    seen = set()
    for page in range(pages):
        projector.evaluate(f"window.worldcafeBoardPages.show({page})")
        seen.update(projector.evaluate(SEEN_WHOLE))
        if page == 0:
            screenshot(projector, "projector-board-150-cards")
    assert seen == set(sent)
    live = projector.locator("#live")
    assert int(live.get_attribute("data-board-pages")) == pages
    assert pages * int(live.get_attribute("data-page-seconds")) <= 60
    size = projector.evaluate("parseFloat(getComputedStyle("
                              "document.querySelector('.projector .board__cards .card')).fontSize)")
    assert size >= 28
