"""The export builders (app/documents/exports.py) on a EventView made in memory: rows,
CSV, Markdown, JSON, the A3 landscape PDF with its table and group sheets, and the board
as one PNG."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from app import rounds
from app.documents import exports
from app.i18n import translate
from app.live import changes
from app.live.view import EventView
from app.store.models import CafeTable, CardGroup, EventSession, Participant, Vote
from app.store.records import (
    CardRecord,
    EventRecord,
    GroupRecord,
    GroupVoteRecord,
    PersonRecord,
    TableRecord,
    VoteRecord,
    record_of,
)
from tests.fixtures.documents import T0, card_model

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCRIPT = "<script>alert('x')</script> & <b>太字</b>"


def ja(message: str) -> str:
    """A message in Japanese, as the catalog has it (new messages may still be English)."""
    return translate("ja", message)


def make_view(language: str = "ja", **details) -> EventView:
    event = EventSession(id="s1", title="協働ワーキング 2026", language=language,
                         join_code="ABCD", facilitator_token="f", projector_token="p",
                         created_at_ms=T0, **details)
    tables = [CafeTable(id=1, session_id="s1", number=1, name="テーブル1",
                        theme="高齢者を地域で支え合う", host_token="h1"),
              CafeTable(id=2, session_id="s1", number=2, name="テーブル2",
                        theme="子どもの成長を地域で支える", host_token="h2")]
    program = [rounds.PhaseSpec("intro", "自己紹介", 10),
               rounds.PhaseSpec("conversation", "対話", 20)]
    people = [Participant(id=1, session_id="s1", name="山田花子", affiliation="citizen",
                          token="t1", joined_at_ms=T0 + 5, expectation="地域の人とつながりたい"),
              Participant(id=2, session_id="s1", name="鈴木一郎", affiliation="city",
                          token="t2", joined_at_ms=T0),
              Participant(id=3, session_id="s1", name="佐藤三郎", affiliation="npo",
                          token="t3", joined_at_ms=T0 + 1, expectation="<b>活動</b>を知ってほしい")]
    cards = [
        card_model(1, "見守りの輪を広げたい", 1, 0, group_id=7),
        card_model(2, SCRIPT, 1, 1, person=2),
        card_model(3, "=HYPERLINK(\"http://evil\")", 2, 0),
        card_model(4, "隠されたカード", 2, 1, hidden=True),
        card_model(5, "ホストのメモ", 2, 1, kind="host", person=None),
        card_model(6, "-1 も +1 も @here も", 2, 1, person=2),
    ]
    groups = [CardGroup(id=7, session_id="s1", name="地域の見守り", created_at_ms=T0)]
    votes = [Vote(id=1, session_id="s1", participant_id=2, card_id=cards[0].id, dots=2),
             Vote(id=2, session_id="s1", participant_id=1, card_id=cards[3].id, dots=1)]
    return EventView(record_of(EventRecord, event), [record_of(TableRecord, t) for t in tables],
                     program, rounds.ClockState(),
                     [record_of(PersonRecord, p) for p in people],
                     groups=[record_of(GroupRecord, g) for g in groups],
                     cards=[record_of(CardRecord, c) for c in cards],
                     votes=[record_of(VoteRecord, v) for v in votes])


def test_rows_leave_out_hidden_cards_and_never_name_the_author():
    rows = exports.export_rows(make_view())
    assert [r.text for r in rows][0] == "見守りの輪を広げたい"
    assert "隠されたカード" not in [r.text for r in rows]
    assert len(rows) == 5
    first = rows[0]
    assert (first.table_number, first.theme, first.phase_title) == (
        1, "高齢者を地域で支え合う", "ラウンド1（ホームテーブル）：自己紹介")
    assert (first.affiliation, first.group, first.votes) == ("市民", "地域の見守り", 2)
    assert first.created_at.startswith("2026-")
    host = next(r for r in rows if r.author_kind == "host")
    assert host.affiliation == "テーブルホスト"
    everything = repr(rows)
    assert "山田" not in everything and "鈴木" not in everything


def test_a_hidden_cards_votes_are_not_counted():
    rows = exports.export_rows(make_view())
    assert sum(r.votes for r in rows) == 2


def test_csv_has_a_bom_crlf_japanese_headers_and_guards_formulas():
    data = exports.export(make_view(), "csv", now_ms=T0)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0][:4] == ["カード", "テーブル番号", "テーブル", "テーマ"]
    cells = {row[0] for row in table[1:]}
    assert SCRIPT in cells  # stored as written; a CSV cell is plain text
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert "'-1 も +1 も @here も" in cells
    assert "隠されたカード" not in text and "山田" not in text


def test_csv_headers_follow_the_event_language():
    text = exports.export(make_view("en"), "csv", now_ms=T0).decode("utf-8-sig")
    assert text.startswith("Card,Table no.,Table,Theme,Phase no.,Phase,Affiliation,Group,")
    assert "table host" in text and "Citizen" in text


def test_markdown_is_by_table_then_phase_and_escapes_html():
    text = exports.export(make_view(), "md", now_ms=T0).decode("utf-8")
    assert text.startswith("# 協働ワーキング 2026\n")
    assert text.index("## 1. テーブル1") < text.index(
        "### ラウンド1（ホームテーブル）：自己紹介") < text.index(
        "### ラウンド2（ホームテーブル）：対話") < text.index("## 2. テーブル2")
    assert "テーマ: 高齢者を地域で支え合う" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "隠されたカード" not in text and "山田" not in text


def test_json_has_the_documented_shape():
    body = json.loads(exports.export(make_view(), "json", now_ms=T0))
    assert body["format"] == "worldcafe-export" and body["version"] == 1
    assert body["session"]["title"] == "協働ワーキング 2026"
    assert [t["theme"] for t in body["tables"]][0] == "高齢者を地域で支え合う"
    card = body["cards"][0]
    assert {k: card[k] for k in ("text", "table_number", "theme", "phase_index", "phase_title",
                                 "affiliation", "affiliation_label", "group", "votes")} == {
        "text": "見守りの輪を広げたい", "table_number": 1, "theme": "高齢者を地域で支え合う",
        "phase_index": 0, "phase_title": "ラウンド1（ホームテーブル）：自己紹介",
        "affiliation": "citizen",
        "affiliation_label": "市民", "group": "地域の見守り", "votes": 2}
    assert "participant_id" not in card and "name" not in card
    assert SCRIPT in [c["text"] for c in body["cards"]]
    assert len(body["cards"]) == 5


def test_the_file_name_keeps_the_title_with_an_ascii_fallback():
    header = exports.content_disposition(make_view(), "csv")
    assert header.startswith('attachment; filename="worldcafe-s1-')
    assert "filename*=UTF-8''%E5%8D%94%E5%83%8D" in header
    header.encode("latin-1")  # a valid HTTP header value


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError):
        exports.export(make_view(), "xlsx")


def test_the_board_html_escapes_card_text():
    view = make_view()
    document = exports.board_html(view, exports.export_rows(view), "ja", "now")
    assert "<script>alert" not in document and "&lt;script&gt;alert" in document


def test_the_pdf_is_a3_landscape_and_the_png_decodes():
    pypdfium2 = pytest.importorskip("pypdfium2")
    view = make_view()
    pdf = exports.export(view, "pdf", now_ms=T0)
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    width, height = document[0].get_size()
    assert width == pytest.approx(1190.55, abs=1) and height == pytest.approx(841.89, abs=1)
    page_text = document[0].get_textpage().get_text_range().replace("\r\n", "")
    assert "高齢者を地域で支え合う" in page_text and "<script>alert('x')</script>" in page_text
    assert "&lt;" not in page_text
    assert "隠されたカード" not in page_text and "山田" not in page_text
    document.close()
    png = exports.export(view, "png", now_ms=T0)
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1786
    assert 200 < image.height < 1263  # two small tables: cropped well short of an A3 page
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "export-board-unit.png").write_bytes(png)


def _voted(view: EventView) -> EventView:
    """make_view's event with more dots: 見守り (2) and the -1 card (2) share the first place,
    the formula card (1) is third; the hidden card's dot counts for nothing."""
    cards = {c.text: c.id for c in view.all_cards}
    for person, text, dots in ((1, "-1 も +1 も @here も", 2), (2, '=HYPERLINK("http://evil")', 1)):
        view.apply(changes.DotsChanged(VoteRecord(person, cards[text], dots)))
    return view


