"""The four views in Chromium: the facilitator starts, the room counts down, pages survive
a server restart without a reload."""

import os
import re
import subprocess
import sys

from playwright.sync_api import expect

from tests.fixtures import loopback
from tests.fixtures.api import control, create_event
from tests.fixtures.browser import screenshot
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds


def remaining_seconds(page) -> int:
    text = page.inner_text("#phase [data-countdown]")
    parts = [int(p) for p in text.split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


def test_start_counts_down_on_projector_and_host(server, api, open_page):
    event = create_event(api)
    console = open_page(event["urls"]["console"], 1366, 900)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    for page in (console, projector, host):
        expect(page.locator("#phase [data-countdown]")).to_have_text("10:00")
        expect(page.locator("body")).not_to_have_class(re.compile("offline"))
    console.click("#controls button[value=start]")
    for page in (projector, host):
        expect(page.locator("#phase [data-countdown]")).to_have_attribute(
            "data-status", "running", timeout=seconds(5) * 1000)
    first = remaining_seconds(projector)
    projector.wait_for_timeout(seconds(2.2) * 1000)
    assert remaining_seconds(projector) < first
    assert abs(remaining_seconds(projector) - remaining_seconds(host)) <= 1
    expect(console.locator("#controls button[value=pause]")).to_be_visible()
    assert projector.locator("[data-countdown]").first.get_attribute("role") == "timer"
    screenshot(console, "console")
    screenshot(projector, "projector")
    screenshot(host, "host")


def test_participant_joins_and_sees_the_home_table(server, api, open_page):
    event = create_event(api)
    phone = open_page(event["urls"]["join"], 390, 844)
    phone.fill("input[name=name]", "山田 花子")
    phone.check("input[name=affiliation][value=npo]")
    phone.select_option("select[name=theme]", event["tables"][1]["theme"])
    phone.fill("textarea[name=expectation]", "子育て支援のつながりを広げたい")
    screenshot(phone, "participant-join")
    phone.click("button[type=submit]")
    expect(phone.locator("#seat .seat__number")).to_have_text("2")
    assert phone.url.endswith(f"/m/{event['id']}")  # its own page, no token in the address
    expect(phone.locator(".my-card")).to_contain_text("子育て支援")
    control(api, event, "start")
    expect(phone.locator("#phase [data-countdown]")).to_have_attribute(
        "data-status", "running", timeout=seconds(5) * 1000)
    screenshot(phone, "participant")


def test_join_form_shows_errors_in_the_page(server, api, open_page):
    event = create_event(api)
    open_page.allowed.append("422")
    phone = open_page(event["urls"]["join"], 390, 844)
    phone.fill("input[name=name]", "   ")
    phone.click("button[type=submit]")
    expect(phone.locator("#form-errors")).to_be_visible()
    expect(phone.locator("#form-errors")).to_contain_text("名前")


def test_create_event_from_the_landing_page(server, open_page):
    open_page.allowed.append("422")
    page = open_page(server.url + "/", 1280, 1000)
    page.click("button[type=submit]")
    expect(page.locator("#form-errors")).to_be_visible()
    page.fill("input[name=title]", "防災ワークショップ")
    rows = page.locator("#table-rows tbody tr")
    # the examples are placeholders, never values: what is not typed makes no table
    names, themes = rows.locator("input[name=table_name]"), rows.locator("input[name=table_theme]")
    for n in range(3):
        expect(names.nth(n)).to_have_value("")
        expect(names.nth(n)).to_have_attribute("placeholder", f"テーブル{n + 1}")
        expect(themes.nth(n)).to_have_value("")
        expect(themes.nth(n)).to_have_attribute("placeholder", re.compile("^例："))
    page.click("[data-add-row=table-rows]")
    expect(names.last).to_have_attribute("placeholder", f"テーブル{rows.count()}")
    expect(themes.last).to_have_attribute("placeholder", "")
    names.nth(0).fill("避難所")
    themes.nth(0).fill("避難所の運営")
    themes.nth(1).fill("備蓄と情報")  # no name: named after its number, as its placeholder said
    screenshot(page, "start-form-placeholders", full_page=False)
    page.click("button[type=submit]")
    expect(page.locator("#event-title")).to_have_text("防災ワークショップ")
    expect(page.locator("#people .people__table")).to_have_count(2)
    expect(page.locator("#people .people__table").nth(1)).to_contain_text("テーブル2")
    assert "token=" not in page.url
    # the console's link is lost with that browser: `worldcafe links` prints it again
    event_id = page.url.rstrip("/").split("/f/")[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDCAFE_")}
    printed = subprocess.run(
        [sys.executable, "-m", "app.cli", "links", event_id, "--database-url",
         server.database_url, "--host", "127.0.0.1", "--port", str(server.port)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds(60))
    assert printed.returncode == 0, printed.stderr
    console_url = re.search(r"facilitator console : (\S+)", printed.stdout).group(1)
    assert f"/f/{event_id}?token=" in console_url and "防災ワークショップ" in printed.stdout
    second = open_page(console_url.replace("localhost", "127.0.0.1"), 1280, 1000)
    expect(second.locator("#event-title")).to_have_text("防災ワークショップ")
    expect(second.locator("#controls")).to_be_visible()


def test_console_says_when_a_click_came_too_late(server, api, open_page):
    event = create_event(api)
    console = open_page(event["urls"]["console"], 1366, 900)
    console.click("#controls button[value=start]")
    expect(console.locator("#phase [data-countdown]")).to_have_attribute("data-status", "running")
    # A second console already moved on, but this one's buttons still say phase 1.
    control(api, event, "next")
    expect(console.locator("#phase .phase__step")).to_contain_text("2／6")
    console.evaluate("document.querySelectorAll('#controls [name=from_phase]')"
                     ".forEach(input => { input.value = '0'; })")
    console.click("#controls button[value=start]")
    expect(console.locator("#controls [data-flash-beside]")).to_contain_text("すでに")
    expect(console.locator("#phase [data-countdown]")).to_have_attribute("data-status", "ready")


def test_pages_recover_after_kill_9_and_restart(make_server, open_page):
    server = make_server()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        event = create_event(client)
        started = control(client, event, "start").json()
    # the server is down, or comes up while a page's socket is on its way (a reset, or a
    # socket closed before its handshake by the dying or the starting server)
    open_page.allowed += ["[object Event]", "ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET",
                          "Connection closed before receiving a handshake response"]
    projector = open_page(event["urls"]["projector"], 1280, 720)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    expect(projector.locator("#phase [data-countdown]")).to_have_attribute(
        "data-ends-at", str(started["ends_at_ms"]))
    server.kill()
    for page in (projector, host):
        expect(page.locator("#connection-banner")).to_be_visible(timeout=seconds(5) * 1000)
    screenshot(projector, "projector-offline")
    server.start()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        control(client, event, "extend", seconds=60)
    for page in (projector, host):
        expect(page.locator("#connection-banner")).to_be_hidden(timeout=seconds(5) * 1000)
        expect(page.locator("#phase [data-countdown]")).to_have_attribute(
            "data-ends-at", str(started["ends_at_ms"] + 60_000), timeout=seconds(5) * 1000)


def test_language_switch_per_device(server, api, open_page):
    event = create_event(api)
    phone = open_page(event["urls"]["join"], 390, 844)
    expect(phone.locator("button[type=submit]")).to_have_text("参加する")
    phone.click("a[lang=en]")
    expect(phone.locator("button[type=submit]")).to_have_text("Join")


def test_one_minute_warning_then_a_visual_cue_at_zero(server, api, open_page):
    program = [{"kind": "briefing", "title": "短い説明", "minutes": 0.05},
               {"kind": "plain", "title": "休憩", "minutes": 5}]
    event = create_event(api, program=program)
    host = open_page(event["tables"][0]["host_url"], 1180, 820)
    control(api, event, "start")
    countdown = host.locator("#phase [data-countdown]")
    expect(countdown).to_have_class(re.compile("countdown--warning"), timeout=seconds(3) * 1000)
    expect(host.locator("body")).to_have_class(re.compile("time-warning"))
    expect(countdown).to_have_class(re.compile("countdown--done"), timeout=seconds(6) * 1000)
    expect(host.locator("body")).to_have_class(re.compile("time-up"))
    expect(countdown).to_have_text("0:00")
    expect(host.locator("#phase .phase__over")).to_be_visible()  # not "in progress"
    expect(host.locator("#phase .phase__running")).to_be_hidden()
    screenshot(host, "host-time-up")
    control(api, event, "next")
    expect(host.locator("body")).not_to_have_class(re.compile("time-up"),
                                                   timeout=seconds(3) * 1000)


def test_the_edit_form_saves_title_tables_and_program(server, api, open_page):
    event = create_event(api)
    console = open_page(event["urls"]["console"], 1366, 1000)
    console.click("a[href$='/edit']")
    console.fill("input[name=title]", "防災ワーキング（改）")
    console.locator("input[name=table_name]").nth(1).fill("子ども")
    console.click("[data-add-row=table-rows]")
    console.locator("#table-rows tbody tr").last.locator("input[name=table_name]").fill("新しい卓")
    console.locator("input[name=phase_title]").first.fill("はじめのあいさつ")
    console.click("button[type=submit]")
    expect(console.locator("#event-title")).to_have_text("防災ワーキング（改）")
    expect(console.locator("#people .people__table")).to_have_count(4)
    expect(console.locator("#program")).to_contain_text("はじめのあいさつ")
    body = api.get(f"/api/v1/sessions/{event['id']}",
                   headers={"Authorization": f"Bearer {event['facilitator_token']}"}).json()
    assert body["title"] == "防災ワーキング（改）"
    assert [t["name"] for t in body["tables"]][1:] == ["子ども", "テーブル3", "新しい卓"]
    assert body["program"][0]["title"] == "はじめのあいさつ"
