"""Pre-registration against a real server (SQLite and PostgreSQL): the office's list of 48
applications in Shift_JIS (CP932) checked by a dry run that names the bad row and column,
imported whole or not at all, each person's own link opening their phone page; the
pre-registered are not seated until the reception ticks them in."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from openpyxl import Workbook

from app.text import reading_key
from tests.fixtures import loopback
from tests.fixtures.api import THEMES, assert_refused, create_event, facilitator, open_link
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds

ARTIFACTS = ROOT / "test-artifacts"

FAMILY = [("佐藤", "さとう"), ("鈴木", "すずき"), ("髙橋", "たかはし"), ("田中", "たなか"),
          ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら")]
GIVEN = [("花子", "はなこ"), ("太郎", "たろう"), ("美咲", "みさき"), ("健", "けん"),
         ("陽菜", "ひな"), ("蓮", "れん")]
LABELS = ("市民", "行政", "NPO", "事業者", "地域", "その他")


def applications(rows: int = 48) -> list[list[str]]:
    """The office's list: 氏名, ふりがな, 所属, テーマ (a theme's number or text), メール."""
    table = [["氏名", "ふりがな", "所属", "テーマ", "メールアドレス"]]
    for n in range(rows):
        family, given = FAMILY[n % 8], GIVEN[n // 8 % 6]
        theme = str(n % 3 + 1) if n % 2 else THEMES[n % 3]
        table.append([f"{family[0]} {given[0]}{n}", f"{family[1]} {given[1]}",
                      LABELS[n % 6], theme, f"person{n}@example.jp" if n % 4 else ""])
    return table


def as_csv(table: list[list[str]], encoding: str = "cp932") -> bytes:
    return "".join(",".join(row) + "\r\n" for row in table).encode(encoding)


def upload(api, event, data: bytes, dry_run: bool, name: str = "applications.csv"):
    return api.post(f"/api/v1/sessions/{event['id']}/participants/import",
                    params={"dry_run": "true"} if dry_run else None,
                    headers=facilitator(event), files={"file": (name, data)})


def seated(api, event) -> set[int]:
    rounds = api.get(f"/api/v1/sessions/{event['id']}/seating",
                     headers=facilitator(event)).json()["rounds"]
    return {person for round_ in rounds[1:] for people in round_["tables"].values()
            for person in people}


def test_a_cp932_list_of_48_is_checked_then_imported_whole(server, api):
    event = create_event(api)
    table = applications()
    table[17][2] = "学生"  # an affiliation the list may not use: row 18 of the file
    checked = upload(api, event, as_csv(table), dry_run=True)
    assert checked.status_code == 200, checked.text
    assert checked.json()["rows"] == 48
    assert [(e["row"], e["column"]) for e in checked.json()["errors"]] == [(18, "affiliation")]
    assert "学生" in checked.json()["errors"][0]["message"]

    assert_refused(upload(api, event, as_csv(table), dry_run=False), 422, "invalid_rows")
    assert seated(api, event) == set()
    assert api.get(f"/api/v1/sessions/{event['id']}/seating",
                   headers=facilitator(event)).json()["rounds"][0]["tables"] == {
        str(t["id"]): [] for t in event["tables"]}  # nobody stored

    table[17][2] = "npo"
    imported = upload(api, event, as_csv(table), dry_run=False)
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["imported"] == 48 and len(body["participants"]) == 48
    assert body["participants"][2]["name"] == "髙橋 花子2"  # a CP932-only character
    assert body["participants"][2]["furigana"] == "たかはし はなこ"
    assert len({p["url"] for p in body["participants"]}) == 48
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as phone:
        page = open_link(phone, body["participants"][5]["url"])
    assert page.status_code == 200 and "渡辺 花子5" in page.text


def test_only_people_who_arrived_are_seated(server, api):
    event = create_event(api)
    body = upload(api, event, as_csv(applications(12)), dry_run=False).json()
    people = [p["id"] for p in body["participants"]]
    assert_refused(api.post(f"/api/v1/sessions/{event['id']}/seating/plan",
                            headers=facilitator(event)), 400, "refused")  # nobody is here
    here = people[:7]
    for person in here:
        arrived = api.post(f"/api/v1/sessions/{event['id']}/participants/{person}/arrival",
                           headers=facilitator(event))
        assert arrived.status_code == 200, arrived.text
        assert arrived.json()["arrived"] is True
    planned = api.post(f"/api/v1/sessions/{event['id']}/seating/plan",
                       headers=facilitator(event))
    assert planned.status_code == 200, planned.text
    assert seated(api, event) == set(here)  # no-shows never get a seat
    late = people[7]
    api.post(f"/api/v1/sessions/{event['id']}/participants/{late}/arrival",
             headers=facilitator(event))
    assert seated(api, event) == {*here, late}  # seated like a latecomer
    host = {"Authorization": f"Bearer {event['tables'][0]['host_token']}"}
    assert_refused(api.post(f"/api/v1/sessions/{event['id']}/participants/{late}/arrival",
                            headers=host), 403, "forbidden")


@pytest.mark.parametrize("kind", ["xlsx", "json", "utf-8 with bom"])
def test_a_workbook_json_and_a_utf8_list_import_alike(server, api, kind):
    event = create_event(api)
    table = applications(6)
    url = f"/api/v1/sessions/{event['id']}/participants/import"
    if kind == "xlsx":
        book = Workbook()
        for row in table:
            book.active.append([int(c) if c.isdigit() else c for c in row])
        data = io.BytesIO()
        book.save(data)
        answer = upload(api, event, data.getvalue(), dry_run=False, name="list.xlsx")
    elif kind == "json":
        answer = api.post(url, headers=facilitator(event),
                          json={"csv": as_csv(table, "utf-8").decode()})
    else:
        answer = upload(api, event, b"\xef\xbb\xbf" + as_csv(table, "utf-8"), dry_run=False)
    assert answer.status_code == 200, answer.text
    assert [p["name"] for p in answer.json()["participants"]] == [r[0] for r in table[1:]]


def test_problems_are_named_by_row_and_column(server, api):
    event = create_event(api)
    table = applications(5)
    table[2][1] = "Sato"  # furigana not in kana
    table[3][3] = "9"  # no ninth theme
    table[3][4] = "not-an-address"
    table[5][0] = ""
    answer = upload(api, event, as_csv(table, "utf-8"), dry_run=True).json()
    assert [(e["row"], e["column"]) for e in answer["errors"]] == [
        (3, "furigana"), (4, "theme"), (4, "email"), (6, "name")]
    assert_refused(upload(api, event, b"\x00\xff\xfe", dry_run=True), 422, "invalid")
    assert_refused(upload(api, event, "所属\n市民\n".encode(), dry_run=True), 422, "invalid")


def test_name_tags_carry_each_persons_own_link_and_the_list_is_in_50_sound_order(
        server, api, tmp_path):
    event = create_event(api)
    body = upload(api, event, as_csv(applications(12)), dry_run=False).json()
    own = {p["url"] for p in body["participants"]}
    answer = api.get(f"/api/v1/sessions/{event['id']}/export.nametags.pdf",
                     headers=facilitator(event), timeout=seconds(120))
    assert answer.status_code == 200, answer.text
    pages = render(answer.content)
    assert len(pages) == 2  # ten tags to a page
    ARTIFACTS.mkdir(exist_ok=True)
    pages[0].save(ARTIFACTS / "nametags.png")
    codes = [code.text for page in pages for code in zxingcpp.read_barcodes(page)]
    assert sorted(codes) == sorted(own)
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as phone:
        person = body["participants"][0]
        tag_url = next(code for code in codes if code == person["url"])
        assert person["name"] in open_link(phone, tag_url).text
    text = squeeze(pdf_text(answer.content, tmp_path))
    assert "たかはしはなこ" in text and "髙橋花子2" in text

    attendance = api.get(f"/api/v1/sessions/{event['id']}/export.attendance.pdf",
                         headers=facilitator(event), timeout=seconds(120))
    assert attendance.status_code == 200, attendance.text
    render(attendance.content)[0].save(ARTIFACTS / "attendance.png")
    listed = pdf_text(attendance.content, tmp_path)
    readings = [p["furigana"] for p in body["participants"]]
    order = sorted(readings, key=lambda r: reading_key(r))
    positions = [listed.index(reading) for reading in dict.fromkeys(order)]
    assert positions == sorted(positions)  # いとう … わたなべ
    assert listed.index("いとう") < listed.index("さとう") < listed.index("わたなべ")


def render(pdf: bytes) -> list:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].render(scale=2).to_pil() for i in range(len(document))]
    finally:
        document.close()
