"""The action plan against a real server (SQLite and PostgreSQL): hosts and the facilitator
draft actions with roles per stakeholder; statuses move proposed → agreed → in_progress →
done | dropped, every move kept in the history, anything else 409; participants cannot
edit (403) and raise hands that are counted per stakeholder, never named — in the API,
the JSON socket and the report."""

import csv
import io

from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
    open_link,
)
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.series import follow_up
from tests.fixtures.timing import seconds

ROLES = {"citizen": "見守りの担い手", "city": "公民館の会場", "npo": "運営のノウハウ"}


def actions_url(event: dict, path: str = "") -> str:
    return f"/api/v1/sessions/{event['id']}/actions{path}"


def host(event: dict, number: int = 1) -> dict:
    return bearer(event["tables"][number - 1]["host_token"])


def draft(api, event: dict, headers: dict, **fields):
    return api.post(actions_url(event), headers=headers,
                    json={"what": "見守りカフェを月1回開く", "roles": ROLES, **fields})


def test_a_host_drafts_for_their_table_and_the_facilitator_moves_it_to_done(server, api):
    event = create_event(api)
    drafted = draft(api, event, host(event), due="2027-03-31")
    assert drafted.status_code == 201, drafted.text
    action = drafted.json()
    assert action["status"] == "proposed" and action["table_id"] == event["tables"][0]["id"]
    assert action["roles"] == ROLES and action["due"] == "2027-03-31"
    assert action["theme"] == event["tables"][0]["theme"]
    assert [step["status"] for step in action["history"]] == ["proposed"]
    url = actions_url(event, f"/{action['id']}")
    for status, note in (("agreed", ""), ("in_progress", "会場を予約した"), ("done", "3回開いた")):
        moved = api.patch(url, headers=facilitator(event), json={"status": status, "note": note})
        assert moved.status_code == 200, moved.text
    done = moved.json()
    assert [(s["status"], s["note"]) for s in done["history"]] == [
        ("proposed", ""), ("agreed", ""), ("in_progress", "会場を予約した"), ("done", "3回開いた")]
    assert all(step["session_id"] == event["id"] for step in done["history"])
    edited = api.patch(url, headers=host(event), json={"what": "見守りカフェを毎月開く",
                                                        "roles": {"business": "お茶菓子"},
                                                        "due": None})
    assert edited.status_code == 200, edited.text
    assert edited.json()["what"] == "見守りカフェを毎月開く"
    assert edited.json()["roles"] == {"business": "お茶菓子"} and edited.json()["due"] is None
    assert len(edited.json()["history"]) == 4  # no status moved, no note: no step
    listed = api.get(actions_url(event), headers=bearer(event["projector_token"]))
    assert [a["id"] for a in listed.json()["actions"]] == [action["id"]]


def test_refusals_unknown_moves_participants_other_tables_and_unknown_roles(server, api):
    event = create_event(api)
    person = join(api, event, "参加者").json()
    action = draft(api, event, host(event)).json()
    url = actions_url(event, f"/{action['id']}")
    assert_refused(api.patch(url, headers=bearer(person["token"]), json={"what": "変更"}),
                   403, "forbidden")
    assert_refused(draft(api, event, bearer(person["token"])), 403, "forbidden")
    assert_refused(api.patch(url, headers=host(event, 2), json={"status": "agreed"}),
                   403, "forbidden")
    assert_refused(draft(api, event, host(event), table_id=event["tables"][1]["id"]),
                   403, "forbidden")
    assert_refused(api.patch(url, headers=facilitator(event), json={"status": "finished"}),
                   409, "status_move")
    assert_refused(api.patch(url, headers=facilitator(event), json={"status": "done"}),
                   409, "status_move")  # a step skipped
    api.patch(url, headers=facilitator(event), json={"status": "dropped"})
    assert_refused(api.patch(url, headers=facilitator(event), json={"status": "agreed"}),
                   409, "status_move")  # dropped is final
    assert_refused(draft(api, event, host(event), roles={"mayor": "予算"}), 422, "invalid")
    assert_refused(draft(api, event, host(event), due="来年"), 422, "invalid")
    assert_refused(draft(api, event, host(event), what=""), 422, "invalid")
    assert_refused(api.patch(actions_url(event, "/999999"), headers=facilitator(event),
                             json={"status": "agreed"}), 404, "no_action")
    other = create_event(api)
    assert_refused(api.patch(actions_url(other, f"/{action['id']}"),
                             headers=facilitator(other), json={"status": "agreed"}),
                   404, "no_action")  # this event's action, through another event
    unchanged = api.get(actions_url(event), headers=facilitator(event)).json()["actions"][0]
    assert unchanged["status"] == "dropped" and unchanged["what"] == action["what"]


