"""Erasing names against the app on SQLite and PostgreSQL: an event of 48 people (46 from
the office's CP932 list with readings and emails, 2 joined by phone) with cards, a KJ
group, dots and a survey answer is anonymised; on SQLite none of the 48 names, readings
or emails is left in the bytes of the database file, its WAL or its shared memory; the
report still builds, the figures are unchanged, and every link but the facilitator's is
refused. Deleting an event; the server's own erasure after the set days (its clock is
the test's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from app.actions import erasure
from tests.fixtures.api import (
    THEMES,
    assert_refused,
    bearer,
    control,
    create_event,
    facilitator,
    join,
)
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.servers import DATABASES, InProcess
from tests.fixtures.timing import Clock, eventually, seconds

FAMILY = [("佐藤", "さとう", "sato"), ("鈴木", "すずき", "suzuki"),
          ("髙橋", "たかはし", "takahashi"), ("田中", "たなか", "tanaka"),
          ("伊藤", "いとう", "ito"), ("渡邉", "わたなべ", "watanabe"),
          ("山本", "やまもと", "yamamoto"), ("中村", "なかむら", "nakamura")]
GIVEN = [("花子", "はなこ", "hanako"), ("太郎", "たろう", "taro"), ("美咲", "みさき", "misaki"),
         ("健", "けん", "ken"), ("陽菜", "ひな", "hina"), ("蓮", "れん", "ren")]
PEOPLE = [(f"{f[0]} {g[0]}", f"{f[1]} {g[1]}", f"{g[2]}.{f[2]}@example.jp")
          for f in FAMILY for g in GIVEN]
"""48 people: (name, reading, email), each one distinct."""
IMPORTED = 46
OPINIONS = ("見守りの担い手が足りない", "子どもの居場所を空き家で開く",
            "回覧板だけでなくSNSでも発信する", "多世代で一緒に料理する",
            "防災訓練で顔の見える関係をつくる")
QUESTIONS = [{"id": "satisfaction", "kind": "scale5", "text": "満足度"},
             {"id": "comments", "kind": "text", "text": "感想"}]
DAY_MS = 24 * 3600 * 1000


def application_list() -> bytes:
    """The office's list, as Japanese Excel saves it (CP932)."""
    rows = ["氏名,ふりがな,所属,テーマ,メールアドレス"]
    rows += [f"{name},{reading},市民,{n % 3 + 1},{email}"
             for n, (name, reading, email) in enumerate(PEOPLE[:IMPORTED])]
    return "\r\n".join(rows).encode("cp932")


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def held_event(client) -> tuple[dict, list[str]]:
    """The event with its 48 people, their cards in a group, dots and a survey answer;
    the participants' tokens."""
    event = create_event(client)
    imported = ok(client.post(f"/api/v1/sessions/{event['id']}/participants/import",
                              headers=facilitator(event),
                              files={"file": ("応募者.csv", application_list())}))
    assert imported["imported"] == IMPORTED
    tokens = [token_of(person["url"]) for person in imported["participants"]]
    for person in imported["participants"][:6]:
        ok(client.post(f"/api/v1/sessions/{event['id']}/participants/{person['id']}/arrival",
                       headers=facilitator(event)))
    for name, reading, _email in PEOPLE[IMPORTED:]:
        tokens.append(ok(join(client, event, name, theme=THEMES[0]))["token"])
        assert reading  # a phone join gives no reading: the list's people have them
    ok(control(client, event, "start"))
    writers = tokens[:4] + tokens[-2:]
    cards = [ok(client.post(f"/api/v1/sessions/{event['id']}/cards", headers=bearer(token),
                            json={"id": str(uuid.uuid4()), "text": OPINIONS[n % 5]}))
             for n, token in enumerate(writers)]
    group = ok(client.post(f"/api/v1/sessions/{event['id']}/groups", json={"name": "地域の見守り"},
                           headers=facilitator(event)))
    for card in cards[:3]:
        ok(client.patch(f"/api/v1/sessions/{event['id']}/cards/{card['id']}",
                        json={"group_id": group["id"]}, headers=facilitator(event)))
    ok(client.patch(f"/api/v1/sessions/{event['id']}/board", json={"open": True},
                    headers=facilitator(event)))
    for n, token in enumerate(tokens[:10]):
        ok(client.post(f"/api/v1/sessions/{event['id']}/cards/{cards[n % 4]['id']}/votes",
                       headers=bearer(token)))
    survey = f"/api/v1/sessions/{event['id']}/survey"
    ok(client.put(survey, headers=facilitator(event), json={"questions": QUESTIONS}))
    ok(client.patch(survey, headers=facilitator(event), json={"open": True}))
    ok(client.post(f"{survey}/answers", headers=bearer(tokens[-1]),
                   json={"answers": {"satisfaction": 4, "comments": "また参加したい"}}))
    return event, tokens


