"""Harvest insight in Chromium: the console asks for suggested groups, renames one, leaves
a card out and accepts it (the group reaches the board, the suggestion leaves the panel),
dismisses another; the projector shows no suggestion; who said what side by side."""

from playwright.sync_api import expect

from tests.fixtures.api import api_path, bearer, grouped
from tests.fixtures.browser import screenshot
from tests.fixtures.harvest import event_with_cards, suggesting
from tests.fixtures.timing import eventually, seconds


def wait_ms() -> float:
    """Suggesting groups takes longer than a push: 20 s, stretched by the load."""
    return seconds(20) * 1000


def test_suggested_groups_are_accepted_renamed_and_dismissed_on_the_console(
        server, api, open_page):
    event, topics = event_with_cards(api)
    api.patch(api_path(event, "/board"), json={"view": "group"},
              headers=bearer(event["facilitator_token"]))
    console = open_page(event["urls"]["console"], 1366, 900)
    projector = open_page(event["urls"]["projector"], 1920, 1080)
    panel = console.locator("#suggestions")
    panel.get_by_role("button").click()
    suggestions = panel.locator(".suggestion")
    expect(suggestions.first).to_be_visible(timeout=suggesting() * 1000)  # vectors loaded
    count = suggestions.count()
    assert count >= 2
    first = suggestions.first
    expect(first.locator(".suggestion__card")).not_to_have_count(0)
    texts = first.locator(".suggestion__card span").all_inner_texts()
    assert texts and set(texts) <= set(card["text"] for card in api.get(
        api_path(event, "/cards"), headers=bearer(event["facilitator_token"])).json()["cards"])
    panel.scroll_into_view_if_needed()
    screenshot(console, "console-suggestions")

    first.locator("input[name=name]").fill("提案から作ったグループ")
    left_out = first.locator("input[name=cards]").first
    left_out_id = left_out.get_attribute("value")
    left_out.uncheck()
    first.locator("button.button--primary").click()  # Accept
    expect(suggestions).to_have_count(count - 1, timeout=wait_ms())
    # the answer stays in the panel, where the suggestion was, not at the page's top
    expect(panel.locator("#suggestions-answer")).to_contain_text("提案から作ったグループ")
    expect(console.locator("#flash")).to_have_text("")
    screenshot(console, "console-suggestion-accepted", full_page=False)
    column = console.locator("#board .board__table").filter(
        has=console.locator(".board__name", has_text="提案から作ったグループ"))
    expect(column).to_have_count(1, timeout=wait_ms())
    expect(column.locator(".card")).to_have_count(len(texts) - 1)
    expect(projector.locator("#board")).to_contain_text("提案から作ったグループ",
                                                        timeout=wait_ms())
    assert projector.locator("#suggestions, .suggestion").count() == 0
    eventually(lambda: grouped(server, event)[left_out_id] is None)

    suggestions.first.locator("[data-dismiss-suggestion]").click()
    expect(suggestions).to_have_count(count - 2)
    assert len([g for g in grouped(server, event).values() if g]) == len(texts) - 1

    stakeholders = console.locator("#stakeholders")
    stakeholders.get_by_role("button").click()
    voices = stakeholders.locator(".stakeholders__voice")
    expect(voices.first).to_be_visible(timeout=wait_ms())
    expect(stakeholders.locator(".stakeholders__groups")).to_contain_text(
        "提案から作ったグループ")
    assert stakeholders.locator('[data-stakeholder="city"] .keyword').count() > 0
    stakeholders.scroll_into_view_if_needed()
    screenshot(console, "console-stakeholders")
