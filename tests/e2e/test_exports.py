"""The console's export links in Chromium: the CSV download keeps its Japanese, and the PNG
of the board (one picture of the sheets) is kept in test-artifacts/ to look at."""

from __future__ import annotations

import uuid

import httpx

from tests.fixtures.api import THEMES, bearer, create_event, join
from tests.fixtures.browser import ARTIFACTS, screenshot

CARDS = ("見守りの輪を広げたい", "空き家を子どもの居場所に", "<b>太字</b> & <script>x</script>",
         "=SUM(A1:A9)", "商店街と学校をつなぐ", "高齢者の知恵を子どもへ")


def _fill(server, api) -> dict:
    event = create_event(api, title="市民協働ワークショップ 2026")
    people = [join(api, event, name=f"参加者{n}", affiliation=aff, theme=THEMES[n % 3]).json()
              for n, aff in enumerate(("citizen", "city", "npo", "business", "community"))]
    tokens = [t["host_token"] for t in event["tables"]] + [p["token"] for p in people]
    for n, text in enumerate(CARDS * 2):
        response = httpx.post(f"{server.url}/api/v1/sessions/{event['id']}/cards",
                              json={"id": str(uuid.uuid4()), "text": f"{text}" if n < 6
                                    else f"{text}（{n}）"},
                              headers=bearer(tokens[n % len(tokens)]))
        assert response.status_code == 201, response.text
    return event


def test_the_console_exports_csv_with_japanese_intact_and_a_board_png(server, api, open_page):
    event = _fill(server, api)
    console = open_page(event["urls"]["console"], 1366, 900)
    section = console.get_by_role("region", name="エクスポート")  # not the print section
    section.scroll_into_view_if_needed()
    with console.expect_download() as download_info:
        section.get_by_role("link", name="CSV (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "見守りの輪を広げたい" in text and "高齢者を地域で支え合う" in text
    assert "<b>太字</b> & <script>x</script>" in text and "'=SUM(A1:A9)" in text
    assert "参加者" not in text

    png = console.request.get(f"{server.url}/f/{event['id']}/export.png")
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "export-board.png").write_bytes(png.body())
    screenshot(console, "console-exports")
