"""The projector at hall scale in Chromium (issue 19, item 6): 250 cards, twelve groups with
long names and fourteen cards with dots. The ranking shows as many cards and groups as fit,
each wholly on the screen and never cut with "…", at 1920×1080 and 1280×720; a board column
that goes on over a page's edge repeats its heading atop the next page; the group layout
shows the groups first and the cards in none on one last page; the console pauses and
steps the projector's pages; nobody is offered the join QR once the event has finished."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import bearer, board, control, create_event, join, post_until_accepted
from tests.fixtures.browser import ARTIFACTS, SEEN_WHOLE, screenshot, wait_ms
from tests.fixtures.timing import seconds

CARDS = 250
GROUP_NAMES = [
    "見守りのネットワークを地域の全世代でつくる",
    "子どもの居場所と学びを商店街の空き店舗で支える",
    "高齢者の移動手段とデマンド交通の見直し",
    "防災訓練に若い世代と外国人住民を巻き込む",
    "市の魅力をSNSと口コミで発信するしくみづくり",
    "ボランティアの担い手不足と活動のマッチング",
    "公民館以外の集いの場を増やす",
    "子育て世帯の孤立を防ぐ相談窓口のあり方",
    "Community-based-monitoring-network-for-everyone-in-town",
    "地域の祭りと伝統行事を次の世代へ引き継ぐ",
    "空き家を活用した多世代交流拠点",
    "市民参画の仕組みを行政と一緒に考え直す場",
]
VOTED = 14
"""Cards with dots (the first ones written), more than the ranking's ten."""

RANKING_BOXES = """() => {
  const items = [...document.querySelectorAll('[data-ranking-card], [data-ranking-group]')];
  const shown = items.filter((item) => item.getClientRects().length > 0);
  const outside = shown.filter((item) => {
    const box = item.getBoundingClientRect();
    const list = item.parentElement.getBoundingClientRect();
    return box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth
      || box.bottom > list.bottom + 0.5 || box.right > list.right + 0.5;
  });
  const cut = [...document.querySelectorAll('.board__ranking *')].filter((element) => {
    const style = getComputedStyle(element);
    return element.getClientRects().length > 0 && (style.textOverflow === 'ellipsis'
      || element.scrollWidth > element.clientWidth + 1 && style.overflow !== 'visible');
  });
  return {
    cards: shown.filter((item) => item.hasAttribute('data-ranking-card')).length,
    groups: shown.filter((item) => item.hasAttribute('data-ranking-group')).length,
    outside: outside.map((item) => item.textContent.trim()),
    ellipsis: shown.filter((item) => item.innerText.trim().includes('…'))
      .map((item) => item.innerText.trim()),
    cut: cut.map((element) => element.className),
  };
}"""

FIRST_ON_PAGE = """() => {
  const track = document.querySelector('.projector .board__tables').getBoundingClientRect();
  const headings = '.projector .board__heading, .projector .board__continued';
  const shown = [...document.querySelectorAll(headings)].filter((heading) => {
    const box = heading.getBoundingClientRect();
    return box.width > 0 && box.left >= track.left - 1 && box.right <= track.right + 1;
  });
  shown.sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left
    || a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  const first = shown[0];
  if (!first) return null;
  const box = first.getBoundingClientRect();
  return {text: first.textContent.trim(), top: box.top - track.top, left: box.left - track.left,
          continued: first.classList.contains('board__continued')};
}"""


@pytest.fixture(scope="module")
def hall(server):
    """250 cards over three tables, twelve groups holding 180 of them (70 in none), dots
    on fourteen cards from forty voters, the results revealed."""
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as api:
        event = create_event(api)
        writers = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
                   for n in range(40)]
        cards = []
        for n in range(CARDS):
            text = (f"{n}番: 高齢者の居場所が公民館だけでは足りないので、空き店舗を活用したい"
                    + "、若い世代にも声をかけて一緒に運営する仕組みがほしい" * (n % 3))
            card_id = str(uuid.uuid4())
            assert post_until_accepted(api, event, writers[n % 40]["token"], text,
                                       card_id) == 201
            cards.append(card_id)
        facilitator = bearer(event["facilitator_token"])
        groups = []
        for name in GROUP_NAMES:
            made = api.post(f"/api/v1/sessions/{event['id']}/groups", json={"name": name},
                            headers=facilitator)
            assert made.status_code == 201, made.text
            groups.append(made.json()["id"])
        for n, card_id in enumerate(cards[:180]):
            moved = api.patch(f"/api/v1/sessions/{event['id']}/cards/{card_id}",
                              json={"group_id": groups[n % len(groups)]}, headers=facilitator)
            assert moved.status_code == 200, moved.text
        board(api, event, open=True)
        favourites = [n for n in range(VOTED) for _ in range(VOTED - n)]  # fewer further down
        for n, writer in enumerate(writers):
            for dot in range(3):
                card_id = cards[favourites[(n * 3 + dot) % len(favourites)]]
                voted = api.post(f"/api/v1/sessions/{event['id']}/cards/{card_id}/votes",
                                 headers=bearer(writer["token"]))
                assert voted.status_code == 201, voted.text
        board(api, event, revealed=True)
        return event, cards