def test_the_csv_ranks_cards_by_dots_and_leaves_the_rank_of_a_card_without_dots_empty():
    text = exports.export(_voted(make_view()), "csv", now_ms=T0).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0][7:11] == ["グループ", "投票数", ja("Rank"), "作成日時"]
    ranks = {row[0]: (row[8], row[9]) for row in table[1:]}
    assert ranks == {"見守りの輪を広げたい": ("2", "1"), "'-1 も +1 も @here も": ("2", "1"),
                     "'=HYPERLINK(\"http://evil\")": ("1", "3"), SCRIPT: ("0", ""),
                     "ホストのメモ": ("0", "")}
    english = exports.export(make_view("en"), "csv", now_ms=T0).decode("utf-8-sig")
    assert english.startswith("Card,Table no.,Table,Theme,Phase no.,Phase,Affiliation,Group,"
                              "Votes,Rank,Created,Created (local time),Weight,Group votes,"
                              "Group rank\r\n")


def test_the_csv_gives_each_time_again_as_excel_reads_it_in_the_events_time_zone():
    view = make_view()
    at = 1_796_631_432_000  # 2026-12-07T08:17:12Z
    assert exports.local_iso(view, at) == "2026-12-07T17:17:12+09:00"
    assert exports.local_clock(view, at) == "2026/12/07 17:17"
    table = list(csv.reader(io.StringIO(
        exports.export(view, "csv", now_ms=T0).decode("utf-8-sig"), newline="")))
    created = table[0].index("作成日時")
    assert table[0][created + 1] == "作成日時（Excel用）"
    for row in table[1:]:
        iso = row[created]
        assert row[created + 1] == f"{iso[:4]}/{iso[5:7]}/{iso[8:10]} {iso[11:16]}"


