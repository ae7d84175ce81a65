"""48 people join in a shuffled order; the console shows each home table's mix of
affiliations and re-balances them before the first round, after which the button goes
and the API refuses."""

import random
from collections import Counter

from playwright.sync_api import expect

from tests.fixtures.api import assert_refused, bearer, control, create_event
from tests.fixtures.browser import ARTIFACTS, screenshot, wait_ms

THEMES = ("高齢者を地域で支え合う", "子どもの成長を地域で支える", "市民参画による魅力発信")
SIX_TABLES = [{"name": f"テーブル{n + 1}", "theme": THEMES[n // 2]} for n in range(6)]
PEOPLE = Counter(citizen=14, city=9, npo=8, business=8, community=6, other=3)
"""48 people as a city office's workshop might have them."""
UNLUCKY_SEED = 90
"""A shuffle whose joins leave a table with 4 citizens of 7 (37 of the 1971 shuffles of
these 48 whose mix allows it leave some table like that), although each theme's 16 can sit
at two tables of 8 with no kind over half."""


def seating_of(api, event) -> dict:
    response = api.get(f"/api/v1/sessions/{event['id']}/seating",
                       headers=bearer(event["facilitator_token"]))
    assert response.status_code == 200, response.text
    return response.json()


def mixed(mix: dict[str, int]) -> bool:
    return len(mix) >= 2 and 2 * max(mix.values()) <= sum(mix.values())


def wait_until_seated(console, people: int) -> None:
    """The console's home mix counts `people` (the last join's push has arrived)."""
    console.wait_for_function(
        """people => [...document.querySelectorAll('#plan tr[data-table-id]')]
             .reduce((sum, row) => sum + Number(row.dataset.seated), 0) === people""",
        arg=people, timeout=wait_ms())


def shot(locator, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_48_shuffled_joins_get_mixed_home_tables_on_the_console(server, api, open_page):
    event = create_event(api, tables=SIX_TABLES)
    console = open_page(event["urls"]["console"], 1366, 768)
    rows = console.locator("#plan [data-home-mix] tr[data-table-id]")
    expect(rows).to_have_count(6)
    joiners = [kind for kind, count in PEOPLE.items() for _ in range(count)]
    rng = random.Random(UNLUCKY_SEED)
    rng.shuffle(joiners)
    themes = [THEMES[n % 3] for n in range(48)]
    rng.shuffle(themes)
    for theme in THEMES:  # the mix allows it: each kind at most half a table, twice
        kinds = Counter(k for k, t in zip(joiners, themes, strict=True) if t == theme)
        assert sum(kinds.values()) == 16 and max(kinds.values()) <= 8
    for n, (kind, theme) in enumerate(zip(joiners, themes, strict=True)):
        response = api.post(f"/api/v1/sessions/{event['id']}/participants",
                            json={"join_code": event["join_code"], "name": f"参加者{n + 1}",
                                  "affiliation": kind, "theme": theme})
        assert response.status_code == 201, response.text
    wait_until_seated(console, 48)
    before = seating_of(api, event)["home_mix"]
    assert sum(sum(e["mix"].values()) for e in before) == 48
    unmixed = [e["table_id"] for e in before if not mixed(e["mix"])]
    assert unmixed  # this order was unlucky for the joiner's rule
    for table_id in unmixed:
        expect(console.locator(f"#plan tr[data-table-id='{table_id}']")).to_have_class(
            "plan__unmixed")
    shot(console.locator("#plan"), "console-home-mix-joined")

    console.locator("[data-rebalance]").click()
    # the answer beside what was clicked (the plan, which the change redraws), not at the top
    answer = console.locator("[data-flash-beside]").filter(has_text="人のホームテーブルを変え")
    expect(answer).to_be_visible(timeout=wait_ms())
    expect(console.locator("#flash")).to_have_text("")
    expect(console.locator("#plan tr.plan__unmixed")).to_have_count(0, timeout=wait_ms())
    after = seating_of(api, event)["home_mix"]
    for entry in after:
        assert mixed(entry["mix"]), after
        assert sum(entry["mix"].values()) == 8
        row = console.locator(f"#plan tr[data-table-id='{entry['table_id']}']")
        expect(row).to_have_attribute("data-kinds", str(len(entry["mix"])))
        expect(row).to_have_attribute("data-largest", str(max(entry["mix"].values())))
    theme_of = {t["id"]: t["theme"] for t in event["tables"]}
    assert [theme_of[e["table_id"]] for e in after] == [e["theme"] for e in after]
    per_theme = {theme: sum((Counter(e["mix"]) for e in after if e["theme"] == theme),
                            Counter()) for theme in THEMES}
    assert per_theme == {theme: sum((Counter(e["mix"]) for e in before if e["theme"] == theme),
                                    Counter()) for theme in THEMES}  # nobody changed theme
    shot(console.locator("#plan"), "console-home-mix-rebalanced")
    screenshot(console, "console-home-mix", full_page=False)

    control(api, event, "next", from_phase=0)
    control(api, event, "start", from_phase=1)  # the first round has started
    expect(console.locator("[data-rebalance]")).to_have_count(0, timeout=wait_ms())
    assert_refused(api.post(f"/api/v1/sessions/{event['id']}/seating/rebalance",
                            headers=bearer(event["facilitator_token"])), 409, "rounds_started")
