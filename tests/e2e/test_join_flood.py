"""A flood of joins in Chromium: the projector shows the code the server drew against it,
a phone that read the old code types the new one and keeps what it wrote, and the
console's review removes the flood."""

from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import create_event, join
from tests.fixtures.browser import screenshot
from tests.fixtures.servers import FLOOD_ENV
from tests.fixtures.timing import seconds


def test_the_console_reviews_a_flood_and_a_phone_joins_with_the_new_code(make_server,
                                                                         open_page):
    server = make_server(env=FLOOD_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api, title="参加の殺到に強い会")
        console = open_page(event["urls"]["console"], 1366, 1000)
        projector = open_page(event["urls"]["projector"], 1920, 1080)
        expect(projector.locator(".join-code")).to_have_text(event["join_code"])
        phone = open_page(event["urls"]["join"], 390, 844)
        phone.fill("input[name=name]", "会場の本人")
        phone.check("input[name=affiliation][value=community]")
        phone.select_option("select[name=theme]", event["tables"][0]["theme"])
        phone.fill("textarea[name=expectation]", "地域のつながりを知りたい")

        answers = [join(api, event, f"偽者{n:02}") for n in range(3)]  # the burst
        with ThreadPoolExecutor(12) as pool:
            answers += pool.map(lambda n: join(api, event, f"偽者{n:02}"), range(3, 15))
        fakes = sorted(a.json()["id"] for a in answers if a.status_code == 201)
        assert len(fakes) >= 3 and all(a.status_code in (201, 403) for a in answers)

        notice = console.locator("#flood")
        expect(notice).to_contain_text("参加の殺到を止めました")
        expect(notice.locator("input[name=remove]:checked")).to_have_count(len(fakes))
        new_code = projector.locator(".join-code")
        expect(new_code).not_to_have_text(event["join_code"])
        expect(projector.locator("#join")).to_contain_text("参加コードが変わりました")
        expect(console.locator("#join .join-code")).to_have_text(new_code.inner_text())
        screenshot(console, "console-join-flood")
        screenshot(projector, "projector-join-code-changed")

        open_page.allowed.append("status of 403")  # the join page refusing the old code
        phone.click("button[type=submit]")
        expect(phone.locator("#form-errors")).to_contain_text("この参加コードは新しくなりました")
        expect(phone.locator("input[name=name]")).to_have_value("会場の本人")
        expect(phone.locator("body")).not_to_contain_text(new_code.inner_text())
        screenshot(phone, "phone-join-code-replaced")
        phone.fill("input[name=join_code]", new_code.inner_text().lower())
        phone.click("button[type=submit]")
        phone.wait_for_url(f"**/m/{event['id']}")
        expect(phone.locator("body")).to_contain_text("会場の本人")

        notice.locator("button[value=remove]").click()
        expect(console.locator("#flood + [data-flash-beside]")).to_contain_text(
            f"{len(fakes)}人を外しました")
        expect(console.locator("#flood")).to_be_hidden()
        expect(console.locator("#people")).not_to_contain_text("偽者")
        expect(console.locator("#people")).to_contain_text("会場の本人")
        people = api.get(f"/api/v1/sessions/{event['id']}",
                         headers={"Authorization": f"Bearer {event['facilitator_token']}"})
        assert [p["name"] for p in people.json()["participants"]] == ["会場の本人"]