def _header_line(view: EventView, now_ms: int) -> str:
    return exports.export(view, "md", now_ms=now_ms).decode("utf-8").split("\n")[2]


def test_the_markdown_header_is_one_line_that_names_the_day_once():
    view = make_view(date="2026-12-02", start_time="13:30", venue="市民会館 大会議室")
    morning = 1_796_173_200_000  # 2026-12-02 10:00 in Tokyo
    assert _header_line(view, morning) == "2026-12-02 13:30 · 市民会館 大会議室 · 10:00 出力"
    next_day = morning + 86_400_000
    assert _header_line(view, next_day) == (
        "2026-12-02 13:30 · 市民会館 大会議室 · 2026-12-03 10:00 出力")
    bare = make_view()  # no date, time or venue: the day it was made
    day = exports.event_day(bare)
    line = _header_line(bare, T0)
    assert line.startswith(f"{day} · ") and line.count(day) == 1 and line.endswith(" 出力")


def _grouped(view: EventView, layout: str = "table") -> EventView:
    """Three groups made in the order 見守り (7), 子ども (8), 発信 (9): 子ども gets the most
    dots, 発信 none; two cards stay in no group."""
    view.apply(changes.GroupSaved(GroupRecord(8, "子どもの居場所", T0 + 1), created=True))
    view.apply(changes.GroupSaved(GroupRecord(9, "情報発信", T0 + 2), created=True))
    by_text = {c.text: c for c in view.all_cards}
    for text, group in (("-1 も +1 も @here も", 8), ("ホストのメモ", 8), (SCRIPT, 9)):
        view.apply(changes.CardGrouped(replace(by_text[text], group_id=group)))
    view.apply(changes.DotsChanged(VoteRecord(1, by_text["ホストのメモ"].id, 3)))
    view.apply(changes.LayoutChosen(layout))
    return view


