"""The export builders (app/exports.py) on a SessionView made in memory: rows, CSV, Markdown,
JSON, and the A3 landscape PDF and its PNG."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app import exports, rounds
from app.models import CafeTable, Card, CardGroup, EventSession, Participant, Vote
from app.records import (
    CardRecord,
    EventRecord,
    GroupRecord,
    PersonRecord,
    TableRecord,
    VoteRecord,
    record_of,
)
from app.view import SessionView

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
T0 = 1_790_000_000_000
SCRIPT = "<script>alert('x')</script> & <b>太字</b>"


def _card(n: int, text: str, table_id: int, phase: int, kind: str = "participant",
          person: int | None = 1, **extra) -> Card:
    return Card(id=f"00000000-0000-4000-8000-{n:012d}", session_id="s1", table_id=table_id,
                phase_index=phase, author_kind=kind, participant_id=person, text=text,
                colour=("yellow", "pink", "blue")[phase % 3], created_at_ms=T0 + n * 1000,
                **extra)


def make_view(language: str = "ja") -> SessionView:
    event = EventSession(id="s1", title="協働ワーキング 2026", language=language,
                         join_code="ABCD", facilitator_token="f", projector_token="p",
                         created_at_ms=T0)
    tables = [CafeTable(id=1, session_id="s1", number=1, name="テーブル1",
                        theme="高齢者を地域で支え合う", host_token="h1"),
              CafeTable(id=2, session_id="s1", number=2, name="テーブル2",
                        theme="子どもの成長を地域で支える", host_token="h2")]
    program = [rounds.PhaseSpec("intro", "自己紹介", 10),
               rounds.PhaseSpec("conversation", "対話", 20)]
    people = [Participant(id=1, session_id="s1", name="山田花子", affiliation="citizen",
                          token="t1", joined_at_ms=T0),
              Participant(id=2, session_id="s1", name="鈴木一郎", affiliation="city",
                          token="t2", joined_at_ms=T0)]
    cards = [
        _card(1, "見守りの輪を広げたい", 1, 0, group_id=7),
        _card(2, SCRIPT, 1, 1, person=2),
        _card(3, "=HYPERLINK(\"http://evil\")", 2, 0),
        _card(4, "隠されたカード", 2, 1, hidden=True),
        _card(5, "ホストのメモ", 2, 1, kind="host", person=None),
        _card(6, "-1 も +1 も @here も", 2, 1, person=2),
    ]
    groups = [CardGroup(id=7, session_id="s1", name="地域の見守り", created_at_ms=T0)]
    votes = [Vote(id=1, session_id="s1", participant_id=2, card_id=cards[0].id, dots=2),
             Vote(id=2, session_id="s1", participant_id=1, card_id=cards[3].id, dots=1)]
    return SessionView(record_of(EventRecord, event), [record_of(TableRecord, t) for t in tables],
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
    assert (first.table_number, first.theme, first.phase_title) == (1, "高齢者を地域で支え合う",
                                                                    "自己紹介")
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
    assert text.index("## 1. テーブル1") < text.index("### 1. 自己紹介") < text.index(
        "### 2. 対話") < text.index("## 2. テーブル2")
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
        "phase_index": 0, "phase_title": "自己紹介", "affiliation": "citizen",
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
    png = exports.to_png(pdf)
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > image.height > 1000
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "export-board-unit.png").write_bytes(png)


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
