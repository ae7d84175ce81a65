"""The tablets' own engine: a host tablet and a phone in WebKit count down, add cards, keep
a card through a server restart and show the phone its next table."""

from __future__ import annotations

from tests.fixtures import loopback
from tests.fixtures.api import bearer, control, create_event, join
from tests.fixtures.timing import eventually, seconds
from tests.webkit.conftest import WAIT

TABLET = (1180, 820)
PHONE = (390, 844)  # MiniBrowser's window is at least ~450 px wide: a large phone
COUNTDOWN = "#phase [data-countdown]"


def cards(server, event) -> list[dict]:
    response = loopback.get(f"{server.url}/api/v1/sessions/{event['id']}/cards",
                            headers=bearer(event["facilitator_token"]), timeout=seconds(10))
    assert response.status_code == 200, response.text
    return response.json()["cards"]


def wait_for_cards(server, event, count: int) -> list[dict]:
    """The stored cards, once there are `count` of them (polling the API, for WAIT s)."""
    return eventually(lambda: cards(server, event), WAIT, f"{count} cards stored",
                      interval=0.1, until=lambda stored: len(stored) >= count)


def remaining_seconds(text: str) -> int:
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


def seats_by_name(api, event, phase_index: int) -> dict[str, int]:
    headers = bearer(event["facilitator_token"])
    body = api.get(f"/api/v1/sessions/{event['id']}", headers=headers).json()
    names = {p["id"]: p["name"] for p in body["participants"]}
    numbers = {t["id"]: t["number"] for t in body["tables"]}
    rounds = api.get(f"/api/v1/sessions/{event['id']}/seating", headers=headers).json()["rounds"]
    round_ = next(r for r in rounds if r["phase_index"] == phase_index)
    return {names[p]: numbers[int(t)] for t, people in round_["tables"].items() for p in people}


def start_and_wait_for_ticks(api, event, *devices) -> None:
    control(api, event, "start")
    for device in devices:
        device.wait(lambda d=device: d.attribute(COUNTDOWN, "data-status") == "running",
                    "the phase did not start")
        ticks(device)


def ticks(device) -> None:
    """The countdown's text changes (it moves on by itself)."""
    first = device.text(COUNTDOWN)
    device.wait(lambda: device.text(COUNTDOWN) != first, f"the countdown stayed at {first}")


def test_host_tablet_and_phone_count_down(server, api, open_device):
    event = create_event(api)
    table = event["tables"][0]
    person = join(api, event, "佐藤", theme=table["theme"]).json()
    host = open_device(table["host_url"], *TABLET, name="host tablet")
    phone = open_device(person["url"], *PHONE, name="phone")
    assert host.driver.current_url.endswith(f"/h/{event['id']}")
    assert phone.driver.current_url.endswith(f"/m/{event['id']}")
    for device in (host, phone):
        device.wait(device.online, "the live socket did not open")
        assert device.text(COUNTDOWN) == "10:00"
        assert device.attribute(COUNTDOWN, "data-status") == "ready"
    start_and_wait_for_ticks(api, event, host, phone)
    for device in (host, phone):
        assert 590 < remaining_seconds(device.text(COUNTDOWN)) < 600
    assert abs(remaining_seconds(host.text(COUNTDOWN))
               - remaining_seconds(phone.text(COUNTDOWN))) <= 1
    # the error hook sees what this engine throws
    phone.js("setTimeout(function () { throw new Error('a probe'); }, 0);")
    phone.wait(lambda: any("a probe" in e for e in phone.collect_errors()),
               "the error hook missed an uncaught error")
    phone.errors = [e for e in phone.errors if "a probe" not in e]


def test_the_host_tablet_stays_awake_and_wakes_up(server, api, open_device):
    """What WebKit does its own way: audio and the screen wake lock need a tap (WebKit
    refuses the wake lock without a user activation), the tablet's screen goes off and on
    (visibilitychange), Safari brings a page back from its back-forward cache (pageshow)."""
    event = create_event(api)
    host = open_device(event["tables"][0]["host_url"], *TABLET, name="host tablet")
    host.wait(host.online, "the live socket did not open")
    start_and_wait_for_ticks(api, event, host)
    host.find("#enable-sound").click()
    host.wait(lambda: host.hidden("#enable-sound"), "the sound button stayed")
    host.wait(lambda: host.js("return window.__webkit.audio && window.__webkit.audio.state")
              == "running", "the tap did not start the audio")
    host.wait(lambda: host.js("return window.__webkit.wakeLock").count("granted") == 1,
              lambda: f"no wake lock after a tap: {host.js('return window.__webkit.wakeLock')}")

    host.driver.minimize_window()  # the screen goes off
    host.wait(lambda: host.js("return document.visibilityState") == "hidden", "still visible")
    host.wait(lambda: "released" in host.js("return window.__webkit.wakeLock"),
              "the wake lock was not released while hidden")
    host.driver.set_window_rect(width=TABLET[0], height=TABLET[1])  # and on again
    host.wait(lambda: host.js("return document.visibilityState") == "visible", "still hidden")
    host.wait(lambda: host.js("return window.__webkit.wakeLock").count("granted") == 2,
              lambda: f"the wake lock was not taken again: "
                      f"{host.js('return window.__webkit.wakeLock')}")
    host.wait(host.online, "the socket did not survive the screen going off")
    ticks(host)

    open_device.allowed.append("[object Event]")  # the ws extension logs the socket WebKit
    host.js("window.__before = 'the back-forward cache';")  # closes for its cache
    host.driver.get(f"{server.url}/healthz")
    host.driver.back()
    host.wait(lambda: host.js("return document.readyState") == "complete", "not back")
    assert host.js("return window.__before") == "the back-forward cache"  # the same page
    host.wait(host.online, "the page from the back-forward cache did not reconnect")
    ticks(host)
    assert host.js("return !window.__webkit.sentinel.released;"), "no wake lock held"
    assert not any(r.startswith("refused") for r in host.js("return window.__webkit.wakeLock"))