def test_the_group_summary_is_ordered_by_dots_with_each_groups_cards():
    view = _grouped(make_view())
    summary = exports.group_summary(view, exports.export_rows(view))
    assert [(s.group.name if s.group else None, s.count, s.dots) for s in summary] == [
        ("子どもの居場所", 2, 3), ("地域の見守り", 1, 2), ("情報発信", 1, 0), (None, 1, 0)]
    assert [r.text for r in summary[0].rows] == ["ホストのメモ", "-1 も +1 も @here も"]
    plain = _without_groups(make_view())
    assert exports.group_summary(plain, exports.export_rows(plain)) == []

    text = exports.export(view, "md", now_ms=T0).decode("utf-8")
    groups = text[text.index(f"## {ja(exports.GROUPS_LABEL)}\n"):
                  text.index(f"## {ja(exports.RANKING_LABEL)}\n")]
    assert groups.index("### 子どもの居場所\n\n2枚 · 3票") < groups.index(
        "### 地域の見守り\n\n1枚 · 2票") < groups.index("### 情報発信\n\n1枚 · 0票") < groups.index(
        "### 未分類のカード\n\n1枚\n")
    assert "- ホストのメモ (2. テーブル2 · テーブルホスト · 3票)" in groups
    ranking = text[text.index(f"## {ja(exports.RANKING_LABEL)}\n"):]
    assert "| 1 | ホストのメモ | 3 | 2. テーブル2 | 子どもの居場所 |" in ranking
    assert "| 2 | 見守りの輪を広げたい | 2 | 1. テーブル1 | 地域の見守り |" in ranking

    body = json.loads(exports.export(view, "json", now_ms=T0))
    assert body["vote_on"] == "cards"
    assert body["groups"] == [
        {"id": 7, "name": "地域の見守り", "card_count": 1, "dots": 2, "rank": None},
        {"id": 8, "name": "子どもの居場所", "card_count": 2, "dots": 3, "rank": None},
        {"id": 9, "name": "情報発信", "card_count": 1, "dots": 0, "rank": None}]
    assert {c["text"]: c["rank"] for c in body["cards"]}["ホストのメモ"] == 1
    assert not {"group_votes", "group_rank"} & body["cards"][0].keys()  # on the groups


def _voted_on_groups(view: EventView) -> EventView:
    """_grouped's groups in an event that votes on groups: 子ども 3 dots, 見守り 1, 情報発信
    1 (shares the second place), no dot on any card."""
    view = _grouped(view)
    for card_id in view.vote_counts():
        for voter in view.voters_of(card_id):
            view.apply(changes.DotsChanged(VoteRecord(voter, card_id, 0)))
    for voter, group_id, dots in ((1, 8, 2), (2, 8, 1), (2, 7, 1), (3, 9, 1)):
        view.apply(changes.GroupDotsChanged(GroupVoteRecord(voter, group_id, dots)))
    return view


