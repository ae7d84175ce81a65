"""Exports against a real server: every format by the facilitator's bearer token, refusals
for other tokens, `worldcafe export` reading the database the server wrote, and the board
exports of a realistic event (five tables, 100 cards, five groups, dots): the PNG as one
picture of the groups, a PDF page per group, the CSV's group and rank columns."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import uuid
from pathlib import Path
from urllib.parse import unquote

import pypdfium2
import pytest
from PIL import Image

from app.i18n import translate
from tests.fixtures import loopback
from tests.fixtures.api import THEMES, bearer, control, create_event, join, open_link
from tests.fixtures.printed import export_command
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds

SCRIPT = "<script>alert('x')</script> 見守りの輪"


def _card(client, event, token, text) -> dict:
    response = client.post(f"/api/v1/sessions/{event['id']}/cards",
                           json={"id": str(uuid.uuid4()), "text": text}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def harvest(server):
    """An event with a host card, a participant's card, a formula and a hidden card."""

    with loopback.Client(base_url=server.url, timeout=seconds(30)) as client:
        event = create_event(client)
        person = join(client, event, name="山田花子", affiliation="npo",
                      theme=event_theme(client, event)).json()
        _card(client, event, event["tables"][0]["host_token"], SCRIPT)
        _card(client, event, person["token"], "子ども食堂を続けたい")
        _card(client, event, person["token"], "=1+2")
        secret = _card(client, event, event["tables"][0]["host_token"], "隠すカード")
        hidden = client.patch(f"/api/v1/sessions/{event['id']}/cards/{secret['id']}",
                              json={"hidden": True},
                              headers=bearer(event["facilitator_token"]))
        assert hidden.status_code == 200, hidden.text
        yield server, client, event


def event_theme(client, event) -> str:
    body = client.get(f"/api/v1/sessions/{event['id']}",
                      headers=bearer(event["facilitator_token"])).json()
    return body["tables"][1]["theme"]


def _export(client, event, fmt, token=None):
    return client.get(f"/api/v1/sessions/{event['id']}/export.{fmt}",
                      headers=bearer(token or event["facilitator_token"]))


def test_every_format_downloads_with_its_type_and_a_japanese_file_name(harvest):
    _server, client, event = harvest
    expected = {"csv": "text/csv", "md": "text/markdown", "json": "application/json",
                "pdf": "application/pdf", "png": "image/png"}
    bodies = {}
    for fmt, media_type in expected.items():
        response = _export(client, event, fmt)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type)
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="worldcafe-')
        name = unquote(disposition.split("filename*=UTF-8''")[1])
        assert name.startswith("市民協働ワークショップ-") and name.endswith(f".{fmt}")
        bodies[fmt] = response.content

    text = bodies["csv"].decode("utf-8")
    assert bodies["csv"].startswith(b"\xef\xbb\xbf") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0][0] == "カード"
    cells = {row[0]: row for row in rows[1:]}
    assert set(cells) == {SCRIPT, "子ども食堂を続けたい", "'=1+2"}
    assert cells[SCRIPT][6] == "テーブルホスト" and cells["子ども食堂を続けたい"][6] == "NPO"
    assert "山田" not in text and "隠すカード" not in text

    markdown = bodies["md"].decode("utf-8")
    assert "&lt;script&gt;" in markdown and "<script>" not in markdown

    body = json.loads(bodies["json"])
    assert body["format"] == "worldcafe-export" and len(body["cards"]) == 3
    assert SCRIPT in [c["text"] for c in body["cards"]]

    pdf = pypdfium2.PdfDocument(bodies["pdf"])
    width, height = pdf[0].get_size()
    assert width == pytest.approx(1190.55, abs=1) and height == pytest.approx(841.89, abs=1)
    pdf.close()
    image = Image.open(io.BytesIO(bodies["png"]))
    image.load()
    assert image.format == "PNG" and image.width > image.height


