"""The console's export links in Chromium: the CSV download keeps its Japanese, and the PNG
of the board (one picture of the sheets) is kept in test-artifacts/ to look at."""

from __future__ import annotations

from tests.fixtures.browser import ARTIFACTS, screenshot
from tests.fixtures.documents import filled_event


def test_the_console_exports_csv_with_japanese_intact_and_a_board_png(server, api, open_page):
    event = filled_event(server, api)
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
