"""The printed materials against a real server: the poster's and every table tent's QR code
decode to the join URL, the route slips list everyone with the route GET .../seating gives,
and "plan the moves now" plans before the first move without moving anyone later.

Each document is rendered to PNG (pypdfium2) and read back: the QR codes with zxing-cpp,
the text with pdftotext. The PNGs go to test-artifacts/ to be looked at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pypdfium2
import pytest
import zxingcpp

from tests.fixtures import loopback
from tests.fixtures.api import AFFILIATIONS, bearer, create_event, join, open_link
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds

ARTIFACTS = ROOT / "test-artifacts"
PDFTOTEXT = "/usr/bin/pdftotext"
SCALE = 2
MM = 72 / 25.4
SLIP_WIDTH, SLIP_HEIGHT = 105 * MM, 74.2 * MM
NAMES = ("青木陽子", "石井大輔", "上田さくら", "遠藤誠", "大野美咲", "加藤翔", "木村由美",
         "久保拓海", "小西真由美", "佐々木蓮", "清水結衣", "鈴木悠真", "高橋葵", "千葉大和",
         "土屋花", "中村健太郎", "西田愛", "野口優", "橋本陽菜", "福田一郎")
FOUR_TABLES = [{"name": f"テーブル{n}", "theme": theme} for n, theme in
               enumerate(("高齢者を地域で支え合う", "子どもの成長を地域で支える",
                          "市民参画による魅力発信", "災害に強いまちづくり"), 1)]


def _event_with_people(client, names=NAMES, **overrides) -> tuple[dict, list[dict]]:
    event = create_event(client, tables=FOUR_TABLES, venue="市民会館 大会議室",
                         date="2026-12-02", start_time="13:30", organiser="協働推進課",
                         contact="協働推進課 電話 03-1234-5678", **overrides)
    people = []
    for n, name in enumerate(names):
        answer = join(client, event, name, affiliation=AFFILIATIONS[n % 6],
                      theme=FOUR_TABLES[n % 4]["theme"])
        assert answer.status_code == 201, answer.text
        people.append({**answer.json(), "name": name})
    return event, people


def _plan(client, event, token=None) -> httpx.Response:
    return client.post(f"/api/v1/sessions/{event['id']}/seating/plan",
                       headers=bearer(token or event["facilitator_token"]))


def _export(client, event, fmt, token=None) -> httpx.Response:
    return client.get(f"/api/v1/sessions/{event['id']}/export.{fmt}",
                      headers=bearer(token or event["facilitator_token"]))


def _seating(client, event) -> list[dict]:
    answer = client.get(f"/api/v1/sessions/{event['id']}/seating",
                        headers=bearer(event["facilitator_token"]))
    assert answer.status_code == 200, answer.text
    return answer.json()["rounds"]


def _seats(rounds: list[dict]) -> dict[int, list[int]]:
    """participant id -> the table id of each seating phase, in program order."""
    seats: dict[int, list[int]] = {}
    for round_ in rounds:
        for table, people in round_["tables"].items():
            for person in people:
                seats.setdefault(person, []).append(int(table))
    return seats


def _routes(rounds: list[dict], numbers: dict[int, int]) -> dict[int, str]:
    """participant id -> the table numbers of the seating rounds one after another, as a
    slip prints them (a phase that keeps the round before adds nothing)."""
    steps = [r for i, r in enumerate(rounds) if i == 0 or rounds[i - 1]["round"] != r["round"]]
    return {person: "→".join(str(numbers[table]) for table in tables)
            for person, tables in _seats(steps).items()}


def _pages(pdf: bytes) -> list:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].render(scale=SCALE).to_pil() for i in range(len(document))]
    finally:
        document.close()


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [tuple(round(v, 1) for v in document[i].get_size()) for i in range(len(document))]
    finally:
        document.close()


def _save(image, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")


def _text(pdf: bytes, tmp_path: Path, page: int, box: tuple[float, ...] | None = None) -> str:
    """pdftotext of one page (1-based), or of the box (x, y, width, height in points)."""
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    crop = []
    if box is not None:
        crop = ["-r", "72", "-x", str(int(box[0])), "-y", str(int(box[1])),
                "-W", str(int(box[2])), "-H", str(int(box[3]))]
    done = subprocess.run([PDFTOTEXT, "-f", str(page), "-l", str(page), *crop, str(source),
                           "-"], capture_output=True, check=True, timeout=seconds(30))
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def planned(server):
    """Twenty people at four tables, the moves planned before the first one."""
    with loopback.Client(base_url=server.url, timeout=seconds(60)) as client:
        event, people = _event_with_people(client)
        answer = _plan(client, event)
        assert answer.status_code == 200, answer.text
        yield server, client, event, people


def test_the_posters_qr_code_is_the_join_url(planned, tmp_path):
    _server, client, event, _people = planned
    answer = _export(client, event, "poster.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert _page_sizes(answer.content) == [(841.9, 1190.6)]  # A3 portrait
    [page] = _pages(answer.content)
    _save(page, "poster")
    codes = zxingcpp.read_barcodes(page)
    assert [code.text for code in codes] == [event["urls"]["join"]]
    width = codes[0].position.top_right.x - codes[0].position.top_left.x
    assert width > page.width / 2  # large: over half the poster's width
    text = _text(answer.content, tmp_path, 1)
    for expected in (event["join_code"], event["urls"]["join"], "市民協働ワークショップ",
                     "2026年12月2日（水） 13:30", "市民会館 大会議室", "主催者: 協働推進課",
                     "問い合わせ: 協働推進課 電話 03-1234-5678"):
        assert expected in text, (expected, text)


def test_every_table_tent_has_the_join_qr_on_both_halves(planned, tmp_path):
    _server, client, event, _people = planned
    answer = _export(client, event, "tents.pdf")
    assert answer.status_code == 200, answer.text
    pages = _pages(answer.content)
    assert len(pages) == len(FOUR_TABLES)  # one A4 page per table
    assert set(_page_sizes(answer.content)) == {(595.3, 841.9)}
    _save(pages[0], "tents-page-1")
    for number, page in enumerate(pages, 1):
        half = page.height // 2
        upper = zxingcpp.read_barcodes(page.crop((0, 0, page.width, half)))
        lower = zxingcpp.read_barcodes(page.crop((0, half, page.width, page.height)))
        assert [c.text for c in upper] == [c.text for c in lower] == [event["urls"]["join"]]
        assert abs(upper[0].orientation) == 180 and lower[0].orientation == 0  # once folded
        text = _text(answer.content, tmp_path, number)
        table = FOUR_TABLES[number - 1]
        assert str(number) in text and table["name"] in text
        assert table["theme"] in text.replace("\n", "")
        assert "自己紹介をしてから" in text  # the rounds' questions


def _slip_texts(pdf: bytes, tmp_path: Path, pages: int) -> list[str]:
    """The text of every slip cell, page by page, two columns of four rows."""
    texts = []
    for page in range(1, pages + 1):
        for row in range(4):
            for column in range(2):
                box = (column * SLIP_WIDTH, row * SLIP_HEIGHT, SLIP_WIDTH, SLIP_HEIGHT)
                texts.append(_text(pdf, tmp_path, page, box))
    return texts


def test_the_route_slips_follow_the_seating_and_the_reception_lists_every_table(planned,
                                                                                 tmp_path):
    _server, client, event, people = planned
    answer = _export(client, event, "routes.pdf")
    assert answer.status_code == 200, answer.text
    numbers = {t["id"]: t["number"] for t in event["tables"]}
    routes = _routes(_seating(client, event), numbers)  # pdftotext drops the spaces
    expected = {person["name"]: routes[person["id"]] for person in people}
    assert len(set(expected.values())) > 1  # people do move, and not all alike

    pages = _pages(answer.content)
    slip_pages = -(-len(people) // 8)
    assert len(pages) > slip_pages  # the slips, then the reception list
    _save(pages[0], "routes-page-1")
    _save(pages[slip_pages], "reception-list")
    found = {}
    for cell in _slip_texts(answer.content, tmp_path, slip_pages):
        lines = [line.strip() for line in cell.splitlines() if line.strip()]
        names = [name for name in expected if name in lines]
        if names:
            [name] = names
            found[name] = next(line for line in lines if "→" in line).replace(" ", "")
    assert found == expected

    listing = "".join(_text(answer.content, tmp_path, page)
                      for page in range(slip_pages + 1, len(pages) + 1))
    headings = [listing.index(t["name"]) for t in event["tables"]]  # テーブル1, ...
    assert headings == sorted(headings)
    for person in people:
        position = listing.index(person["name"])
        home = numbers[person["home_table"]]
        assert headings[home - 1] < position, person
        assert home == len(headings) or position < headings[home], person
        assert expected[person["name"]] in listing.replace(" ", "")


def test_route_slips_wait_for_the_plan_and_the_other_materials_for_the_facilitator(server):
    with loopback.Client(base_url=server.url, timeout=seconds(60)) as client:
        event, _people = _event_with_people(client, NAMES[:5])
        refused = _export(client, event, "routes.pdf")
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "not_planned" and "Plan the moves" in error["message"]
        host = event["tables"][0]["host_token"]
        for fmt in ("poster.pdf", "tents.pdf", "routes.pdf"):
            assert _export(client, event, fmt, host).status_code == 403
        page = f"/f/{event['id']}/export.routes.pdf"
        shown = open_link(client, f"{page}?token={event['facilitator_token']}")
        assert shown.status_code == 409 and "text/html" in shown.headers["content-type"]
        poster = client.get(f"/f/{event['id']}/export.poster.pdf")  # the console's cookie
        assert poster.status_code == 200 and poster.content.startswith(b"%PDF")


def test_planning_now_is_for_the_facilitator_and_a_latecomer_moves_nobody(server):
    with loopback.Client(base_url=server.url, timeout=seconds(60)) as client:
        event, people = _event_with_people(client)
        before = _seats(_seating(client, event))
        assert all(len(set(tables)) == 1 for tables in before.values())  # all at home
        refused = _plan(client, event, event["tables"][0]["host_token"])
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert _seats(_seating(client, event)) == before

        answer = _plan(client, event)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["changed"] is True
        planned = _seats(body["rounds"])
        assert planned == _seats(_seating(client, event))
        assert set(planned) == {p["id"] for p in people}
        assert all(len(set(tables)) > 1 for tables in planned.values())  # everyone moves
        state = client.get(f"/api/v1/sessions/{event['id']}/state",
                           headers=bearer(event["facilitator_token"])).json()
        assert state["phase_index"] == 0  # planned without moving the clock

        again = _plan(client, event)
        assert again.status_code == 200 and again.json()["changed"] is False
        assert _seats(again.json()["rounds"]) == planned

        late = join(client, event, "遅刻者", theme=FOUR_TABLES[0]["theme"])
        assert late.status_code == 201, late.text
        after = _seats(_seating(client, event))
        assert {p: t for p, t in after.items() if p != late.json()["id"]} == planned
        assert len(after[late.json()["id"]]) == len(planned[people[0]["id"]])


def test_planning_now_is_refused_without_moves_or_people(server):
    with loopback.Client(base_url=server.url, timeout=seconds(60)) as client:
        still = [{"kind": "conversation", "title": "対話", "minutes": 20, "moves": False}]
        event, _people = _event_with_people(client, NAMES[:6], program=still)
        refused = _plan(client, event)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "refused"
        assert "move" in refused.json()["error"]["message"]

        alone, _person = _event_with_people(client, NAMES[:1])
        refused = _plan(client, alone)
        assert refused.status_code == 400 and "Too few people" in refused.json()["error"]["message"]
        assert _export(client, alone, "routes.pdf").status_code == 409


def test_the_export_command_prints_the_poster_and_waits_for_the_plan(planned, server, tmp_path):
    _server, client, event, _people = planned
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDCAFE_")}
    env["WORLDCAFE_PUBLIC_URL"] = "http://cafe.example:8000"
    target = tmp_path / "poster.pdf"
    done = subprocess.run([sys.executable, "-m", "app.cli", "export", event["id"], "--format",
                           "poster.pdf", "-o", str(target), "--database-url",
                           server.database_url], cwd=ROOT, env=env, capture_output=True,
                          timeout=seconds(60))
    assert done.returncode == 0, done.stderr
    [page] = _pages(target.read_bytes())
    assert [c.text for c in zxingcpp.read_barcodes(page)] == [
        f"http://cafe.example:8000/j/{event['join_code']}"]

    unplanned, _people = _event_with_people(client, NAMES[:3])
    done = subprocess.run([sys.executable, "-m", "app.cli", "export", unplanned["id"],
                           "--format", "routes.pdf", "-o", str(tmp_path / "routes.pdf"),
                           "--database-url", server.database_url], cwd=ROOT, env=env,
                          capture_output=True, timeout=seconds(60))
    assert done.returncode == 1 and b"Plan the moves first" in done.stderr
    assert not (tmp_path / "routes.pdf").exists()