def test_the_ranking_shows_whole_cards_and_groups_at_1920_and_1280(api, hall, open_page):
    event, _cards = hall
    board(api, event, screen="ranking", view="table")
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "ranking",
                                                           timeout=wait_ms())
    expect(projector.locator("[data-ranking-card]")).to_have_count(10, timeout=wait_ms())
    expect(projector.locator("[data-ranking-group]")).to_have_count(len(GROUP_NAMES))
    shown = {}
    for width, height in ((1920, 1080), (1280, 720)):
        projector.set_viewport_size({"width": width, "height": height})
        projector.wait_for_function(f"() => innerWidth === {width} && ({RANKING_BOXES})()"
                                    ".outside.length === 0", timeout=wait_ms())
        found = projector.evaluate(RANKING_BOXES)
        screenshot(projector, f"projector-ranking-{width}x{height}")
        assert found["outside"] == [], (width, found)
        assert found["ellipsis"] == [] and found["cut"] == [], (width, found)
        shown[width] = found
    assert shown[1280]["cards"] >= 5 and shown[1280]["groups"] >= 8, shown
    assert shown[1920]["cards"] >= shown[1280]["cards"], shown
    assert shown[1920]["groups"] >= shown[1280]["groups"], shown
    assert sum(shown[1920][k] for k in ("cards", "groups")) > sum(
        shown[1280][k] for k in ("cards", "groups")), shown
    # the long group name is wrapped whole, on the screen
    name = projector.locator("[data-ranking-group] .ranking__group-name",
                             has_text="見守りのネットワーク").first
    expect(name).to_have_text(GROUP_NAMES[0])
    expect(name).to_be_in_viewport(ratio=1)


def test_a_column_continued_on_the_next_page_repeats_its_heading(api, hall, open_page):
    event, cards = hall
    board(api, event, screen="board", view="table", pages="pause")  # the test turns them
    projector = open_page(event["urls"]["projector"], 1280, 720)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "board",
                                                           timeout=wait_ms())
    expect(projector.locator(".projector .board__cards .card")).to_have_count(CARDS)
    expect(projector.locator("#live")).to_have_attribute("data-board-paused", "true")
    pages = projector.evaluate("window.worldcafeBoardPages.count()")
    assert pages > 3
    seen, continued = set(), []
    for page in range(pages):
        projector.evaluate(f"window.worldcafeBoardPages.show({page})")
        seen.update(projector.evaluate(SEEN_WHOLE))
        first = projector.evaluate(FIRST_ON_PAGE)
        if page == 1:
            screenshot(projector, "projector-board-continued-1280x720")
            assert first["continued"] and "（続き）" in first["text"], first
            assert re.fullmatch(r"\d テーブル\d（続き）", first["text"]), first
        if first and first["continued"]:
            assert first["top"] < 5 and first["left"] < 5, first
            continued.append(first["text"])
    assert seen == set(cards)  # the repeated headings leave every card whole on a page
    assert len(continued) >= 3, continued


