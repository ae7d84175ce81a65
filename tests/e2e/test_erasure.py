"""Erasing names and deleting an event from the console, in Chromium: each asks again on a
page of its own; after the erasure the console lists 「参加者N」, the phone's page is signed
out and the start page says 匿名化済み (終了 with the day of the erasure before); after the
deletion the event is gone from the list."""

from playwright.sync_api import expect

from tests.fixtures.api import control, create_event, join
from tests.fixtures.browser import screenshot

NAMES = ("山田 花子", "佐藤 一郎")


def test_the_console_erases_names_after_asking_again_then_deletes_the_event(server, api,
                                                                          open_page):
    event = create_event(api, title="名前を消す会")
    people = [join(api, event, name).json() for name in NAMES]
    console = open_page(event["urls"]["console"], 1366, 1000)
    expect(console.locator("#people")).to_contain_text(NAMES[0])
    phone = open_page(people[0]["url"], 390, 844)
    expect(phone.locator("body")).to_contain_text("名前を消す会")
    assert control(api, event, "finish").status_code == 200
    landing = open_page(server.url + "/", 1280, 900)
    listed = landing.locator(f"#events li[data-event='{event['id']}']")
    expect(listed).to_contain_text("終了")
    expect(listed).to_contain_text("に名前を消去")  # the day, 30 days on
    screenshot(landing, "erasure-landing-finished")

    console.click("[data-erase=anonymise]")
    confirm = console.locator("[data-erasure-confirm=anonymise]")
    expect(confirm).to_contain_text("このイベントの名前を消去しますか？")
    expect(confirm).to_contain_text("元に戻すことはできません")
    screenshot(console, "erasure-confirm")
    console.get_by_role("link", name="キャンセル").click()  # back, nothing erased
    expect(console.locator("#people")).to_contain_text(NAMES[0])

    console.click("[data-erase=anonymise]")
    console.click("[data-confirm-erase]")
    expect(console.locator("[data-anonymised]")).to_be_visible()
    people_list = console.locator("#people")
    expect(people_list).to_contain_text("参加者1")
    expect(people_list).to_contain_text("参加者2")
    expect(people_list).not_to_contain_text(NAMES[0])
    screenshot(console, "erasure-console-after")

    open_page.allowed.append("status of 401")  # the phone's link is revoked
    phone.reload()
    expect(phone.locator("body")).not_to_contain_text("名前を消す会")

    landing.reload()
    expect(listed).to_contain_text("匿名化済み")
    screenshot(landing, "erasure-landing")

    console.click("[data-erase=delete]")
    expect(console.locator("[data-erasure-confirm=delete]")).to_contain_text(
        "このイベントを削除しますか？")
    console.click("[data-confirm-erase]")
    console.wait_for_url(server.url + "/")
    expect(console.locator(f"#events li[data-event='{event['id']}']")).to_have_count(0)
    open_page.allowed.append("status of 404")  # the deleted event's console
    console.goto(event["urls"]["console"].split("?")[0])
    expect(console.locator("body")).to_contain_text("イベントが見つかりません")