def test_an_event_that_voted_on_groups_exports_the_groups_ranking_and_their_dots():
    view = _voted_on_groups(make_view(vote_on="groups"))
    assert view.vote_counts() == {} and view.vote_on == "groups"
    text = exports.export(view, "csv", now_ms=T0).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0][13:] == ["グループの投票数", "グループの順位"]
    figures = {row[0]: (row[7], row[8], row[9], row[13], row[14]) for row in table[1:]}
    assert figures == {"見守りの輪を広げたい": ("地域の見守り", "0", "", "1", "2"),
                       "'-1 も +1 も @here も": ("子どもの居場所", "0", "", "3", "1"),
                       "ホストのメモ": ("子どもの居場所", "0", "", "3", "1"),
                       SCRIPT: ("情報発信", "0", "", "1", "2"),
                       "'=HYPERLINK(\"http://evil\")": ("", "0", "", "0", "")}

    markdown = exports.export(view, "md", now_ms=T0).decode("utf-8")
    ranking = markdown[markdown.index(f"## {ja(exports.RANKING_LABEL)}\n"):]
    assert "| 順位 | グループ | 投票数 | カード枚数 |" in ranking
    rows = [line for line in ranking.split("\n") if line.startswith("| ") and line[2].isdigit()]
    assert rows == ["| 1 | 子どもの居場所 | 3 | 2 |", "| 2 | 地域の見守り | 1 | 1 |",
                    "| 2 | 情報発信 | 1 | 1 |"]
    assert "### 子どもの居場所\n\n2枚 · 3票 · 1位" in markdown

    body = json.loads(exports.export(view, "json", now_ms=T0))
    assert body["vote_on"] == "groups"
    assert [(g["name"], g["dots"], g["rank"]) for g in body["groups"]] == [
        ("地域の見守り", 1, 2), ("子どもの居場所", 3, 1), ("情報発信", 1, 2)]
    assert {c["votes"] for c in body["cards"]} == {0}

    html_text = exports.board_html(view, exports.export_rows(view), "ja", "2026-01-01T10:00")
    assert '<span class="dots">●3</span> · <span class="rank">1位</span>' in html_text


def _without_groups(view: EventView) -> EventView:
    view.apply(changes.GroupDeleted(7))
    return view


def test_the_markdown_without_groups_or_dots_has_no_such_sections():
    view = _without_groups(make_view())
    view.apply(changes.DotsChanged(VoteRecord(2, view.all_cards[0].id, 0)))
    text = exports.export(view, "md", now_ms=T0).decode("utf-8")
    assert f"## {ja(exports.GROUPS_LABEL)}" not in text
    assert f"## {ja(exports.RANKING_LABEL)}" not in text


def test_the_self_introductions_come_last_in_join_order_and_without_names():
    text = exports.export(make_view(), "md", now_ms=T0).decode("utf-8")
    last = text[text.rindex("\n## "):]
    assert last == (f"\n## {ja(exports.EXPECTATIONS_LABEL)}\n\n"
                    "- &lt;b&gt;活動&lt;/b&gt;を知ってほしい\n- 地域の人とつながりたい\n")
    body = json.loads(exports.export(make_view(), "json", now_ms=T0))
    assert body["expectations"] == ["<b>活動</b>を知ってほしい", "地域の人とつながりたい"]
    for name in ("山田", "鈴木", "佐藤"):
        assert name not in text and name not in json.dumps(body, ensure_ascii=False)


def test_the_pdf_has_the_group_sheets_whatever_the_board_shows_and_the_png_its_layout():
    plain = _without_groups(make_view())
    assert exports.sheet_layouts(plain) == ("table",)
    assert exports.sheet_layouts(plain, picture=True) == ("table",)
    plain.apply(changes.LayoutChosen("group"))  # the group layout without groups: tables
    assert exports.sheet_layouts(plain, picture=True) == ("table",)
    for layout in ("table", "phase", "theme", "group"):
        view = _grouped(make_view(), layout)
        assert exports.sheet_layouts(view) == ("table", "group")
        assert exports.sheet_layouts(view, picture=True) == (
            ("group",) if layout == "group" else ("table",))
    view = _grouped(make_view(), "group")
    picture = exports.board_html(view, exports.export_rows(view), "ja", "now", picture=True)
    assert "子どもの居場所" in picture and "テーブル1</span>" not in picture
    assert "counter(page)" not in picture and "420mm 2822" in picture