def test_hands_are_counted_per_stakeholder_and_never_named(server, api, tmp_path):
    event = create_event(api)
    affiliations = ["citizen", "citizen", "city", "npo", "citizen"]
    people = [join(api, event, f"挙手した人{n}", affiliation=a).json()
              for n, a in enumerate(affiliations)]
    action = draft(api, event, facilitator(event), table_id=event["tables"][2]["id"]).json()
    url = actions_url(event, f"/{action['id']}/volunteers")
    with listen(server, event, event["projector_token"], format="json") as projector:
        next_json(projector, "snapshot")
        for person in people:
            raised = api.post(url, headers=bearer(person["token"]))
            assert raised.status_code == 200, raised.text
        pushed = next_json(projector, "action")
        while pushed["action"]["volunteer_count"] < len(people):
            pushed = next_json(projector, "action")
    again = api.post(url, headers=bearer(people[0]["token"]))  # idempotent: one hand each
    assert again.json() == {"action_id": action["id"], "raised": True,
                            "volunteers": {"citizen": 3, "city": 1, "npo": 1},
                            "volunteer_count": 5}
    assert pushed["action"]["volunteers"] == {"citizen": 3, "city": 1, "npo": 1}
    lowered = api.delete(url, headers=bearer(people[3]["token"]))
    assert lowered.json()["volunteers"] == {"citizen": 3, "city": 1}
    assert api.delete(url, headers=bearer(people[3]["token"])).json()["volunteer_count"] == 4
    assert_refused(api.post(url, headers=host(event)), 403, "forbidden")
    mine = api.get(actions_url(event), headers=bearer(people[0]["token"])).json()["actions"]
    assert mine[0]["mine"] is True and mine[0]["volunteers"] == {"citizen": 3, "city": 1}
    answers = [api.get(actions_url(event), headers=facilitator(event)).text, again.text,
               str(pushed)]
    assert not any("挙手した人" in text or person["token"] in text
                   for text in answers for person in people)

    exported = api.get(f"/api/v1/sessions/{event['id']}/export.actions.csv",
                       headers=facilitator(event))
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    heading, row = csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))
    by_column = dict(zip(heading, row, strict=True))
    assert by_column["取り組み内容"] == action["what"] and by_column["役割：行政"] == ROLES["city"]
    assert by_column["挙手"] == "4" and by_column["挙手：市民"] == "3"
    assert by_column["挙手：NPO"] == "0" and by_column["状況"] == "提案"
    assert "挙手した人" not in exported.content.decode("utf-8-sig")

    report = api.get(f"/api/v1/sessions/{event['id']}/export.report.pdf",
                     headers=facilitator(event), timeout=seconds(120))
    assert report.status_code == 200, report.text
    text = squeeze(pdf_text(report.content, tmp_path))
    assert "アクションプラン" in text and squeeze(action["what"]) in text
    assert squeeze(ROLES["city"]) in text and "挙手した人" not in text


def test_a_series_lists_every_sessions_actions_with_their_history(server, api, tmp_path):
    first = create_event(api)
    drafted = draft(api, first, host(first)).json()
    api.patch(actions_url(first, f"/{drafted['id']}"), headers=facilitator(first),
              json={"status": "agreed", "note": "区長会で合意"})
    second = follow_up(api, first, carry={"participants": False}).json()
    later = draft(api, second, host(second), what="子ども食堂の担い手を募る").json()
    earlier = actions_url(second, f"/{drafted['id']}")  # reviewed in the follow-up
    assert_refused(api.patch(earlier, headers=host(second), json={"status": "in_progress"}),
                   403, "forbidden")
    with listen(server, first, first["projector_token"], format="json") as projector:
        next_json(projector, "snapshot")  # the first event's screen, still open
        for status, note in (("in_progress", "会場を予約した"), ("done", "3回開いた")):
            moved = api.patch(earlier, headers=facilitator(second), json={"status": status,
                                                                          "note": note})
            assert moved.status_code == 200, moved.text
            shown = next_json(projector, "action")["action"]
            assert (shown["id"], shown["status"]) == (drafted["id"], status)
    assert moved.json()["status"] == "done"
    assert [a["id"] for a in api.get(actions_url(second), headers=facilitator(second))
            .json()["actions"]] == [later["id"]]  # its own actions only
    console = open_link(api, second["urls"]["console"]).text
    review = console.split('id="action-review"')[1].split("</section>")[0]
    assert drafted["what"] in review and "3回開いた" in review and 'data-status="done"' in review
    listing = api.get(f"/api/v1/sessions/{second['id']}/series", headers=facilitator(second))
    series_id = listing.json()["series_id"]
    url = f"/api/v1/series/{series_id}/actions"
    answer = api.get(url, headers=facilitator(second))
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    assert answer.json()["series_id"] == series_id == first["id"]
    assert [(a["id"], a["session_id"]) for a in actions] == [
        (drafted["id"], first["id"]), (later["id"], second["id"])]
    assert [(s["status"], s["note"], s["session_id"]) for s in actions[0]["history"]] == [
        ("proposed", "", first["id"]), ("agreed", "区長会で合意", first["id"]),
        ("in_progress", "会場を予約した", second["id"]), ("done", "3回開いた", second["id"])]
    assert api.get(url, headers=host(first)).status_code == 200  # any token of the series
    other = create_event(api)
    assert_refused(api.get(url, headers=facilitator(other)), 401, "invalid_token")
    assert_refused(api.get(url), 401, "missing_token")
    assert_refused(api.get(f"/api/v1/series/{second['id']}/actions",
                           headers=facilitator(second)), 404, "not_found")
    for name, heading in (("report.pdf", "前回までのアクションの進捗"),
                          ("series.pdf", "アクションとその進捗")):
        document = api.get(f"/api/v1/sessions/{second['id']}/export.{name}",
                           headers=facilitator(second), timeout=seconds(120))
        assert document.status_code == 200, document.text
        text = squeeze(pdf_text(document.content, tmp_path))
        # a table cell wraps the text: its first words, and the note of the last step
        assert heading in text and drafted["what"][:6] in text and "3回開いた" in text
