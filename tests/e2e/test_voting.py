"""Voting at hall scale in Chromium: 250 cards in KJ groups, three phones at 390×844 whose
voting list starts at the top in compact rows, filtered by group, each showing its own dots
on the rows it voted on; the projector's voting screen at 1920×1080 counting the dots; the
console's buttons following the flow; revealing closes voting; after the end the phones
show the result and no card form. And a run on groups."""

import threading

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import api_url, bearer, control, create_event, join, write_cards
from tests.fixtures.browser import ARTIFACTS, screenshot
from tests.fixtures.timing import seconds


def wait_ms() -> float:
    """A whole voting list is redrawn on every phone: 10 s, stretched by the load."""
    return seconds(10) * 1000
GROUPS = ("高齢者の見守り", "子どもの居場所", "空き家の活用", "まちの魅力発信")


def hall(server, api, cards: int = 250, writers: int = 10):
    """An event with `cards` cards written by `writers` participants at once, four KJ
    groups holding all but the last 30 cards."""
    event = create_event(api)
    people = [join(api, event, f"参加者{n}", theme=event["tables"][n % 3]["theme"]).json()
              for n in range(writers)]
    written: list[list[str]] = [[] for _ in people]

    def write(n: int) -> None:
        with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
            written[n] = write_cards(client, event, people[n]["token"], cards // writers)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [card_id for row in zip(*written, strict=True) for card_id in row]
    assert len(ids) == cards
    facilitator = bearer(event["facilitator_token"])
    groups = [api.post(api_url(server, event, "/groups"), json={"name": name},
                       headers=facilitator).json()["id"] for name in GROUPS]
    for n, card_id in enumerate(ids[:-30]):
        moved = api.patch(api_url(server, event, f"/cards/{card_id}"),
                          json={"group_id": groups[n % len(groups)]}, headers=facilitator)
        assert moved.status_code == 200, moved.text
    return event, people, ids, groups


def screenshot_in_view(page, name: str) -> None:
    """What the phone's screen shows now (a full-page shot draws the sticky dots oddly)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def board(api, server, event, **changes):
    answer = api.patch(api_url(server, event, "/board"), json=changes,
                       headers=bearer(event["facilitator_token"]))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_voting_run_of_250_cards_on_three_phones_with_the_group_filter(server, api,
                                                                          open_page):
    event, people, ids, groups = hall(server, api)
    control(api, event, "start")  # a phase runs: the voting screen shows its time left
    console = open_page(event["urls"]["console"], 1366, 900)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    phones = [open_page(person["url"], 390, 844) for person in people[:3]]
    step = console.locator("#board form[data-voting-step]")
    # before voting: starting it is the primary button, revealing is not
    expect(step).to_have_attribute("data-voting-step", "before", timeout=wait_ms())
    expect(step.locator(".button--primary")).to_have_text("投票を始める")
    expect(phones[0].locator("#vote-cards")).to_be_hidden()
    step.locator("button[name=open]").click()
    expect(step).to_have_attribute("data-voting-step", "open", timeout=wait_ms())
    expect(step.locator(".button--primary")).to_have_text("投票を締め切る")
    # the projector shows what to do and the dots so far, by itself (auto)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "vote",
                                                           timeout=wait_ms())
    expect(projector.locator("#vote-screen")).to_be_visible()
    expect(projector.locator("#vote-screen-cast")).to_have_attribute("data-dots-cast", "0")
    expect(projector.locator("#vote-screen [data-countdown]")).to_have_attribute(
        "data-status", "running")
    # every phone: the list at the top, its first rows in view without scrolling
    for phone in phones:
        rows = phone.locator("#vote-cards .vote-row")
        expect(rows).to_have_count(250, timeout=wait_ms())
        for n in range(3):
            expect(rows.nth(n)).to_be_in_viewport()
        assert phone.evaluate("window.scrollY") == 0
    screenshot_in_view(phones[0], "voting-phone-top-250-cards")
    first_row = phones[0].locator("#vote-cards .vote-row").first.bounding_box()
    assert first_row["height"] < 70  # compact rows, not sticky notes
    length = phones[0].evaluate("document.documentElement.scrollHeight")

    # phone 1 filters one group and puts two dots on one of its cards
    chosen = f"group-{groups[1]}"
    phones[0].locator("#vote-cards select[data-vote-filter]").select_option(chosen)
    shown = phones[0].locator("#vote-cards .vote-row:visible")
    expect(shown).to_have_count(55)
    expect(phones[0].locator(f"#vote-cards-{chosen}")).to_be_visible()
    expect(phones[0].locator(f"#vote-cards-group-{groups[0]}")).to_be_hidden()
    target = phones[0].locator(f"#vc-{ids[1]}")
    target.locator(".vote-button").click()
    expect(target).to_have_attribute("data-my-dots", "1", timeout=wait_ms())
    target.locator(".vote-button").click()
    expect(target).to_have_attribute("data-my-dots", "2", timeout=wait_ms())
    expect(target.locator("[data-my-dots-marks]")).to_have_text("●●")
    expect(phones[0].locator("#my-votes")).to_have_attribute("data-left", "1")
    # phones 2 and 3 vote too; a card written meanwhile and a group renamed (the whole
    # list drawn again) keep phone 1's filter and its marks
    for phone, card_id in ((phones[1], ids[1]), (phones[2], ids[-1])):
        row = phone.locator(f"#vc-{card_id}")
        row.scroll_into_view_if_needed()
        row.locator(".vote-button").click()
        expect(row).to_have_attribute("data-my-dots", "1", timeout=wait_ms())
    expect(phones[1].locator(f"#vc-{ids[1]}")).to_have_attribute("data-my-dots", "1")
    renamed = api.patch(api_url(server, event, f"/groups/{groups[1]}"),
                        json={"name": "子どもの居場所づくり"},
                        headers=bearer(event["facilitator_token"]))
    assert renamed.status_code == 200
    expect(phones[0].locator(f"#vote-cards-{chosen} .vote-group__name")).to_have_text(
        "子どもの居場所づくり", timeout=wait_ms())
    expect(phones[0].locator("#vote-cards select[data-vote-filter]")).to_have_value(chosen)
    expect(shown).to_have_count(55)
    expect(phones[0].locator(f"#vc-{ids[1]}")).to_have_attribute("data-my-dots", "2")
    # a taken-back dot leaves the row's marks
    phones[1].locator(f"#vc-{ids[1]} .unvote-button").click()
    expect(phones[1].locator(f"#vc-{ids[1]}")).not_to_have_attribute("data-my-dots", "1",
                                                                      timeout=wait_ms())
    phones[1].locator(f"#vc-{ids[1]} .vote-button").click()
    expect(projector.locator("#vote-screen-cast")).to_have_attribute("data-dots-cast", "4",
                                                                     timeout=wait_ms())
    target.scroll_into_view_if_needed()
    screenshot_in_view(phones[0], "voting-phone-filtered-with-my-dots")
    screenshot(projector, "voting-projector-vote-screen")

    # closing: revealing becomes the primary button; revealing closes voting
    step.locator("button[name=open]").click()
    expect(step).to_have_attribute("data-voting-step", "closed", timeout=wait_ms())
    expect(step.locator(".button--primary")).to_have_text("結果を公開する")
    expect(phones[0].locator("#vote-cards")).to_have_attribute("data-ballot", "closed",
                                                               timeout=wait_ms())
    expect(phones[0].locator("#vote-cards")).not_to_contain_text("始まって")
    screenshot(console, "voting-console-closed")
    board(api, server, event, open=True)
    expect(step).to_have_attribute("data-voting-step", "open", timeout=wait_ms())
    step.locator("button[name=revealed]").click()
    expect(step).to_have_attribute("data-voting-step", "revealed", timeout=wait_ms())
    votes = api.get(api_url(server, event, "/votes"),
                    headers=bearer(event["facilitator_token"])).json()
    assert votes["open"] is False and votes["revealed"] is True
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "ranking",
                                                           timeout=wait_ms())
    for phone in phones:
        expect(phone.locator("#vote-cards")).to_have_attribute("data-ballot", "results",
                                                               timeout=wait_ms())
        expect(phone.locator(".vote-results__item").first).to_contain_text(
            "公園の清掃", timeout=wait_ms())
    # after the end: the result, no card form, and the join page says it has ended
    control(api, event, "finish")
    expect(phones[0].locator("#phase")).to_have_class("phase phase--finished",
                                                      timeout=wait_ms())
    expect(phones[0].locator(".card-entry")).to_be_hidden()
    expect(phones[0].locator("#vote-cards")).to_have_attribute("data-ballot", "results")
    screenshot_in_view(phones[0], "voting-phone-after-the-end")
    print(f"phone page with 250 cards while voting: {length} px")


def test_voting_on_groups_marks_the_groups_dots_on_the_phone(server, api, open_page):
    event, people, _ids, groups = hall(server, api, cards=40, writers=4)
    board(api, server, event, vote_on="groups", open=True, budget=3)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    phone = open_page(people[0]["url"], 390, 844)
    row = phone.locator(f"#vg-{groups[2]}")
    expect(row).to_be_in_viewport(timeout=wait_ms())
    expect(phone.locator("#vote-cards .vote-row--group")).to_have_count(4)
    expect(phone.locator("#vote-cards .vote-row--group").first).to_be_in_viewport()
    # the cards are read, not voted on
    expect(phone.locator("#vote-cards .card .vote-button")).to_have_count(0)
    for expected in ("1", "2"):
        row.locator(".vote-button").click()
        expect(row).to_have_attribute("data-my-dots", expected, timeout=wait_ms())
    expect(row.locator("[data-my-dots-marks]")).to_have_text("●●")
    expect(projector.locator("#vote-screen-cast")).to_have_attribute("data-dots-cast", "2",
                                                                     timeout=wait_ms())
    expect(projector.locator("#vote-screen")).to_contain_text("グループ")
    screenshot_in_view(phone, "voting-phone-on-groups")
    screenshot(projector, "voting-projector-on-groups")
    board(api, server, event, revealed=True)
    expect(phone.locator(".vote-results__item").first).to_contain_text(GROUPS[2],
                                                                       timeout=wait_ms())
    # the projector's ranking counts the groups, no list of cards without dots
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "ranking",
                                                           timeout=wait_ms())
    expect(projector.locator("#board-ranking [data-ranking-group]").first).to_contain_text(
        GROUPS[2])
    expect(projector.locator("#board-ranking [data-ranking-card]")).to_have_count(0)
    screenshot(projector, "voting-projector-ranking-of-groups")
