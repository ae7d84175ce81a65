"""Three phones join, the first move is set up, each phone shows its table; a latecomer
is seated without moving anyone."""

from playwright.sync_api import expect

from tests.fixtures.api import bearer, control, create_event, join
from tests.fixtures.browser import screenshot
from tests.fixtures.timing import seconds


def join_by_phone(open_page, event, name, theme):
    phone = open_page(event["urls"]["join"], 390, 844)
    phone.fill("input[name=name]", name)
    phone.check("input[name=affiliation][value=citizen]")
    phone.select_option("select[name=theme]", theme)
    phone.click("button[type=submit]")
    expect(phone.locator("#seat .seat__number")).to_be_visible()
    return phone


def seats_by_name(api, event, phase_index):
    body = api.get(f"/api/v1/sessions/{event['id']}",
                   headers=bearer(event["facilitator_token"])).json()
    names = {p["id"]: p["name"] for p in body["participants"]}
    numbers = {t["id"]: t["number"] for t in body["tables"]}
    rounds = api.get(f"/api/v1/sessions/{event['id']}/seating",
                     headers=bearer(event["facilitator_token"])).json()["rounds"]
    round_ = next(r for r in rounds if r["phase_index"] == phase_index)
    return {names[p]: numbers[int(t)] for t, people in round_["tables"].items() for p in people}


def test_phones_show_their_table_and_a_latecomer_moves_nobody(server, api, open_page):
    event = create_event(api)
    themes = [t["theme"] for t in event["tables"]]
    phones = {name: join_by_phone(open_page, event, name, theme)
              for name, theme in zip(("青木", "石井", "上田"), themes, strict=True)}
    console = open_page(event["urls"]["console"], 1366, 900)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    control(api, event, "next", from_phase=0)
    control(api, event, "next", from_phase=1)  # the first moving round is set up
    expected = seats_by_name(api, event, 2)
    for name, phone in phones.items():
        expect(phone.locator("#seat .seat__label")).to_contain_text(
            "移動", timeout=seconds(5) * 1000)
        expect(phone.locator("#seat .seat__number")).to_have_text(str(expected[name]))
        expect(phone.locator("#seat .route")).to_contain_text("→")
    screenshot(phones["青木"], "participant-move")
    expect(projector.locator("#screen")).to_have_attribute("data-screen", "moves")
    expect(projector.locator("#moves")).to_contain_text("から")
    screenshot(projector, "projector-movement")
    screenshot(console, "console-seating")

    late = join_by_phone(open_page, event, "遠藤", themes[0])
    after = seats_by_name(api, event, 2)
    assert {n: t for n, t in after.items() if n != "遠藤"} == expected
    expect(late.locator("#seat .seat__number")).to_have_text(str(after["遠藤"]))
    for name, phone in phones.items():
        expect(phone.locator("#seat .seat__number")).to_have_text(str(expected[name]))
    expect(console.locator("#people")).to_contain_text("遠藤")


def test_host_sees_who_comes_and_can_mark_someone_absent(server, api, open_page):
    event = create_event(api)
    themes = [t["theme"] for t in event["tables"]]
    for n in range(6):
        api.post(f"/api/v1/sessions/{event['id']}/participants",
                 json={"join_code": event["join_code"], "name": f"人{n}",
                       "affiliation": "citizen", "theme": themes[n % 3]})
    control(api, event, "next", from_phase=0)
    control(api, event, "next", from_phase=1)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    expect(host.locator("#table-people h2")).to_contain_text("来る")
    cards = host.locator("#table-people .cards .card")
    expect(cards).to_have_count(2)
    first_name = cards.first.locator(".card__author").inner_text().split()[0]
    cards.first.locator("button[value=yes]").click()
    expect(host.locator("#table-people .missing")).to_contain_text(first_name)
    expect(cards).to_have_count(1)
    screenshot(host, "host-seating")


def test_console_says_when_a_table_is_full(server, api, open_page):
    tables = [{"name": f"T{n}", "theme": theme, "capacity": 2}
              for n, theme in enumerate(("A", "B", "C"), 1)]
    event = create_event(api, tables=tables)
    for n in range(6):
        api.post(f"/api/v1/sessions/{event['id']}/participants",
                 json={"join_code": event["join_code"], "name": f"人{n}", "theme": "ABC"[n % 3]})
    control(api, event, "next", from_phase=0)
    control(api, event, "next", from_phase=1)
    open_page.allowed.append("status of 400")  # the refused move, on purpose
    console = open_page(event["urls"]["console"], 1366, 900)
    first_table = console.locator("#people .people__table").first
    menu = first_table.locator(".person select[name=table_id]").first
    other = next(t["id"] for t in event["tables"] if str(t["id"]) != menu.input_value())
    before = seats_by_name(api, event, 2)
    menu.select_option(str(other))
    expect(first_table.locator("form.person__menu + [data-flash-beside]")).to_contain_text("満席")
    assert seats_by_name(api, event, 2) == before


def test_the_console_plans_the_moves_before_the_first_one(server, api, open_page):
    event = create_event(api)
    themes = [t["theme"] for t in event["tables"]]
    for n in range(6):
        join(api, event, f"人{n}", theme=themes[n % 3])
    console = open_page(event["urls"]["console"], 1366, 900)
    plan = console.locator("#plan")
    expect(plan.locator(".plan__figures")).to_have_count(0)
    plan.locator("button[data-plan-now]").click()
    expect(plan.locator(".plan__figures")).to_be_visible(timeout=seconds(5) * 1000)
    expect(plan.locator("button[data-plan-now]")).to_have_count(0)
    expect(console.locator("#plan + [data-flash-beside]")).not_to_be_empty()
    moving = seats_by_name(api, event, 2)
    assert set(moving) == {f"人{n}" for n in range(6)}
    assert moving != seats_by_name(api, event, 1)  # planned: people move at phase 2
    state = api.get(f"/api/v1/sessions/{event['id']}/state",
                    headers=bearer(event["facilitator_token"])).json()
    assert state["phase_index"] == 0
    screenshot(console, "console-plan-now")

    join(api, event, "遅刻者", theme=themes[0])
    plan.locator("summary").click()
    expect(plan.locator(".plan__routes")).to_contain_text("遅刻者")
    assert {n: t for n, t in seats_by_name(api, event, 2).items() if n != "遅刻者"} == moving
