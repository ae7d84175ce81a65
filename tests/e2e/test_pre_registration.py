"""The console's pre-registration in Chromium: a CP932 list checked first (the preview names
the bad row and column, and offers no import), corrected, checked again, imported; the
reception's list of the expected then ticks someone in."""

from playwright.sync_api import expect

from tests.fixtures.api import create_event
from tests.fixtures.browser import screenshot
from tests.integration.test_registration import applications, as_csv


def test_the_console_previews_a_list_before_importing_it(server, api, open_page, tmp_path):
    event = create_event(api, title="事前申込のある会")
    console = open_page(event["urls"]["console"], 1366, 1000)
    table = applications(8)
    table[4][2] = "学生"  # row 5: an affiliation the list may not use
    wrong, right = tmp_path / "申込一覧.csv", tmp_path / "申込一覧_修正.csv"
    wrong.write_bytes(as_csv(table))
    table[4][2] = "市民"
    right.write_bytes(as_csv(table))
    upload = console.locator("#import")
    upload.locator("input[type=file]").set_input_files(str(wrong))
    upload.locator("[data-import-check]").click()
    preview = console.locator("#import-preview")
    expect(preview.locator("[data-import-rows]")).to_have_attribute("data-import-rows", "8")
    expect(preview.locator("[data-import-error]")).to_have_count(1)
    expect(preview.locator("[data-import-error]")).to_have_attribute("data-row", "5")
    expect(preview.locator("[data-import-error]")).to_have_attribute("data-column",
                                                                      "affiliation")
    expect(preview.locator("[data-import-confirm]")).to_have_count(0)
    screenshot(console, "console-import-preview-error")

    upload.locator("input[type=file]").set_input_files(str(right))
    expect(preview.locator("[data-import-error]")).to_have_count(0)  # the old preview goes
    upload.locator("[data-import-check]").click()
    expect(preview.locator("[data-import-confirm]")).to_contain_text("8")
    screenshot(console, "console-import-preview")
    preview.locator("[data-import-confirm]").click()
    expect(preview.locator("[data-imported]")).to_have_attribute("data-imported", "8")
    arrivals = console.locator("#arrivals")
    expect(arrivals.locator("[data-awaited-person]")).to_have_count(8)
    first = arrivals.locator("[data-awaited-person]").first
    expect(first).to_contain_text("いとう")  # 50音 order: いとう before さとう
    first.locator("[data-arrival]").click()
    expect(arrivals.locator("[data-awaited-person]")).to_have_count(7)
    answer = console.locator("#arrival-answer")  # below the list, not at the page's top
    expect(answer).to_contain_text("伊藤")
    expect(answer).to_contain_text("到着しました")
    expect(answer).to_contain_text("移動の計画ができてから")  # no route slip before the plan
    expect(answer.locator("a[data-slip]")).to_have_count(0)
    screenshot(console, "console-import-arrivals")