def test_only_the_facilitator_may_export(harvest):
    _server, client, event = harvest
    url = f"/api/v1/sessions/{event['id']}/export.csv"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("not-a-token")).status_code == 401
    for token in (event["projector_token"], event["tables"][0]["host_token"]):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 403, response.text
        assert response.json()["error"]["message"]
    unknown = _export(client, event, "xlsx")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_format"
    page = f"/f/{event['id']}/export.csv"
    assert client.get(page).status_code == 401
    entered = open_link(client, f"{page}?token={event['facilitator_token']}")
    assert entered.status_code == 200 and entered.url.path == page
    assert entered.content.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/f/{event['id']}/export.doc").status_code == 404


def test_the_export_command_reads_the_servers_database(harvest, tmp_path):
    server, _client, event = harvest
    url = server.database_url
    csv_out = export_command(event["id"], "--format", "csv", "--database-url", url)
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout.startswith(b"\xef\xbb\xbf")
    assert "子ども食堂を続けたい" in csv_out.stdout.decode("utf-8")

    target = tmp_path / "board.pdf"
    pdf_out = export_command(event["id"], "--format", "pdf", "-o", str(target),
                             "--database-url", url)
    assert pdf_out.returncode == 0, pdf_out.stderr
    assert target.read_bytes().startswith(b"%PDF")

    missing = export_command("no-such-event", "--format", "json", "--database-url", url)
    assert missing.returncode == 1 and b"no-such-event" in missing.stderr
    assert missing.stdout == b""
    nowhere = export_command(event["id"], "--database-url", f"sqlite:///{tmp_path / 'none.db'}")
    assert nowhere.returncode == 1 and b"no database" in nowhere.stderr
    assert not (tmp_path / "none.db").exists()


# --- the board exports of a realistic event ------------------------------------------------

ARTIFACTS = ROOT / "test-artifacts"
GROUPS = ("地域の見守り", "子どもの居場所", "情報発信", "担い手づくり", "防災と日常")
PHRASES = ("見守りの輪を広げたい", "空き家を子どもの居場所にして放課後に集まれる場所をつくる",
           "商店街と学校をつなぐ", "高齢者の知恵を子どもへ", "SNS で若い世代に発信する",
           "防災訓練を地域ぐるみで行い、顔の見える関係をつくる", "ボランティアの担い手不足",
           "公園をもっと使いやすく", "町内会の回覧板をデジタルに", "子ども食堂を続けたい",
           "移動販売で買い物を支える", "大学生と地域の協働", "空き店舗でチャレンジショップ",
           "介護する家族の居場所", "多文化共生のイベント", "地元の祭りを次の世代へ",
           "通学路の見守り", "図書館を地域の拠点に", "子育て世代の交流", "市の情報をわかりやすく")
AFFILIATIONS = ("citizen", "city", "npo", "business", "community")
A3_PAGE_PX = 1263
"""An A3 landscape page at the PNG's 1.5 px/pt: what a stack of PDF pages is made of."""
PNG_WIDTH_PX = 1786
SHEET_EDGE_X = 57
"""A column of the PNG inside the sheets' left padding (13.5 mm from the edge)."""