def figures(client, event) -> dict:
    """What the report counts: the cards (text, table, group), the dots and the survey."""
    cards = ok(client.get(f"/api/v1/sessions/{event['id']}/cards", headers=facilitator(event)))
    votes = ok(client.get(f"/api/v1/sessions/{event['id']}/votes", headers=facilitator(event)))
    results = ok(client.get(f"/api/v1/sessions/{event['id']}/survey/results",
                            headers=facilitator(event)))
    return {"cards": sorted((c["id"], c["text"], c["table_id"], c["group_id"])
                            for c in cards["cards"]),
            "dots": (votes["counts"], votes["ranking"]), "survey": results}


def document(client, event, name: str) -> bytes:
    """A document made by its worker process (POST, then its job asked until it is
    ready: on a loaded machine it takes longer than one request may wait), downloaded."""
    path = f"/api/v1/sessions/{event['id']}/documents/{name}"
    started = client.post(path, headers=facilitator(event))
    assert started.status_code in (200, 202), started.text
    job = eventually(lambda: client.get(path, headers=facilitator(event)).json(),
                     timeout=300, interval=0.5, what=f"the {name} made",
                     until=lambda job: job.get("status") in ("ready", "failed"))
    assert job["status"] == "ready", job
    made = client.get(f"/api/v1/sessions/{event['id']}/export.{name}",
                      headers=facilitator(event))
    assert made.status_code == 200 and made.content.startswith(b"%PDF"), made.text
    return made.content


def personal(person: tuple[str, str, str]) -> list[bytes]:
    name, reading, email = person
    return [text.encode() for text in (name, reading, email) if text]


def database_bytes(database_url: str) -> bytes:
    path = Path(database_url.removeprefix("sqlite:///"))
    return b"".join(Path(f"{path}{suffix}").read_bytes()
                    for suffix in ("", "-wal", "-shm") if Path(f"{path}{suffix}").exists())


@pytest.mark.parametrize("database", DATABASES)
def test_anonymising_leaves_no_name_and_keeps_every_figure(make_app, database, tmp_path):
    app = make_app(database)
    with app.client(timeout=seconds(180)) as client:
        event, tokens = held_event(client)
        other = create_event(client)
        for name, _reading, _email in PEOPLE[:3]:  # another event's people keep their names
            ok(join(client, other, name))
        document(client, event, "nametags.pdf")
        folder = app.app.state.settings.documents_folder() / event["id"]
        assert [p for p in folder.iterdir() if p.suffix != ".lock"]  # the tags are kept
        if database == "sqlite":
            assert all(word in database_bytes(app.database_url)
                       for word in personal(PEOPLE[10]))  # the probe finds names there
        before = figures(client, event)

        assert_refused(client.post(f"/api/v1/sessions/{event['id']}/anonymise",
                                   headers=bearer(tokens[0])), 403, "forbidden")
        assert_refused(client.post("/api/v1/sessions/NoSuchEv/anonymise",
                                   headers=facilitator(event)), 404, "not_found")
        done = ok(client.post(f"/api/v1/sessions/{event['id']}/anonymise",
                              headers=facilitator(event)))
        assert done["anonymised"] is True and done["participants"] == 48

        if database == "sqlite":
            stored = database_bytes(app.database_url)
            left = [word.decode() for person in PEOPLE for word in personal(person)
                    if word in stored and person not in PEOPLE[:3]]
            assert left == []
            assert PEOPLE[0][0].encode() in stored  # the other event's still there
        assert not [p for p in folder.iterdir() if p.suffix != ".lock"]  # tags thrown away

        shown = ok(client.get(f"/api/v1/sessions/{event['id']}", headers=facilitator(event)))
        assert [p["name"] for p in shown["participants"]] == [f"参加者{n}" for n in range(1, 49)]
        assert figures(client, event) == before
        again = ok(client.post(f"/api/v1/sessions/{event['id']}/anonymise",
                               headers=facilitator(event)))
        assert again["anonymised"] is False

        for token in (tokens[0], tokens[-1], event["projector_token"],
                      event["tables"][0]["host_token"]):
            assert_refused(client.get(f"/api/v1/sessions/{event['id']}/state",
                                      headers=bearer(token)), 401, "invalid_token")
        phone = client.get(f"/m/{event['id']}?token={tokens[3]}", follow_redirects=False)
        assert phone.status_code == 401 and "HttpOnly" not in phone.headers.get(
            "set-cookie", "")  # the old phone link signs nobody in
        assert_refused(join(client, event, "あとから"), 409, "joining_closed")

        text = squeeze(pdf_text(document(client, event, "report.pdf"), tmp_path))
        assert OPINIONS[0] in text and "地域の見守り" in text
        assert not any(name.replace(" ", "") in text for name, _r, _e in PEOPLE)


