"""The console's reception desk, its co-facilitator link and the landing page's list of
events, in Chromium."""

from playwright.sync_api import expect

from tests.fixtures.api import THEMES, control, create_event, join, seating
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
    expect(desk.locator("#reception-answer")).to_contain_text("電話のない人さんを追加しました")
    expect(desk.locator(".reception__table")).to_have_text("3")  # home, before the rounds
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


def route_by_seating(api, event, person_id: int) -> list[str]:
    """A person's table numbers through the programme as `GET …/seating` has them: the
    seating rounds of the phases in order, a round repeated in a row counted once."""
    numbers = {t["id"]: str(t["number"]) for t in event["tables"]}
    route, last = [], None
    for round_ in seating(api, event):
        if round_["round"] == last:
            continue
        last = round_["round"]
        route.extend(numbers[int(table)] for table, people in round_["tables"].items()
                     if person_id in people)
    return route


def test_reception_during_round_2_answers_beside_the_desk_with_the_table_now(server, api,
                                                                          open_page):
    """The latecomer without a phone: the desk's answer names the table of the round that
    runs (what `GET …/seating` says), the whole route, and offers their one slip."""
    event = create_event(api, title="ラウンド2の受付")
    for n in range(12):
        join(api, event, name=f"参加者{n}", theme=THEMES[n % 3])
    control(api, event, "next", from_phase=0)
    control(api, event, "next", from_phase=1)  # ラウンド2: people move
    control(api, event, "start")
    console = open_page(event["urls"]["console"], 1366, 768)
    desk = console.locator("#reception")
    desk.scroll_into_view_if_needed()
    desk.locator("input[name=name]").fill("久保 トメ")
    desk.locator("select[name=affiliation]").select_option("community")
    desk.locator("select[name=theme]").select_option(THEMES[0])
    desk.locator("button").click()

    answer = desk.locator("#reception-answer")
    expect(answer).to_contain_text("久保 トメさんを追加しました")
    expect(answer).to_have_attribute("aria-live", "polite")
    person_id = int(answer.get_attribute("data-participant"))
    now = next(r for r in seating(api, event) if r["phase_index"] == 2)
    table_now = next(int(t) for t, people in now["tables"].items() if person_id in people)
    expect(answer.locator("[data-table-now]")).to_have_attribute("data-table-now",
                                                                 str(table_now))
    number_now = next(t["number"] for t in event["tables"] if t["id"] == table_now)
    expect(answer.locator(".reception__table")).to_have_text(str(number_now))
    route = route_by_seating(api, event, person_id)
    assert len(route) == 4 and route[0] == route[-1]  # home, two moves, home again
    expect(answer.locator(".route")).to_have_text(" → ".join(route))
    expect(console.locator("#flash")).to_be_empty()  # nothing at the page's top
    form, box = desk.locator("form").bounding_box(), answer.bounding_box()
    assert form["y"] + form["height"] <= box["y"] < form["y"] + form["height"] + 120
    assert box["y"] + box["height"] <= 768  # in view where the click was
    screenshot(console, "console-reception-round-2", full_page=False)

    with console.context.expect_page() as opened:
        answer.locator("a[data-slip]").click()
    slip = opened.value
    slip.wait_for_load_state()
    expect(slip.locator(".slip__name")).to_have_text("久保 トメ")
    expect(slip.locator(".slip__route")).to_have_text(" → ".join(route))
    expect(slip.locator(".slip")).to_have_count(1)
    screenshot(slip, "reception-route-slip")
