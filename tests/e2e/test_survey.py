"""Consent and the survey in the browser: the join page with a privacy notice on a phone
(390×844: nothing chosen for the newcomer, the button on screen, each missing choice
named), and a survey started on the console, answered on a phone, counted live."""

from playwright.sync_api import expect

from tests.fixtures.api import create_event, join
from tests.fixtures.browser import ARTIFACTS, screenshot, wait_ms

NOTICE = ("お預かりした氏名・所属・テーマは、本ワークショップの席の案内と、報告書での集計"
          "（氏名は載せません）にのみ使用します。\n終了後30日で氏名を消去します。"
          "\nお問い合わせ：市民協働推進課（内線1234）")
PHONE = (390, 844)


def test_the_join_page_asks_for_every_choice_and_consent(server, api, open_page):
    event = create_event(api, privacy_notice=NOTICE)
    open_page.allowed.append("422")
    phone = open_page(event["urls"]["join"], *PHONE)
    expect(phone.locator("[data-privacy-notice]")).to_contain_text("内線1234")
    expect(phone.locator("input[name=affiliation]:checked")).to_have_count(0)
    expect(phone.locator("select[name=theme]")).to_have_value("")
    expect(phone.locator("select[name=theme] option:checked")).to_have_text("選択してください")
    button = phone.locator("button[type=submit]")
    expect(button).to_be_in_viewport()
    box = button.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE[1]
    screenshot(phone, "join-consent-390x844", full_page=False)

    phone.fill("input[name=name]", "佐藤 一郎")
    button.click()
    expect(phone.locator("#form-errors")).to_contain_text("所属を一覧から選んでください")
    phone.check("input[name=affiliation][value=city]")
    phone.locator("button[type=submit]").click()
    expect(phone.locator("#form-errors")).to_contain_text("テーマを一覧から選んでください")
    expect(phone.locator("input[name=affiliation][value=city]")).to_be_checked()
    phone.select_option("select[name=theme]", event["tables"][2]["theme"])
    phone.locator("button[type=submit]").click()
    expect(phone.locator("#form-errors")).to_contain_text("同意が必要です")
    phone.check("[data-consent]")
    expect(phone.locator("button[type=submit]")).to_be_in_viewport()
    phone.locator("button[type=submit]").click()
    phone.wait_for_url(f"**/m/{event['id']}")
    expect(phone.locator("#seat .seat__number")).to_have_text("3")


def test_a_survey_is_started_answered_on_a_phone_and_counted_live(server, api, open_page):
    event = create_event(api)
    person = join(api, event, "回答する人").json()
    console = open_page(event["urls"]["console"], 1366, 1000)
    phone = open_page(person["url"], *PHONE)
    expect(phone.locator("#survey [data-survey]")).to_have_count(0)

    counts = console.locator("#survey-counts")
    counts.locator("[data-survey-start]").click()
    expect(counts.locator("[data-question]")).to_have_count(4, timeout=wait_ms())
    expect(counts).to_contain_text("満足度")
    counts.locator("[data-survey-open-button]").click()
    survey = phone.locator("#survey[data-survey]")
    expect(survey).to_be_visible(timeout=wait_ms())
    expect(survey.locator("[data-question]")).to_have_count(4)

    for target in survey.locator(".survey__option span").all():
        box = target.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48  # big tap targets
    survey.locator("[data-question=satisfaction] .survey__option", has_text="5").click()
    survey.locator("[data-question=understanding] .survey__option", has_text="4").click()
    survey.locator("[data-question=again] .survey__option").first.click()
    survey.locator("[data-question=comments] textarea").fill("立場の違う人の話が聞けてよかった")
    screenshot(phone, "phone-survey")
    survey.locator("[data-survey-send]").click()
    expect(phone.locator("#survey [data-survey-answered]")).to_be_visible(timeout=wait_ms())
    expect(phone.locator("#survey [data-survey-send]")).to_have_text("回答を変更する")
    expect(counts.locator("[data-survey-answered]")).to_have_attribute(
        "data-survey-answered", "1", timeout=wait_ms())
    satisfaction = counts.locator("[data-question=satisfaction] [data-count]")
    expect(satisfaction).to_have_text(["0", "0", "0", "0", "1"])

    phone.locator("[data-question=satisfaction] .survey__option", has_text="3").click()
    phone.locator("#survey [data-survey-send]").click()
    expect(satisfaction).to_have_text(["0", "0", "1", "0", "0"], timeout=wait_ms())
    expect(counts.locator("[data-survey-answered]")).to_have_attribute(
        "data-survey-answered", "1")  # changed, still one answer
    ARTIFACTS.mkdir(exist_ok=True)
    counts.screenshot(path=str(ARTIFACTS / "console-survey-counts.png"))

    counts.locator("[data-survey-close]").click()
    expect(phone.locator("#survey.survey--closed")).to_contain_text("ありがとうございました",
                                                                    timeout=wait_ms())
    expect(phone.locator("#survey form")).to_have_count(0)
