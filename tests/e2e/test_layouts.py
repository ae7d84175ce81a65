"""Every view, and every projector screen, in Japanese and English at the sizes of a real
hall (1366×768 and 1280×720 laptops and projectors, 1920×1080, a 1180×820 tablet, a 390×844
phone): a screenshot of each in test-artifacts/, no page wider than the screen, and no
button whose label wraps."""

import uuid

import pytest

from tests.fixtures import loopback
from tests.fixtures.api import bearer, control, create_event, join, post_until_accepted
from tests.fixtures.browser import ARTIFACTS, screenshot
from tests.fixtures.timing import seconds

SIZES = ((1366, 768), (1920, 1080), (1280, 720), (1180, 820), (390, 844))
SCREENS = ("timer", "moves", "board", "ranking", "end")

WRAPPED_BUTTONS = """() => [...document.querySelectorAll('button, .button')].filter((button) => {
  if (!button.offsetParent || !button.textContent.trim()) return false;
  const range = document.createRange();
  range.selectNodeContents(button);
  const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
  return lines.size > 1;
}).map((button) => button.textContent.trim())"""


@pytest.fixture(scope="module")
def hall(server):
    """An event under way: six tables, eighteen people, thirty-six cards."""
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as api:
        return _hall(api)


def _hall(api):
    event = create_event(api, tables=[
        {"name": name, "theme": theme} for name, theme in (
            ("Aテーブル", "高齢者を地域で支え合う"), ("Bテーブル", "子どもの成長を地域で支える"),
            ("Cテーブル", "市民参画による魅力発信"), ("Dテーブル", "高齢者を地域で支え合う"),
            ("Eテーブル", "子どもの成長を地域で支える"), ("Fテーブル", "市民参画による魅力発信"))])
    people = [join(api, event, f"参加者{n}", theme=event["tables"][n % 3]["theme"]).json()
              for n in range(18)]
    for n in range(36):
        post_until_accepted(api, event, people[n % 18]["token"],
                            f"{n}: 地域の見守りの担い手が足りない", str(uuid.uuid4()))
    facilitator = bearer(event["facilitator_token"])
    control(api, event, "start")
    control(api, event, "next", from_phase=0)
    return event, people, facilitator


def device(browser, server, language: str):
    context = browser.new_context(locale="ja-JP")
    context.add_cookies([{"name": "wc_lang", "value": language, "url": server.url}])
    return context


def check(page, name: str, language: str, projector: bool = False) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(50)  # a frame for the layout (not a condition to wait for)
        screenshot(page, f"layout-{name}-{language}-{width}x{height}")
        if not projector:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                name, language, width)
        assert page.evaluate(WRAPPED_BUTTONS) == [], (name, language, width)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_view_at_every_size(server, api, browser, hall, language):
    event, people, facilitator = hall
    context = device(browser, server, language)
    try:
        page = context.new_page()
        for name, url in (("landing", f"{server.url}/"),
                          ("join", event["urls"]["join"]),
                          ("phone", people[0]["url"]),
                          ("host", event["tables"][0]["host_url"]),
                          ("console", event["urls"]["console"])):
            page.goto(url)
            page.wait_for_url(lambda address: "token=" not in address)
            page.wait_for_load_state("load")
            check(page, name, language)
        page.goto(event["urls"]["projector"])
        page.wait_for_url(lambda address: "token=" not in address)
        for screen in SCREENS:
            api.patch(f"/api/v1/sessions/{event['id']}/board", json={"screen": screen},
                      headers=facilitator)
            page.locator(f"#screen[data-screen={screen}]").wait_for(state="attached")
            check(page, f"projector-{screen}", language, projector=True)
        api.patch(f"/api/v1/sessions/{event['id']}/board", json={"screen": "auto"},
                  headers=facilitator)
    finally:
        context.close()
    assert len(list(ARTIFACTS.glob(f"layout-*-{language}-*.png"))) >= 10 * len(SIZES)