def _page_texts(pdf: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def test_the_pdf_has_a_sheet_per_group_after_the_table_sheets_by_dots():
    pytest.importorskip("pypdfium2")
    view = _grouped(make_view())
    texts = _page_texts(exports.export(view, "pdf", now_ms=T0))
    assert len(texts) == 5  # the two tables on one page, three groups, the cards in none
    assert "1. テーブル1" in texts[0] and "2. テーブル2" in texts[0]
    assert [t.split("\n")[0] for t in texts[1:]] == [
        "子どもの居場所 2枚 · ●3", "地域の見守り 1枚 · ●2", "情報発信 1枚 · ●0",
        "未分類のカード 1枚"]
    most = texts[1].replace("\n", "")  # the most dotted card first, with its table
    assert most.index("ホストのメモ ●3 テーブル2 · テーブルホスト") < most.index("-1 も +1 も")
    assert texts[-1].rstrip().endswith("5 / 5")


def _big_view(n_cards: int, layout: str) -> EventView:
    """Six tables, five groups and n cards of varied length, a fifth of them in no group."""
    view = make_view()
    texts = ("見守りの輪を広げたい", "空き家を子どもの居場所にして、放課後に集まれる場所をつくる",
             "商店街と学校をつなぐ", "SNS で若い世代に発信する", "防災訓練を地域ぐるみで")
    groups = [GroupRecord(20 + n, f"グループ{n}", T0 + n) for n in range(5)]
    cards = [record_of(CardRecord, card_model(100 + n, f"{texts[n % 5]}（{n}）", 1 + n % 2, n % 2,
                                              group_id=None if n % 5 == 4 else 20 + n % 4))
             for n in range(n_cards)]
    return EventView(replace(view.event, board_layout=layout), view.tables, view.program,
                     view.clock, view.participants, groups=groups, cards=cards,
                     votes=[VoteRecord(1, cards[0].id, 2)])


def _white_rows_at_bottom(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    ink = image.point(lambda value: 255 if value < 250 else 0).getbbox()
    return image.height - (ink[3] if ink else 0)


def test_the_png_is_one_picture_cropped_below_the_board():
    pytest.importorskip("pypdfium2")
    from PIL import Image

    view = _big_view(100, "group")
    rows = exports.export_rows(view)
    document = exports.picture_document(view, rows, "ja", "now")
    assert len(document.pages) == 1
    cards = {name for name in document.pages[0].anchors if name.startswith("card-")}
    assert cards == {f"card-{row.id}" for row in rows}
    png = exports.to_png(document)
    image = Image.open(io.BytesIO(png))
    assert image.width == 1786 and 1263 < image.height < exports.PNG_MAX_HEIGHT_PX
    assert 40 < _white_rows_at_bottom(png) < 80  # the 12 mm margin (51 px), no empty page


def test_a_board_taller_than_the_picture_leaves_cards_out_and_says_how_many(monkeypatch):
    pytest.importorskip("pypdfium2")
    monkeypatch.setattr(exports, "PNG_PAGE_HEIGHT_MM", 300)
    view = _big_view(100, "table")
    rows = exports.export_rows(view)
    document = exports.picture_document(view, rows, "ja", "now")
    assert len(document.pages) == 1
    shown = [name for name in document.pages[0].anchors if name.startswith("card-")]
    assert 10 < len(shown) < 100
    notice = translate("ja", ("%(shown)s of %(num)s card in this picture; the PDF has them all.",
                              "%(shown)s of %(num)s cards in this picture; the PDF has them all."),
                       num=100, shown=len(shown))
    assert notice in _page_texts(document.write_pdf())[0].replace("\n", "")


def test_the_command_will_not_write_a_pdf_to_a_terminal(monkeypatch, capsys, tmp_path):
    from app import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("WORLDCAFE_DATABASE_URL", "sqlite:///unused.db")  # restored after
    monkeypatch.setattr("sys.stdout", Terminal())
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert cli.main(["export", "s1", "--format", "pdf", "--database-url", missing]) == 2
    assert "-o FILE" in capsys.readouterr().err
    assert cli.main(["export", "s1", "--format", "csv", "--database-url", missing]) == 1
    assert "no database" in capsys.readouterr().err