def test_host_and_phone_add_cards_that_are_stored(server, api, open_device):
    event = create_event(api)
    table = event["tables"][0]
    person = join(api, event, "佐藤", theme=table["theme"]).json()
    host = open_device(table["host_url"], *TABLET, name="host tablet")
    phone = open_device(person["url"], *PHONE, name="phone")
    control(api, event, "start")
    for device in (host, phone):
        device.wait(device.online, "the live socket did not open")
    host.add_card("見守りボランティアが足りない")
    phone.add_card("子どもの居場所を増やしたい", press_enter=False)  # the button, this time
    stored = wait_for_cards(server, event, 2)
    assert sorted((c["author_kind"], c["text"]) for c in stored) == [
        ("host", "見守りボランティアが足りない"), ("participant", "子どもの居場所を増やしたい")]
    assert all(c["table_id"] == table["id"] for c in stored)
    host.wait(lambda: host.count("#table-cards .card") == 2, "the table's cards did not show")
    phone.wait(lambda: phone.count("#my-cards .card") == 1, "the phone's card did not show")
    for device in (host, phone):
        assert device.hidden("#unsent-badge")
        assert device.attribute("#unsent-badge", "data-unsent-count") == "0"
    host.screenshot("webkit-host")
    phone.screenshot("webkit-phone")


def test_a_card_written_while_the_server_is_down_arrives_once(make_server, open_device):
    server = make_server()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        event = create_event(client)
        table = event["tables"][0]
        person = join(client, event, "佐藤", theme=table["theme"]).json()
        control(client, event, "start")
    host = open_device(table["host_url"], *TABLET, name="host tablet")
    phone = open_device(person["url"], *PHONE, name="phone")
    for device in (host, phone):
        device.wait(device.online, "the live socket did not open")
    open_device.allowed += ["[object Event]"]  # the ws extension logs the failed reconnects
    server.stop()
    for device in (host, phone):
        device.wait(lambda d=device: not d.hidden("#connection-banner"),
                    "no banner while the server is down")
    written = {host: "停電のときの連絡網", phone: "避難所の場所を知らない"}
    for device, text in written.items():
        device.add_card(text)
        device.wait(lambda d=device: d.attribute("#unsent-badge", "data-unsent-count") == "1",
                    "the card was not queued")
        assert not device.hidden("#unsent-badge")
    host.screenshot("webkit-host-offline")
    server.start()  # the same port and database
    for device in (host, phone):
        device.wait(device.online, "the page did not reconnect", timeout=WAIT * 2)
        device.wait(lambda d=device: d.attribute("#unsent-badge", "data-unsent-count") == "0",
                    "the queued card was not sent", timeout=WAIT * 2)
        assert device.hidden("#unsent-badge")
    stored = wait_for_cards(server, event, 2)
    assert sorted(c["text"] for c in stored) == sorted(written.values())  # each exactly once
    host.wait(lambda: host.count("#table-cards .card") == 2,
              lambda: "the table's cards did not show: " + repr(host.js(
                  "return Array.from(document.querySelectorAll('#table-cards .card'))"
                  ".map(function (c) { return c.id + ' ' + c.textContent.trim(); })")))
    phone.wait(lambda: phone.count("#my-cards .card") == 1, "the phone's card did not show")
    phone.open(phone.driver.current_url)  # a reload sends nothing again
    phone.wait(lambda: phone.count("#my-cards .card") == 1, "the phone's card is gone")
    assert phone.attribute("#unsent-badge", "data-unsent-count") == "0"
    assert sorted(c["text"] for c in cards(server, event)) == sorted(written.values())


def test_the_phone_shows_where_to_go_after_the_move_is_set_up(server, api, open_device):
    event = create_event(api)
    themes = [t["theme"] for t in event["tables"]]
    phone = open_device(event["urls"]["join"], *PHONE, name="phone")
    phone.find("input[name=name]").send_keys("青木 花子")
    phone.find("input[name=affiliation][value=npo]").click()
    phone.select("select[name=theme]", themes[1])
    phone.find("textarea[name=expectation]").send_keys("子育て支援のつながりを広げたい")
    phone.collect_errors()  # before the form leaves the page
    phone.find("button[type=submit]").click()
    phone.wait(lambda: phone.driver.current_url.endswith(f"/m/{event['id']}"),
               "the join form did not lead to the phone's page")
    phone.loaded()
    phone.wait(lambda: phone.text("#seat .seat__number") == "2", "not seated at table 2")
    for name, theme in (("石井", themes[0]), ("上田", themes[2])):
        assert join(api, event, name, theme=theme).status_code == 201
    phone.wait(phone.online, "the live socket did not open")
    control(api, event, "next", from_phase=0)
    control(api, event, "next", from_phase=1)  # the first moving round is set up
    expected = seats_by_name(api, event, 2)["青木 花子"]
    phone.wait(lambda: "移動" in (phone.text("#seat .seat__label") or ""),
               "the phone does not say to move")
    phone.wait(lambda: phone.text("#seat .seat__number") == str(expected),
               f"the phone does not show table {expected}")
    assert "→" in phone.text("#seat .route")
    phone.screenshot("webkit-phone-move")
