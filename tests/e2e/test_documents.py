"""The console's documents in Chromium: the report's button starts its job, the console
shows its progress (「報告書を作成中… N %」) while the worker process makes it, then a
download link that gives the PDF."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.browser import screenshot
from tests.fixtures.documents import filled_event
from tests.fixtures.timing import seconds


def test_the_console_makes_the_report_with_progress_then_offers_its_download(
        server, api, open_page):
    event = filled_event(server, api)
    console = open_page(event["urls"]["console"], 1366, 900)
    report = console.locator("#document-report-pdf")
    report.scroll_into_view_if_needed()
    expect(report).to_have_attribute("data-status", "none")
    report.get_by_role("button", name="作成").click()

    progress = report.get_by_role("status")
    expect(progress).to_have_text(re.compile(r"^報告書を作成中… \d+ %$"))
    screenshot(console, "console-document-progress")
    link = report.get_by_role("link", name="ダウンロード")
    expect(link).to_be_visible(timeout=seconds(120) * 1000)
    expect(report).to_have_attribute("data-status", "ready")
    with console.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".report.pdf")
    assert download.path().read_bytes().startswith(b"%PDF")
    screenshot(console, "console-document-ready")