@pytest.fixture(scope="module")
def gathering(server):
    """Five tables, fifteen people (twelve with a self-introduction), 100 cards written at
    the tables, five groups holding five cards of every six, three dots per person; the
    board in the group layout. Also the dots and group each card should show."""

    with loopback.Client(base_url=server.url, timeout=seconds(30)) as client:
        tables = [{"name": f"テーブル{n}", "theme": THEMES[n % 3]} for n in range(1, 6)]
        event = create_event(client, title="市民協働ワークショップ 2026", tables=tables,
                             date="2026-12-02", start_time="13:30", venue="市民会館 大会議室")
        people = []
        for n in range(15):
            expectation = {"expectation": f"地域のことを知りたい（{n}）"} if n % 5 else {}
            answer = join(client, event, name=f"参加者{n}", affiliation=AFFILIATIONS[n % 5],
                          theme=THEMES[n % 3], **expectation)
            assert answer.status_code == 201, answer.text
            people.append(answer.json())
        tokens = [t["host_token"] for t in event["tables"]] + [p["token"] for p in people]
        texts = [f"{PHRASES[n % len(PHRASES)]}（{n + 1}）" for n in range(100)]
        ids = []
        for n, text in enumerate(texts):  # five cards a token: within its rate
            if n in (40, 75):  # the next phase: its cards get the next colour
                assert control(client, event, "next").status_code == 200
            ids.append(_card(client, event, tokens[n % len(tokens)], text)["id"])
        host = bearer(event["facilitator_token"])
        base = f"/api/v1/sessions/{event['id']}"
        group_ids = []
        for name in GROUPS:
            created = client.post(f"{base}/groups", json={"name": name}, headers=host)
            assert created.status_code == 201, created.text
            group_ids.append(created.json()["id"])
        group_of = {}
        for n, card_id in enumerate(ids):
            if n % 6 < 5:
                moved = client.patch(f"{base}/cards/{card_id}",
                                     json={"group_id": group_ids[n % 6]}, headers=host)
                assert moved.status_code == 200, moved.text
                group_of[texts[n]] = GROUPS[n % 6]
        opened = client.patch(f"{base}/board", json={"open": True}, headers=host)
        assert opened.status_code == 200, opened.text
        dots = dict.fromkeys(texts, 0)
        for n, person in enumerate(people):
            for choice in (n % 4, (n * 7) % 100, (n * 13 + 5) % 100):
                vote = client.post(f"{base}/cards/{ids[choice]}/votes",
                                   headers=bearer(person["token"]))
                assert vote.status_code == 201, vote.text
                dots[texts[choice]] += 1
        shown = client.patch(f"{base}/board", json={"view": "group", "revealed": True},
                             headers=host)
        assert shown.status_code == 200, shown.text
        yield client, event, texts, group_of, dots


def _group_order(group_of: dict, dots: dict) -> list[str]:
    """The groups, most dots first; equal dots in the order they were made."""
    totals = {name: sum(dots[text] for text, group in group_of.items() if group == name)
              for name in GROUPS}
    return sorted(GROUPS, key=lambda name: -totals[name])


def _ink_runs(image: Image.Image, x: int) -> list[tuple[int, int]]:
    """[(top, bottom)] of the runs of non-white pixels down column x."""
    column = image.convert("L").crop((x, 0, x + 1, image.height)).tobytes()
    runs, top = [], None
    for y, value in enumerate(column):
        if value < 250 and top is None:
            top = y
        elif value >= 250 and top is not None:
            runs.append((top, y))
            top = None
    if top is not None:
        runs.append((top, image.height))
    return runs


def test_the_png_is_the_grouped_board_as_one_picture(gathering):
    """Down the sheets' left edge the picture is sheet after sheet, one per group and one
    for the cards in none, with only the 6 mm gap between them: a page break would leave
    at least the 26 mm of two page margins (and the stacked pages, their footers)."""
    client, event, _texts, _group_of, _dots = gathering
    response = _export(client, event, "png")
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    image.load()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "board.png").write_bytes(response.content)
    assert image.width == PNG_WIDTH_PX and A3_PAGE_PX < image.height <= 12000

    sheets = [run for run in _ink_runs(image, SHEET_EDGE_X) if run[1] - run[0] > 100]
    assert len(sheets) == len(GROUPS) + 1
    gaps = [below[0] - above[1] for above, below in zip(sheets, sheets[1:], strict=False)]
    assert max(gaps) < 10 * 4.25, gaps  # 10 mm at 1.5 px/pt
    assert image.height - sheets[-1][1] < 80  # the 12 mm margin below, no empty page


