"""The report (報告書) of a 48-person event against a real server: built through the HTTP API
(details, cards in three rounds, KJ groups, open voting, dots, reveal, the clock through the
program), then downloaded as PDF and DOCX by the API, by the console's link and by
`worldcafe export --format report`. pdftotext reads the PDF back; python-docx the DOCX; every
PDF page is rendered to test-artifacts/report-page-N.png to be looked at."""

from __future__ import annotations

import io
import re
import uuid

import docx
import httpx
import pypdfium2
import pytest

from app.i18n import translate
from app.stakeholders import AFFILIATION_LABELS
from tests.fixtures import loopback
from tests.fixtures.api import THEMES, bearer, control, create_event, join, open_link
from tests.fixtures.printed import export_command, pdf_text, squeeze
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds

ARTIFACTS = ROOT / "test-artifacts"
DETAILS = {"date": "2026-11-24", "start_time": "13:30", "venue": "市民活動センター 多目的ホール",
           "organiser": "市民協働推進課", "purpose": "地域の課題を市民・行政・NPO・事業者が"
           "一緒に話し合い、これからの協働のたねを見つけます。"}
TABLES = [{"name": f"テーブル{n}", "theme": THEMES[(n - 1) // 2]} for n in range(1, 7)]
AFFILIATIONS = ("citizen",) * 4 + ("city", "npo", "business", "community")
OPINIONS = ("見守りの担い手が足りないので、若い世代にも声をかけたい",
            "子どもの居場所を空き家で開けないか", "地域の情報を回覧板だけでなくSNSでも発信する",
            "高齢者と子どもが一緒に料理する多世代交流の場", "町内会の集まりに行政の人も来てほしい",
            "防災訓練を通して顔の見える関係をつくる")
GROUPS = ("地域の見守りネットワーク", "子どもの居場所づくり",
          "情報発信と参加のきっかけづくり（SNS・回覧板・広報紙をどう使い分けるか）", "多世代の交流")
LONG_CARD = ("買い物に行けない高齢者が増えているので、移動販売や買い物代行を町内会とNPOと事業者が"
             "一緒に進められないか。見守りも兼ねられるし、若い人の参加のきっかけにもなると思う。"
             "行政には場所や情報の面で後押しをしてほしい。")
VOTED_GROUP = (3, 3, 3, 2, 2, 1, 0)
"""The groups (by index) voters put their dots in: 8, 8, 17 and 27 dots."""
GROUPS_BY_DOTS = (GROUPS[3], GROUPS[2], GROUPS[0], GROUPS[1])
PEOPLE = 48
ABSENT = 2


def _name(n: int) -> str:
    return f"参加者{n:02d}番"


def _post_card(client, event, token, text) -> dict:
    response = client.post(f"/api/v1/sessions/{event['id']}/cards",
                           json={"id": str(uuid.uuid4()), "text": text}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _round_of_cards(client, event, writers, round_number: int) -> list[dict]:
    """One card from each writer and from each table's host in the phase running now."""
    tokens = [p["token"] for p in writers] + [t["host_token"] for t in event["tables"]]
    return [_post_card(client, event, token,
                       f"{OPINIONS[(n + round_number) % len(OPINIONS)]}（{round_number}-{n}）")
            for n, token in enumerate(tokens)]


@pytest.fixture(scope="module")
def reported(server):
    """The event, its people by affiliation and the cards, after the clock ran rounds 1–3
    and the return, the room grouped cards and voted, and the results were revealed."""
    # WeasyPrint lays out the report in the server: a minute and more on a loaded machine
    with loopback.Client(base_url=server.url, timeout=seconds(120)) as client:
        event = create_event(client, title="令和8年度 協働ワーキング", tables=TABLES, **DETAILS)
        facilitator = bearer(event["facilitator_token"])
        people = []
        for n in range(PEOPLE - 1):
            affiliation = AFFILIATIONS[n % len(AFFILIATIONS)]
            expectation = f"地域のことを知りたい（{n}）" if n % 3 == 0 else ""
            people.append((affiliation, _ok(join(client, event, _name(n),
                                                 affiliation=affiliation,
                                                 theme=THEMES[n % 3],
                                                 expectation=expectation))))
        _ok(control(client, event, "start"))
        _ok(control(client, event, "next"))
        _ok(control(client, event, "start"))  # round 1: the self-introduction at home
        cards = _round_of_cards(client, event, [p for _a, p in people[:16]], 1)
        people.append(("citizen", _ok(join(client, event, _name(PEOPLE - 1),
                                           affiliation="citizen", theme=THEMES[0]))))
        _ok(control(client, event, "pause"))
        _ok(control(client, event, "resume"))
        _ok(control(client, event, "next"))  # round 2: the moves are planned
        _ok(control(client, event, "start"))
        cards += _round_of_cards(client, event, [p for _a, p in people[16:32]], 2)
        _ok(control(client, event, "next"))
        _ok(control(client, event, "start"))
        cards += _round_of_cards(client, event, [p for _a, p in people[32:]], 3)
        cards.insert(0, _post_card(client, event, people[32][1]["token"], LONG_CARD))
        for _affiliation, person in people[-ABSENT:]:
            _ok(client.post(f"/api/v1/sessions/{event['id']}/participants/{person['id']}/absence",
                            json={"absent": True}, headers=facilitator))
        _ok(control(client, event, "next"))
        _ok(control(client, event, "start"))  # the return, left running
        groups = [_ok(client.post(f"/api/v1/sessions/{event['id']}/groups", json={"name": name},
                                  headers=facilitator)) for name in GROUPS]
        for n, card in enumerate(cards[:40]):
            _ok(client.patch(f"/api/v1/sessions/{event['id']}/cards/{card['id']}",
                             json={"group_id": groups[n % len(groups)]["id"]},
                             headers=facilitator))
        _ok(client.patch(f"/api/v1/sessions/{event['id']}/board", json={"open": True},
                         headers=facilitator))
        for n, (_affiliation, person) in enumerate(people[:30]):
            for dot in range(1 + n % 3):  # more dots for the later groups
                card = cards[VOTED_GROUP[(n + dot) % len(VOTED_GROUP)] + 4 * (n % 3)]
                _ok(client.post(f"/api/v1/sessions/{event['id']}/cards/{card['id']}/votes",
                                headers=bearer(person["token"])))
        _ok(client.patch(f"/api/v1/sessions/{event['id']}/board",
                         json={"open": False, "revealed": True}, headers=facilitator))
        yield server, client, event, people


def _download(client, event, fmt) -> httpx.Response:
    response = client.get(f"/api/v1/sessions/{event['id']}/export.{fmt}",
                          headers=bearer(event["facilitator_token"]))
    assert response.status_code == 200, response.text
    return response


def _bookmarks(pdf: bytes) -> list[str]:
    """The PDF's top-level bookmarks: the report's section headings."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [mark.get_title() for mark in document.get_toc() if mark.level == 0]
    finally:
        document.close()


def test_the_report_pdf_has_the_title_venue_groups_and_attendance(reported, tmp_path):
    _server, client, event, people = reported
    response = _download(client, event, "report.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert ".report.pdf" in response.headers["content-disposition"]
    pdf = response.content
    text = pdf_text(pdf, tmp_path)
    flat = squeeze(text)
    assert "令和8年度協働ワーキング" in flat and DETAILS["venue"].replace(" ", "") in flat
    assert DETAILS["organiser"] in flat and "2026年11月24日（火）" in flat  # the office's way
    assert all(squeeze(name) in flat for name in GROUPS)
    groups = flat[flat.index(squeeze(translate("ja", "Opinion groups"))):]
    first_line = 10  # characters of a name that fit on the first line of its cell
    assert sorted(GROUPS, key=lambda name: groups.index(name[:first_line])) == list(
        GROUPS_BY_DOTS)  # in the groups' table, by dots, most first
    participants = translate("ja", "Participants")
    assert re.search(rf"{participants}\s+{PEOPLE}\b", text)
    for code in sorted({a for a, _p in people}):
        joined = sum(1 for a, _p in people if a == code)
        absent = sum(1 for a, _p in people[-ABSENT:] if a == code)
        label = translate("ja", AFFILIATION_LABELS[code])
        assert re.search(rf"^\s*{label}\s+{joined}\s+{absent}\s*$", text, re.M), label
    total = translate("ja", "Total")
    assert re.search(rf"^\s*{total}\s+{PEOPLE}\s+{ABSENT}\s*$", text, re.M)
    assert not any(_name(n) in flat for n in range(PEOPLE))  # never a name

    headings = _bookmarks(pdf)
    assert len(headings) == 9 and all(heading in text for heading in headings)
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert document[0].get_size() == (pytest.approx(595.28, abs=1),
                                          pytest.approx(841.89, abs=1))
        ARTIFACTS.mkdir(exist_ok=True)
        for old in ARTIFACTS.glob("report-page-*.png"):
            old.unlink()
        for index in range(len(document)):
            image = document[index].render(scale=1.5).to_pil()
            image.save(ARTIFACTS / f"report-page-{index + 1}.png")
        pages = len(document)
    finally:
        document.close()
    assert re.search(rf"\b{pages}\s*/\s*{pages}\b", text)  # the page numbers


def test_the_report_docx_has_the_pdfs_section_headings_and_the_programme(reported):
    _server, client, event, _people = reported
    response = _download(client, event, "report.docx")
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == _bookmarks(_download(client, event, "report.pdf").content)
    assert document.paragraphs[0].text == "令和8年度 協働ワーキング"
    assert {p.text for p in document.paragraphs if p.style.name == "Heading 2"} >= set(GROUPS)
    programme = document.tables[1]
    actual = [row.cells[3].text for row in programme.rows[1:7]]  # no "No." column (issue 24)
    assert all(re.fullmatch(r"\d+(\.\d)?", minutes) for minutes in actual[:5]), actual
    assert actual[5] == "–"  # the harvest never ran
    overview = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert overview[translate("ja", "Venue")] == DETAILS["venue"]
    figures = {row.cells[0].text: row.cells[1].text for row in document.tables[2].rows}
    assert figures == {translate("ja", label): value for label, value in (
        ("Participants", str(PEOPLE)), ("Number of tables", "6"), ("Table hosts", "6"),
        ("Latecomers (joined after the first round started)", "1"), ("Absent", str(ABSENT)))}


def test_the_consoles_link_and_the_command_line_give_the_report(reported, tmp_path):
    server, client, event, _people = reported
    page = f"/f/{event['id']}/export.report.pdf"
    entered = open_link(client, f"{page}?token={event['facilitator_token']}")
    assert entered.status_code == 200 and entered.content.startswith(b"%PDF")
    console = client.get(f"/f/{event['id']}").text
    assert 'href="/f/' + event["id"] + '/export.report.docx"' in console

    target = tmp_path / "x.pdf"
    made = export_command(event["id"], "--format", "report", "-o", str(target),
                          "--database-url", server.database_url)
    assert made.returncode == 0, made.stderr
    assert _bookmarks(target.read_bytes()) == _bookmarks(entered.content)
    assert GROUPS[0] in squeeze(pdf_text(target.read_bytes(), tmp_path))
    word = tmp_path / "x.docx"
    made = export_command(event["id"], "--format", "report.docx", "-o", str(word),
                          "--database-url", server.database_url)
    assert made.returncode == 0, made.stderr
    assert docx.Document(str(word)).paragraphs[0].text == "令和8年度 協働ワーキング"
