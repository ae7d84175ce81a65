"""Around the event, against a real server: the reception desk adds someone without a phone,
a co-facilitator's console link is made and revoked, and the landing page lists the events
on this server with their console links (on its own computer, or with the passcode)."""

import re

import httpx

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    closed_with,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
    open_link,
)
from tests.fixtures.timing import seconds


def reception(api, event: dict, token: str | None = None, **person) -> httpx.Response:
    return api.post(f"/api/v1/sessions/{event['id']}/reception",
                    headers=bearer(token or event["facilitator_token"]), json=person)


def test_the_reception_desk_adds_someone_without_a_phone_even_when_joining_is_closed(
        server, api):
    event = create_event(api)
    theme = event["tables"][1]["theme"]
    api.patch(f"/api/v1/sessions/{event['id']}", headers=facilitator(event),
              json={"joining_open": False})
    assert_refused(join(api, event, "電話の人"), 409, "joining_closed")
    with listen(server, event, event["facilitator_token"], format="json") as console:
        next_json(console, "snapshot")
        added = reception(api, event, name="受付の人", affiliation="citizen", theme=theme)
        assert added.status_code == 201, added.text
        assert next_json(console, "participant")["participant"]["name"] == "受付の人"
    person = added.json()
    assert person["home_table"] == event["tables"][1]["id"]  # the theme they chose
    seating = api.get(f"/api/v1/sessions/{event['id']}/seating",
                      headers=facilitator(event)).json()
    home = seating["rounds"][0]["tables"][str(person["home_table"])]
    assert person["id"] in home
    assert_refused(reception(api, event, event["tables"][0]["host_token"], name="x"),
                   403, "forbidden")
    assert_refused(reception(api, event, name="x", affiliation="spy"), 422, "invalid")
    assert_refused(reception(api, event, name=""), 422, "invalid")


def test_the_console_form_of_the_reception_desk_says_where_they_sit(server):
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        event = create_event(api)
        page = open_link(api, f"{server.url}/f/{event['id']}?token="
                              f"{event['facilitator_token']}")
        assert 'id="reception"' in page.text
        theme = event["tables"][2]["theme"]
        added = api.post(f"/f/{event['id']}/reception", headers={"Origin": server.url},
                         data={"name": "紙の人", "affiliation": "npo", "theme": theme})
        assert added.status_code == 200
        assert "紙の人さんを追加しました" in added.text
        assert f'data-table-now="{event["tables"][2]["id"]}"' in added.text  # home, for now
        assert 'id="reception-answer"' in added.text and "hx-swap-oob" in added.text
        person = re.search(r'data-participant="(\d+)"', added.text).group(1)
        assert "data-slip" not in added.text  # no route before the moves are planned
        slip = api.get(f"/f/{event['id']}/participants/{person}/slip")
        assert slip.status_code == 409 and "紙の人" not in slip.text
        join(api, event, name="電話の人")
        planned = api.post(f"/api/v1/sessions/{event['id']}/seating/plan",
                           headers=facilitator(event))
        assert planned.status_code == 200, planned.text
        slip = api.get(f"/f/{event['id']}/participants/{person}/slip")
        assert slip.status_code == 200 and "紙の人" in slip.text
        assert slip.text.count('class="slip"') == 1 and 'class="slip__route"' in slip.text
        assert api.get(f"/f/{event['id']}/participants/999999/slip").status_code == 404
        with loopback.Client(base_url=server.url, timeout=seconds(10)) as stranger:
            assert "紙の人" not in stranger.get(f"/f/{event['id']}/participants/{person}/slip").text
        empty = api.post(f"/f/{event['id']}/reception", headers={"Origin": server.url},
                         data={"name": "", "affiliation": "npo"})
        assert empty.status_code == 422 and 'class="flash' in empty.text


def test_a_co_facilitator_link_opens_a_second_console_until_it_is_revoked(server, api):
    event = create_event(api)
    made = api.post(f"/api/v1/sessions/{event['id']}/cofacilitator_token",
                    headers=facilitator(event))
    assert made.status_code == 200, made.text
    co = made.json()
    assert co["url"] == f"{server.url}/f/{event['id']}?token={co['token']}"
    second = loopback.Client(base_url=server.url, timeout=seconds(10))
    assert 'id="links"' in open_link(second, co["url"]).text
    state = f"/api/v1/sessions/{event['id']}/state"
    assert api.get(state, headers=bearer(co["token"])).status_code == 200
    # only the facilitator who made it replaces or revokes it
    assert_refused(api.delete(f"/api/v1/sessions/{event['id']}/cofacilitator_token",
                              headers=bearer(co["token"])), 403, "forbidden")
    with listen(server, event, co["token"], format="json") as co_console, \
            listen(server, event, event["facilitator_token"], format="json") as console:
        next_json(co_console, "snapshot")
        next_json(console, "snapshot")
        revoked = api.delete(f"/api/v1/sessions/{event['id']}/cofacilitator_token",
                             headers=facilitator(event))
        assert revoked.status_code == 200 and revoked.json() == {"revoked": True}
        assert closed_with(co_console) == 4401
        next_json(console, "session")  # the facilitator's own console stays signed in
    assert_refused(api.get(state, headers=bearer(co["token"])), 401, "invalid_token")
    lost = second.get(f"/f/{event['id']}")  # the console's page says where its link is
    assert lost.status_code == 401 and f"worldcafe links {event['id']}" in lost.text
    assert api.get(state, headers=facilitator(event)).status_code == 200


def test_the_landing_page_lists_the_events_for_the_server_s_own_computer(server, api):
    event = create_event(api, title="一覧に出る会", venue="市民会館")
    landing = api.get("/")
    assert "一覧に出る会" in landing.text and "市民会館" in landing.text
    console = f"/f/{event['id']}?token={event['facilitator_token']}"
    assert console in landing.text
    elsewhere = loopback.Client(base_url=server.url, timeout=seconds(10),
                                transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    other = elsewhere.get("/")
    assert "一覧に出る会" not in other.text and event["facilitator_token"] not in other.text
    asked = elsewhere.post("/events", data={"passcode": "guess"})
    assert asked.status_code == 403 and event["facilitator_token"] not in asked.text


def test_with_a_passcode_the_events_are_listed_from_any_computer(make_app):
    app = make_app(env={"WORLDCAFE_ORGANISER_PASSCODE": "kyodo-2026"})
    with app.client(address="127.0.0.2", timeout=seconds(10)) as client:
        made = client.post("/api/v1/sessions", headers=bearer("kyodo-2026"),
                           json={"title": "パスコードの会", "tables": [{"name": "A"}]})
        token = made.json()["facilitator_token"]
        landing = client.get("/")
        assert 'action="/events"' in landing.text and token not in landing.text
        wrong = client.post("/events", data={"passcode": "guess"})
        assert wrong.status_code == 403 and "主催者パスコードが違います" in wrong.text
        assert token not in wrong.text
        listed = client.post("/events", data={"passcode": "kyodo-2026"})
        assert listed.status_code == 200 and "パスコードの会" in listed.text
        assert token in listed.text
