"""Cards in Chromium: a host's Japanese card reaches the projector, and a phone that goes
offline keeps its cards and sends each exactly once when it is back."""

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import bearer, create_event, join
from tests.fixtures.browser import screenshot, wait_ms
from tests.fixtures.timing import seconds


def stored_texts(server, event) -> list[str]:
    response = loopback.get(f"{server.url}/api/v1/sessions/{event['id']}/cards",
                            headers=bearer(event["facilitator_token"]), timeout=seconds(10))
    return [card["text"] for card in response.json()["cards"]]


def test_a_host_card_in_japanese_appears_on_the_projector(server, api, open_page):
    event = create_event(api)
    table = event["tables"][0]
    for n in range(3):
        join(api, event, f"参加者{n}", theme=table["theme"], expectation="よろしく")
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    console = open_page(event["urls"]["console"], 1366, 900)
    host = open_page(table["host_url"], 1180, 820)
    expect(projector.locator("#board")).to_be_attached()
    entry = host.locator("#card-text")
    for text in ("見守りボランティアが足りない", "<b>太字</b>にならないこと",
                 "町内会と学校をつなぐ場がほしい"):
        entry.fill(text)
        entry.press("Enter")
        expect(entry).to_have_value("")
    column = projector.locator(f"#board-table-{table['id']} .card__text")
    expect(column.first).to_have_text("町内会と学校をつなぐ場がほしい", timeout=wait_ms())
    expect(column).to_have_count(3)
    expect(projector.locator(f"#board-table-{table['id']}")).to_contain_text(
        "<b>太字</b>にならないこと")  # shown as typed, not as markup
    assert projector.locator(f"#board-table-{table['id']} b").count() == 0
    expect(console.locator(f"#board-table-{table['id']} .card")).to_have_count(3)
    expect(host.locator("#table-cards .card")).to_have_count(3, timeout=wait_ms())
    expect(host.locator("#unsent-badge")).to_be_hidden()
    assert sorted(stored_texts(server, event)) == sorted(
        ["見守りボランティアが足りない", "<b>太字</b>にならないこと",
         "町内会と学校をつなぐ場がほしい"])
    screenshot(projector, "projector-board")
    screenshot(host, "host-cards")
    screenshot(console, "console-board")


def test_a_phone_offline_keeps_its_cards_and_sends_each_once(server, api, open_page):
    open_page.allowed += ["ERR_INTERNET_DISCONNECTED", "WebSocket", "Failed to fetch",
                          "[object Event]"]
    event = create_event(api)
    person = join(api, event, "鈴木").json()
    phone = open_page(person["url"], 390, 844)
    expect(phone.locator("#my-cards")).to_be_attached()
    phone.context.set_offline(True)
    entry = phone.locator("#card-text")
    for text in ("子どもの居場所を増やしたい", "空き家を使えないか"):
        entry.fill(text)
        entry.press("Enter")
    badge = phone.locator("#unsent-badge")
    expect(badge).to_have_attribute("data-unsent-count", "2")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("2")
    expect(phone.locator("[data-card-queue] .card")).to_have_count(2)
    screenshot(phone, "participant-offline-cards")
    assert stored_texts(server, event) == []
    phone.context.set_offline(False)
    expect(badge).to_be_hidden(timeout=wait_ms())
    expect(phone.locator("#my-cards .card")).to_have_count(2, timeout=wait_ms())
    assert sorted(stored_texts(server, event)) == sorted(
        ["子どもの居場所を増やしたい", "空き家を使えないか"])
    phone.reload()
    expect(phone.locator("#my-cards .card")).to_have_count(2)
    expect(badge).to_be_hidden()
    assert len(stored_texts(server, event)) == 2
    screenshot(phone, "participant-cards")


def test_the_queue_survives_a_reload_and_a_refused_card_is_explained(server, api, open_page):
    open_page.allowed += ["409", "ERR_INTERNET_DISCONNECTED", "ERR_FAILED", "WebSocket",
                          "[object Event]"]
    event = create_event(api)
    person = join(api, event, "田中").json()
    phone = open_page(person["url"], 390, 844)
    phone.context.set_offline(True)
    phone.locator("#card-text").fill("リロードしても消えない")
    phone.locator("#card-text").press("Enter")
    expect(phone.locator("#unsent-badge")).to_have_attribute("data-unsent-count", "1")
    phone.route("**/cards", lambda route: route.abort())  # the server stays unreachable
    phone.context.set_offline(False)
    phone.reload()
    expect(phone.locator("#unsent-badge")).to_have_attribute("data-unsent-count", "1")
    # the event finishes while the phone still cannot reach the server: a retry of its
    # queue (its own timer may fire as soon as the route is open) can only be refused
    loopback.post(f"{server.url}/api/v1/sessions/{event['id']}/control",
                  headers=bearer(event["facilitator_token"]), json={"action": "finish"},
                  timeout=seconds(10))
    phone.unroute("**/cards")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    error = phone.locator("[data-card-error]")
    expect(error).to_be_visible(timeout=wait_ms())
    expect(error).to_contain_text("リロードしても消えない")
    expect(phone.locator("#unsent-badge")).to_be_hidden()
    assert stored_texts(server, event) == []