def test_the_group_layout_shows_the_groups_first_and_the_cards_in_none_last(api, hall,
                                                                           open_page):
    event, cards = hall
    board(api, event, screen="board", view="group", pages="pause")  # the test turns them
    projector = open_page(event["urls"]["projector"], 1280, 720)
    expect(projector.locator("#board")).to_have_attribute("data-layout", "group",
                                                          timeout=wait_ms())
    ungrouped = projector.locator("#board-group-none")
    pages = projector.evaluate("window.worldcafeBoardPages.count()")
    for page in range(pages - 1):
        projector.evaluate(f"window.worldcafeBoardPages.show({page})")
        expect(ungrouped).to_be_hidden()
        expect(projector.locator(".projector .board__table[data-column^='group-']:visible").first
               ).to_be_visible()
    projector.evaluate(f"window.worldcafeBoardPages.show({pages - 1})")
    expect(projector.locator("#live")).to_have_attribute("data-board-summary", "")
    expect(ungrouped).to_be_visible()
    expect(ungrouped.locator(".board__heading")).to_contain_text("未分類のカード")
    expect(ungrouped.locator(".board__heading")).to_contain_text(f"{CARDS - 180}枚")
    expect(projector.locator(".board__table:not(.board__table--ungrouped):visible")).to_have_count(0)
    whole = projector.evaluate(SEEN_WHOLE)
    assert len(whole) >= 20 and set(whole) <= set(cards[180:]), len(whole)
    screenshot(projector, "projector-board-ungrouped-summary-1280x720")
    projector.evaluate("window.worldcafeBoardPages.show(0)")
    expect(projector.locator("#live")).not_to_have_attribute("data-board-summary", "")
    screenshot(projector, "projector-board-groups-1280x720")


def test_the_console_pauses_and_steps_the_projectors_pages(api, hall, open_page):
    event, _cards = hall
    board(api, event, screen="board", view="table", pages="play")
    projector = open_page(event["urls"]["projector"], 1280, 720)
    console = open_page(event["urls"]["console"], 1366, 768)
    live = projector.locator("#live")
    expect(live).to_have_attribute("data-board-paused", "false", timeout=wait_ms())
    pages = console.locator("#projector-pages")
    pages.get_by_role("button", name="ページ送りを止める").click()
    expect(live).to_have_attribute("data-board-paused", "true", timeout=wait_ms())
    expect(pages.get_by_role("button", name="ページ送りを再開")).to_be_visible(timeout=wait_ms())
    before = int(live.get_attribute("data-board-page"))
    count = int(live.get_attribute("data-board-pages"))
    pages.get_by_role("button", name="次のページ").click()
    expect(live).to_have_attribute("data-board-page", str((before + 1) % count),
                                   timeout=wait_ms())
    pages.get_by_role("button", name="次のページ").click()
    expect(live).to_have_attribute("data-board-page", str((before + 2) % count),
                                   timeout=wait_ms())
    pages.get_by_role("button", name="前のページ").click()
    expect(live).to_have_attribute("data-board-page", str((before + 1) % count),
                                   timeout=wait_ms())
    pages.scroll_into_view_if_needed()
    console.locator(".board__tools").screenshot(
        path=str(ARTIFACTS / "console-projector-pages-paused.png"))
    # a projector opened now starts paused, and follows only the steps after it opened
    second = open_page(event["urls"]["projector"], 1280, 720)
    expect(second.locator("#live")).to_have_attribute("data-board-paused", "true",
                                                      timeout=wait_ms())
    expect(second.locator("#live")).to_have_attribute("data-board-page", "0")
    pages.get_by_role("button", name="ページ送りを再開").click()
    expect(live).to_have_attribute("data-board-paused", "false", timeout=wait_ms())
    turned = (before + 2) % count
    page_ms = int(live.get_attribute("data-page-seconds")) * 1000
    expect(live).to_have_attribute("data-board-page", str(turned),
                                   timeout=page_ms + wait_ms())


def test_no_join_qr_on_the_ranking_or_the_end_once_the_event_has_finished(api, open_page):
    event = create_event(api)
    person = join(api, event, "鈴木", theme=event["tables"][0]["theme"]).json()
    card_id = str(uuid.uuid4())
    assert post_until_accepted(api, event, person["token"], "見守りの輪", card_id) == 201
    board(api, event, open=True)
    assert api.post(f"/api/v1/sessions/{event['id']}/cards/{card_id}/votes",
                    headers=bearer(person["token"])).status_code == 201
    board(api, event, revealed=True)
    projector = open_page(event["urls"]["projector"], 1280, 720)
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "ranking",
                                                           timeout=wait_ms())
    expect(projector.locator("#join .qr")).to_be_visible()  # while the event runs
    assert control(api, event, "finish").status_code == 200
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "end",
                                                           timeout=wait_ms())
    expect(projector.locator("#screen")).to_have_attribute("data-join", "none")
    expect(projector.locator("#join .qr")).to_have_count(0)
    board(api, event, screen="ranking")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "ranking",
                                                           timeout=wait_ms())
    expect(projector.locator("[data-ranking-card]")).to_have_count(1)
    expect(projector.locator("#join .qr")).to_have_count(0)
    expect(projector.locator(".projector__join")).to_be_hidden()
    screenshot(projector, "projector-ranking-finished-1280x720")
