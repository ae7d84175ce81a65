"""The words of an event (issue 24, items 5 and 6): one heading per round wherever phases
are listed (the console, the report's PDF text), ranks printed once, the CSV's time as
Excel reads it, a phone in English offered English, the console's messages beside what
caused them, and the people list as a searchable table with a menu per row."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import (
    board,
    control,
    create_event,
    facilitator,
    join,
    make_groups,
    post_card,
)
from tests.fixtures.browser import screenshot, wait_ms, wait_until_drawn
from tests.fixtures.timing import seconds

TWO_NUMBERS = re.compile(r"\d+\.\s*ラウンド\d")
"""A phase's place printed beside a round's number (「3. ラウンド2」), as before."""


@pytest.fixture
def moved(api):
    """The standard program at its first move (ラウンド2), six people, a card written in
    each of the first two rounds, dots on three cards, the results revealed."""
    event = create_event(api)
    themes = [t["theme"] for t in event["tables"]]
    people = [join(api, event, name, theme=themes[n % 3], affiliation="citizen").json()
              for n, name in enumerate(("青木", "石井", "上田", "江藤", "小野", "加藤"))]
    control(api, event, "next", from_phase=0)
    host = event["tables"][0]["host_token"]
    first = post_card(api, event, host, "見守りの担い手が足りない").json()["id"]
    control(api, event, "next", from_phase=1)  # ラウンド2: people move
    second = post_card(api, event, host, "空き家を居場所にする").json()["id"]
    third = post_card(api, event, host, "子ども食堂を続けたい").json()["id"]
    board(api, event, open=True, budget=3)
    for person, card_id in ((people[0], first), (people[1], first), (people[2], second),
                            (people[3], second), (people[4], third)):
        voted = api.post(f"/api/v1/sessions/{event['id']}/cards/{card_id}/votes",
                         headers={"Authorization": f"Bearer {person['token']}"})
        assert voted.status_code == 201, voted.text
    board(api, event, revealed=True)
    return event, people


def test_headings_name_the_round_and_the_move_in_the_console_and_the_report(
        server, api, open_page, moved, tmp_path):
    event, _people = moved
    console = open_page(event["urls"]["console"], 1366, 900)
    wait_until_drawn(console)  # no redraw to come
    program = console.locator("#program")
    expect(program.locator(".program__item--current")).to_contain_text(
        "ラウンド2（移動 1回目）：2つ目のテーブルで対話")
    expect(program).to_contain_text("ラウンド1（ホームテーブル）：自己紹介")
    expect(program).to_contain_text("ラウンド4（ホームテーブルに戻る）：聞いたことを共有")
    assert not TWO_NUMBERS.search(program.inner_text())
    expect(program.locator("ol")).to_have_css("list-style-type", "none")  # a push may redraw it
    expect(console.locator("#phase .phase__title")).to_have_text(
        re.compile("^ラウンド2（移動 1回目）：2つ目のテーブルで対話$"))
    program.scroll_into_view_if_needed()
    screenshot(console, "words-console-headings", full_page=False)

    with loopback.Client(base_url=server.url, timeout=seconds(240)) as client:
        report = client.get(f"/api/v1/sessions/{event['id']}/export.report.pdf",
                            headers=facilitator(event))
    assert report.status_code == 200, report.text[:300]
    target = tmp_path / "report.pdf"
    target.write_bytes(report.content)
    text = subprocess.run(["/usr/bin/pdftotext", "-enc", "UTF-8", str(target), "-"],
                          capture_output=True, check=True, timeout=seconds(60)).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    # the programme's rows and the opinions' headings alike
    assert "ラウンド2（移動1回目）：2つ目のテーブルで対話" in flat
    assert "ラウンド1（ホームテーブル）：自己紹介" in flat
    assert not TWO_NUMBERS.search(text)


def test_ranks_are_printed_once_and_the_csv_gives_excels_local_time(
        server, api, open_page, moved):
    event, _people = moved
    console = open_page(event["urls"]["console"], 1366, 900)
    items = console.locator("#board-ranking .ranking__item")
    expect(items).to_have_count(3, timeout=wait_ms())
    # two cards share the first place (two dots each), the third is third
    assert [items.nth(n).locator(".ranking__rank").inner_text() for n in range(3)] == [
        "1", "1", "3"]
    # expect() reads the list again if a push redrew it meanwhile (a detached list has no style)
    expect(console.locator("#board-ranking ol.ranking")).to_have_css("list-style-type", "none")
    assert [items.nth(n).get_attribute("value") for n in range(3)] == ["1", "1", "3"]
    for n in range(3):  # the text shows its rank once: 「1 見守り…」, never 「1. 1 見守り…」
        assert re.match(r"^\d+ \S", items.nth(n).inner_text())
    items.first.scroll_into_view_if_needed()
    screenshot(console, "words-console-ranking", full_page=False)

    with console.expect_download() as download:
        console.get_by_role("link", name="CSV (Excel)").click()
    rows = list(csv.reader(io.StringIO(
        download.value.path().read_bytes().decode("utf-8-sig"), newline="")))
    created = rows[0].index("作成日時")
    assert rows[0][created + 1] == "作成日時（Excel用）"
    for row in rows[1:]:
        iso, local = row[created], row[created + 1]
        assert iso.endswith("+09:00")  # the event's zone, Asia/Tokyo
        assert re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", local)
        assert local == f"{iso[:4]}/{iso[5:7]}/{iso[8:10]} {iso[11:16]}"


def test_a_phone_in_english_on_a_japanese_event_is_offered_english_in_one_tap(
        server, api, open_page):
    event = create_event(api)  # a Japanese event
    phone = open_page(event["urls"]["join"], 390, 844, locale="en-US")
    offer = phone.locator("[data-language-offer]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Show this page in English?")
    box = offer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844  # on the first screen
    expect(phone.locator("main")).to_contain_text("ようこそ")  # still the event's language
    screenshot(phone, "words-join-language-offer", full_page=False)
    offer.get_by_role("link", name="English").click()
    expect(phone.locator("main h1")).to_have_text("市民協働ワークショップ")
    expect(phone.locator("main")).to_contain_text("Your name")
    expect(phone.locator("[data-language-offer]")).to_have_count(0)  # chosen: asked once

    japanese = open_page(event["urls"]["join"], 390, 844, locale="ja-JP")
    expect(japanese.locator("main")).to_contain_text("ようこそ")
    expect(japanese.locator("[data-language-offer]")).to_have_count(0)


def test_console_messages_appear_beside_their_cause_and_the_people_list_is_searchable(
        server, api, open_page, moved):
    event, people = moved
    open_page.allowed.append("status of 4")  # the refused move, on purpose
    console = open_page(event["urls"]["console"], 1366, 900)
    # the socket's first snapshot has landed: a later one would redraw the pieces and undo
    # what is done here
    wait_until_drawn(console)
    # a note: the answer to closing (then reopening) joining right after the joining
    # piece, which the change redraws — not in the run bar at the top
    join_piece = console.locator("#join")
    beside = console.locator("#join + [data-flash-beside]")
    join_piece.locator("button[name=open][value=no]").click()
    expect(beside).to_have_text("参加受付を締め切りました。")
    expect(beside).to_have_attribute("aria-live", "polite")
    expect(console.locator("#flash")).to_have_text("")
    join_piece.locator("button[name=open][value=yes]").click()
    expect(beside).to_have_text("参加受付を再開しました。")
    # the answer can come before the push that redraws the piece: wait for the redrawn one
    expect(join_piece.locator("button[name=open][value=no]")).to_be_visible()
    join_piece.scroll_into_view_if_needed()
    screenshot(console, "words-message-beside-joining", full_page=False)
    # a move that cannot be: the person's row says so, beside the menu that was used
    row = console.locator("#people tr.person").filter(has_text="青木")
    console.evaluate("document.querySelector('#people tr.person select').closest('form')"
                     ".querySelector('[name=phase_index]').value = '0'")  # a round now over
    first_row = console.locator("#people tr.person").first
    other = first_row.locator("select[name=table_id] option:not([selected])").first
    first_row.locator("select[name=table_id]").select_option(other.get_attribute("value"))
    refused = first_row.locator("form.person__menu + [data-flash-beside]")
    expect(refused).to_contain_text("そのラウンドは終了しています")
    expect(refused).to_have_attribute("aria-live", re.compile("polite|assertive"))
    expect(console.locator("#flash")).to_have_text("")

    # the people list: a compact table, a search that filters its rows, a menu per row
    rows = console.locator("#people tr.person")
    expect(rows).to_have_count(len(people))
    search = console.locator("[data-people-search]")
    search.fill("青木")
    expect(rows.filter(visible=True)).to_have_count(1)
    expect(rows.filter(visible=True)).to_contain_text("青木")
    expect(console.locator("[data-people-found]")).to_have_text("該当：1人")
    expect(console.locator("#people .people__table:visible")).to_have_count(1)
    search.fill("市民")  # by affiliation
    expect(rows.filter(visible=True)).to_have_count(len(people))
    search.fill("青木")
    row.locator("details.row-menu summary").click()
    expect(row.get_by_role("button", name="削除")).to_be_visible()
    expect(console.locator("#people").get_by_role("button", name="削除")).to_have_count(1)
    # a push redraws the list: the search still applies
    join(api, event, "青山", theme=event["tables"][0]["theme"], affiliation="npo")
    expect(rows).to_have_count(len(people) + 1, timeout=wait_ms())
    expect(rows.filter(visible=True)).to_have_count(1)
    console.locator("#people").scroll_into_view_if_needed()
    screenshot(console, "words-people-search", full_page=False)
    search.fill("")
    expect(rows.filter(visible=True)).to_have_count(len(people) + 1)


def test_the_grouping_keys_are_explained_in_a_help_that_opens_and_closes(
        server, api, open_page, moved):
    event, _people = moved
    board(api, event, view="group")
    console = open_page(event["urls"]["console"], 1366, 900)
    help_ = console.locator("[data-shortcuts-help]")
    expect(help_).to_be_visible(timeout=wait_ms())
    explanation = help_.locator("p").first
    expect(explanation).to_be_hidden()  # one line until asked
    help_.locator("summary").click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("番号キー")
    make_groups(api, event, ["見守り"])  # a push redraws the rail the help sits in
    added = console.locator("#board .rail__name", has_text="見守り")
    expect(added).to_be_visible(timeout=wait_ms())
    expect(explanation).to_be_visible()  # the push kept it open
    help_.scroll_into_view_if_needed()
    screenshot(console, "words-shortcuts-help", full_page=False)
    help_.get_by_role("button", name=re.compile("キー一覧")).click()
    expect(console.locator("#shortcuts")).to_be_visible()
    console.keyboard.press("Escape")
    help_.locator("summary").click()
    expect(explanation).to_be_hidden()
