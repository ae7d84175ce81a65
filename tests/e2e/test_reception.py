"""The console's reception desk, its co-facilitator link and the landing page's list of
events, in Chromium."""

from playwright.sync_api import expect

from tests.fixtures.api import create_event
from tests.fixtures.browser import screenshot


def test_reception_adds_a_person_and_a_co_facilitator_opens_a_second_console(server, api,
                                                                           open_page):
    event = create_event(api, title="受付のある会", venue="市民会館 大ホール")
    console = open_page(event["urls"]["console"], 1366, 1000)
    desk = console.locator("#reception")
    desk.locator("input[name=name]").fill("電話のない人")
    desk.locator("select[name=affiliation]").select_option("community")
    desk.locator("select[name=theme]").select_option(event["tables"][2]["theme"])
    desk.locator("button").click()
    answer = desk.locator("form + [data-flash-beside]")  # beside the desk's form
    expect(answer).to_contain_text("電話のない人さんを追加しました")
    expect(answer).to_contain_text("ホームテーブル 3")
    expect(desk.locator("input[name=name]")).to_have_value("")  # ready for the next one
    expect(console.locator("#people .people__table").nth(2)).to_contain_text("電話のない人")
    screenshot(console, "console-reception")

    console.click("#links button[value=cofacilitator]")
    link = console.locator("#links input.link__copy")
    expect(link).to_be_visible()
    co_url = link.input_value()
    assert co_url.startswith(f"{server.url}/f/{event['id']}?token=")
    second = open_page(co_url, 1280, 900)
    expect(second.locator("#event-title")).to_have_text("受付のある会")
    expect(second.locator("#people")).to_contain_text("電話のない人")
    screenshot(console, "console-co-facilitator-link")

    console.once("dialog", lambda dialog: dialog.accept())
    console.click("#links button[name=revoke]")
    expect(console.locator("#links button[value=cofacilitator]")).to_be_visible()
    open_page.allowed.append("status of 401")  # the revoked console's page
    second.reload()
    expect(second.locator("body")).not_to_contain_text("受付のある会")

    landing = open_page(server.url + "/", 1280, 900)
    listed = landing.locator("#events li", has_text="受付のある会")
    expect(listed).to_contain_text("市民会館 大ホール")
    screenshot(landing, "landing-events")
    listed.locator("a").click()
    expect(landing.locator("#event-title")).to_have_text("受付のある会")