def _pdf_pages(pdf: bytes, folder: Path) -> list[str]:
    target = folder / "board.pdf"
    target.write_bytes(pdf)
    text = subprocess.run(["/usr/bin/pdftotext", "-enc", "UTF-8", str(target), "-"],
                          capture_output=True, check=True, timeout=seconds(60)).stdout
    return text.decode("utf-8").split("\f")[:-1]


def test_the_pdf_has_a_page_per_group_by_dots_after_the_table_sheets(gathering, tmp_path):
    client, event, texts, group_of, dots = gathering
    response = _export(client, event, "pdf")
    assert response.status_code == 200, response.text
    pages = _pdf_pages(response.content, tmp_path)
    first_lines = [page.strip().split("\n")[0] for page in pages]
    group_pages = [n for n, line in enumerate(first_lines) if line in GROUPS]
    assert [first_lines[n] for n in group_pages] == _group_order(group_of, dots)
    assert group_pages == list(range(group_pages[0], group_pages[0] + len(GROUPS)))
    assert "1. テーブル1" in pages[0] and group_pages[0] >= 2  # the tables come first
    ungrouped = group_pages[-1] + 1
    assert first_lines[ungrouped] == "未分類のカード" and len(pages) == ungrouped + 1
    for n in group_pages:  # every card of the group on its page, and no other card
        name = first_lines[n]
        flat = pages[n].replace("\n", "")
        for text in texts:
            assert (text in flat) == (group_of.get(text) == name), (name, text)

    document = pypdfium2.PdfDocument(response.content)
    try:
        document[group_pages[0]].render(scale=1.5).to_pil().save(
            ARTIFACTS / "board-groups-page-1.png")
    finally:
        document.close()


def test_the_csv_has_local_times_group_and_rank_columns(gathering):
    client, event, texts, group_of, dots = gathering
    response = _export(client, event, "csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["カード", "テーブル番号", "テーブル", "テーマ", "フェーズ番号", "フェーズ",
                       "所属", "グループ", "投票数", translate("ja", "Rank"), "作成日時",
                       "作成日時（Excel用）", "重み（枚数）", "グループの投票数", "グループの順位"]
    cells = {row[0]: row for row in rows[1:]}
    assert set(cells) == set(texts)
    for text in texts:
        ahead = sum(1 for other in texts if dots[other] > dots[text])
        expected_rank = str(ahead + 1) if dots[text] else ""
        assert cells[text][7:10] == [group_of.get(text, ""), str(dots[text]), expected_rank]
        assert cells[text][10].startswith("20") and cells[text][10].endswith("+09:00")
        # beside it the same minute as Excel reads a time: 2026-12-07T17:17:12+09:00 is
        # 2026/12/07 17:17 (the event's zone, Asia/Tokyo)
        iso = cells[text][10]
        assert cells[text][11] == f"{iso[:4]}/{iso[5:7]}/{iso[8:10]} {iso[11:16]}"
        assert cells[text][12] == "1"  # nothing merged


def test_the_markdown_and_json_sum_up_the_groups_and_keep_the_self_introductions(gathering):
    client, event, _texts, group_of, dots = gathering
    markdown = _export(client, event, "md").content.decode("utf-8")
    assert markdown.split("\n")[2].startswith("2026-12-02 13:30 · 市民会館 大会議室 · ")
    headings = [line[4:] for line in markdown.split("\n") if line.startswith("### ")]
    order = _group_order(group_of, dots)
    assert [h for h in headings if h in GROUPS] == order
    introductions = markdown[markdown.rindex("\n## "):]
    assert introductions.count("\n- 地域のことを知りたい") == 12
    assert "参加者" not in markdown

    body = json.loads(_export(client, event, "json").content)
    assert [g["name"] for g in body["groups"]] == list(GROUPS)
    for group in body["groups"]:
        members = [text for text, name in group_of.items() if name == group["name"]]
        assert group["card_count"] == len(members)
        assert group["dots"] == sum(dots[text] for text in members)
    assert len(body["expectations"]) == 12 and "参加者" not in json.dumps(body)
