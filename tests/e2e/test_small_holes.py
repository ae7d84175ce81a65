"""Small holes closed, in Chromium: a phone that joined is asked before a link with
another participant's token makes it that person, and the projector clips what a card
draws at the card's edge."""

import uuid

from playwright.sync_api import expect

from tests.fixtures.api import board, control, create_event, join, post_until_accepted
from tests.fixtures.browser import expect_screen, screenshot, wait_ms


def test_a_joined_phone_asks_before_it_becomes_another_participant(server, api, open_page):
    event = create_event(api)
    ichiro, hanako = join(api, event, "一郎").json(), join(api, event, "花子").json()
    phone_link = f"{server.url}/m/{event['id']}?token="
    phone = open_page(phone_link + ichiro["token"], 390, 844)
    expect(phone.locator("body")).to_contain_text("一郎", timeout=wait_ms())
    open_page.allowed.append("status of 409")  # the question keeps the token URL hidden
    phone.goto(phone_link + hanako["token"])
    expect(phone.get_by_role("heading")).to_have_text("別の参加者として続けますか？")
    screenshot(phone, "phone-asks-before-switching")
    phone.locator("[data-choice=stay]").click()
    phone.wait_for_url(f"{server.url}/m/{event['id']}")
    expect(phone.locator("body")).to_contain_text("一郎", timeout=wait_ms())
    expect(phone.locator("body")).not_to_contain_text("花子")
    phone.goto(phone_link + hanako["token"])
    phone.locator("[data-choice=switch]").click()
    phone.wait_for_url(f"{server.url}/m/{event['id']}")
    expect(phone.locator("body")).to_contain_text("花子", timeout=wait_ms())
    assert "token=" not in phone.url


def test_the_projector_clips_a_card_at_its_edge(server, api, open_page):
    event = create_event(api)
    person = join(api, event, "一郎").json()
    stacked = "Z\u0336\u0489\u0334" * 12  # three marks on every letter: the most allowed
    for text in (stacked, "見守りの輪"):
        assert post_until_accepted(api, event, person["token"], text,
                                   str(uuid.uuid4())) == 201
    projector = open_page(event["urls"]["projector"], 1280, 720)
    board(api, event, screen="board")
    expect_screen(projector, "board")
    expect(projector.locator("#board .card")).to_have_count(2, timeout=wait_ms())
    overflow = projector.eval_on_selector_all(
        "#board .card, #board .card__text",
        "items => items.map(item => getComputedStyle(item).overflowY)")
    assert overflow and set(overflow) == {"clip"}
    screenshot(projector, "projector-card-with-stacked-marks")
    control(api, event, "finish")