@pytest.mark.parametrize("database", DATABASES)
def test_deleting_an_event_removes_it_and_its_links(make_app, database):
    app = make_app(database)
    with app.client(timeout=seconds(30)) as client:
        event, tokens = held_event(client)
        kept = create_event(client)
        co = ok(client.post(f"/api/v1/sessions/{event['id']}/cofacilitator_token",
                            headers=facilitator(event)))["token"]
        for refused in (tokens[0], co):  # a participant; a co-facilitator, whose link it ends
            assert_refused(client.delete(f"/api/v1/sessions/{event['id']}",
                                         headers=bearer(refused)), 403, "forbidden")
            assert_refused(client.post(f"/api/v1/sessions/{event['id']}/anonymise",
                                       headers=bearer(refused)), 403, "forbidden")
        assert_refused(client.delete(f"/api/v1/sessions/{event['id']}",
                                     headers=bearer(event["projector_token"])), 403, "forbidden")
        deleted = client.delete(f"/api/v1/sessions/{event['id']}", headers=facilitator(event))
        assert deleted.status_code == 204 and deleted.content == b""
        for token in (event["facilitator_token"], tokens[0]):
            message = assert_refused(client.get(f"/api/v1/sessions/{event['id']}/state",
                                                headers=bearer(token)), 404, "not_found")
            assert "deleted" in message
        page = client.get(f"/f/{event['id']}", follow_redirects=True)
        assert page.status_code == 404
        assert client.get(f"/api/v1/sessions/{kept['id']}/state",
                          headers=facilitator(kept)).status_code == 200
        if database == "sqlite":
            stored = database_bytes(app.database_url)
            assert not [p for p in PEOPLE if p[0].encode() in stored]


def test_the_server_erases_names_the_set_days_after_the_event(make_app):
    clock = Clock()
    app = make_app(env={"WORLDCAFE_ERASE_NAMES_AFTER_DAYS": "30",
                        "WORLDCAFE_TOKEN_DAYS_AFTER_FINISH": "60"}, now=clock)
    services = app.app.state.services  # its periodic task's step, run when the test says
    with app.client(timeout=seconds(30)) as client:
        finished = create_event(client, language="en")  # its names in English
        running, preparing = create_event(client), create_event(client)
        for event in (finished, running):
            ok(join(client, event, PEOPLE[5][0]))
            ok(control(client, event, "start"))
        ok(control(client, finished, "finish"))
        listed = client.get("/").text
        assert all(f'data-event="{e["id"]}" data-state="{state}"' in listed
                   for e, state in ((finished, "finished"), (running, "running"),
                                    (preparing, "preparing")))
        clock.advance(30 * 86400 - 60)
        assert erasure.erase_due(services) == []
        clock.advance(120)
        assert erasure.erase_due(services) == [finished["id"]]
        assert erasure.erase_due(services) == []  # once
        names = {e["id"]: [p["name"] for p in ok(client.get(
            f"/api/v1/sessions/{e['id']}", headers=facilitator(e)))["participants"]]
            for e in (finished, running)}
        assert names == {finished["id"]: ["Participant 1"], running["id"]: [PEOPLE[5][0]]}
        listed = client.get("/").text
        assert f'data-event="{finished["id"]}" data-state="anonymised"' in listed
        assert "匿名化済み" in listed


def test_the_server_erases_due_names_when_it_starts(tmp_path):
    clock = Clock()
    url = f"sqlite:///{tmp_path / 'worldcafe.db'}"
    keep_links = {"WORLDCAFE_TOKEN_DAYS_AFTER_FINISH": "60"}

    def names_after_start(env: dict, erased: bool) -> list[str]:
        app = InProcess(url, {**keep_links, **env}, clock).start()
        try:
            with app.client(timeout=seconds(30)) as client:
                def names() -> list[str]:
                    shown = ok(client.get(f"/api/v1/sessions/{event['id']}",
                                          headers=facilitator(event)))
                    return [p["name"] for p in shown["participants"]]
                if erased:
                    eventually(lambda: names() == ["参加者1"], what="the names erased")
                return names()
        finally:
            app.stop()

    first = InProcess(url, keep_links, clock).start()
    try:
        with first.client(timeout=seconds(30)) as client:
            event = create_event(client)
            ok(join(client, event, PEOPLE[7][0]))
            ok(control(client, event, "finish"))
            day = datetime.fromtimestamp((clock() + 30 * DAY_MS) / 1000,
                                         ZoneInfo("Asia/Tokyo")).date().isoformat()
            assert day in client.get("/").text  # the day its names will be erased
    finally:
        first.stop()
    clock.advance(31 * 86400)
    assert names_after_start({"WORLDCAFE_ERASE_NAMES_AFTER_DAYS": "0"}, False) == [PEOPLE[7][0]]
    assert names_after_start({}, True) == ["参加者1"]  # the default: 30 days
