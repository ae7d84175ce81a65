"""A flood of cards in Chromium: an address over its card budget shows the console's flood
notice live, with who wrote meanwhile (the heaviest writers ticked), and the review
removes them and hides their cards."""

import uuid

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import bearer, create_event, join
from tests.fixtures.browser import screenshot
from tests.fixtures.servers import BUDGET_ENV
from tests.fixtures.timing import seconds


def test_the_console_shows_a_flood_of_cards_and_removes_its_writers(make_server, open_page):
    server = make_server(env=BUDGET_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api, title="カードの殺到に強い会")
        console = open_page(event["urls"]["console"], 1366, 1000)
        expect(console.locator("#flood")).to_be_hidden()
        script = [join(api, event, f"宣伝係{n}").json() for n in range(2)]
        honest = join(api, event, "会場の本人").json()
        cards_url = f"/api/v1/sessions/{event['id']}/cards"
        statuses = [api.post(cards_url, headers=bearer(writer["token"]),
                             json={"id": str(uuid.uuid4()), "text": f"宣伝{n}"}).status_code
                    for n, writer in enumerate([*script * 2, script[0], honest, script[1]])]
        assert statuses == [201] * 6 + [429]

        notice = console.locator("#flood")
        expect(notice).to_contain_text("カードの殺到を止めました")
        expect(notice.locator("input[name=remove]")).to_have_count(3)
        expect(notice.locator("input[name=remove]:checked")).to_have_count(2)
        expect(notice.locator(f"input[value='{honest['id']}']")).not_to_be_checked()
        screenshot(console, "console-card-flood")

        notice.locator("button[value=remove]").click()
        expect(console.locator("#flood")).to_be_hidden()
        expect(console.locator("#people")).not_to_contain_text("宣伝係")
        expect(console.locator("#people")).to_contain_text("会場の本人")
