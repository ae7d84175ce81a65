"""The facilitator's commands to the projector's board pages against a real server:
`PATCH …/board {"pages": "pause"|"play"|"next"|"previous"}` (and the console's form) is
stored on the event, reaches every projector at once (its #screen, the JSON `pages` event)
and survives a reload; anything else, or anyone else, is refused and changes nothing."""

import json

from tests.fixtures import loopback
from tests.fixtures.api import assert_refused, bearer, create_event, listen, open_link
from tests.fixtures.timing import seconds


def pages(api, event, command, token=None):
    return api.patch(f"/api/v1/sessions/{event['id']}/board", json={"pages": command},
                     headers=bearer(token or event["facilitator_token"]))


def screen_of(client, event) -> str:
    html = client.get(f"/p/{event['id']}").text
    return html[html.index('<div id="screen"'):].split(">", 1)[0]


def test_the_facilitator_pauses_steps_and_plays_the_projectors_pages(api, server):
    event = create_event(api)
    with listen(server, event, event["projector_token"], format="json") as projector:
        snapshot = json.loads(projector.recv(timeout=seconds(5)))
        assert snapshot["board"]["pages"] == "play"
        answered = pages(api, event, "pause")
        assert answered.status_code == 200, answered.text
        assert answered.json()["pages"] == "pause"
        heard = [json.loads(projector.recv(timeout=seconds(5)))]
        for command in ("next", "next", "previous", "previous", "previous", "play"):
            assert pages(api, event, command).status_code == 200
            heard.append(json.loads(projector.recv(timeout=seconds(5))))
    assert [(m["type"], m["pages"], m["page_turns"]) for m in heard] == [
        ("pages", "pause", 0), ("pages", "pause", 1), ("pages", "pause", 2),
        ("pages", "pause", 1), ("pages", "pause", 0), ("pages", "pause", -1),
        ("pages", "play", -1)]
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as browser:
        open_link(browser, event["urls"]["projector"])  # a projector opened now
        assert 'data-pages="play"' in screen_of(browser, event)
        assert 'data-page-turns="-1"' in screen_of(browser, event)


def test_the_console_form_sends_the_same_commands(api, server):
    event = create_event(api)
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as console:
        page = open_link(console, event["urls"]["console"]).text
        assert 'id="projector-pages"' in page and 'value="pause"' in page
        for command in ("pause", "next"):
            sent = console.post(f"/f/{event['id']}/board", data={"pages": command},
                                headers={"Origin": server.url})
            assert sent.status_code == 200, sent.text
        page = console.get(f"/f/{event['id']}").text
        assert 'data-projector-pages="pause"' in page and 'value="play"' in page
        refused = console.post(f"/f/{event['id']}/board", data={"pages": "faster"},
                               headers={"Origin": server.url, "Accept-Language": "ja"})
        assert refused.status_code == 422 and "pages" in refused.text
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as projector:
        open_link(projector, event["urls"]["projector"])
        assert 'data-pages="pause"' in screen_of(projector, event)
        assert 'data-page-turns="1"' in screen_of(projector, event)


def test_a_wrong_command_or_anyone_but_the_facilitator_changes_nothing(api, server):
    event = create_event(api)
    assert_refused(pages(api, event, "faster"), 422, "invalid")
    assert_refused(pages(api, event, 1), 422, "invalid")
    for token in (event["projector_token"], event["tables"][0]["host_token"]):
        assert_refused(pages(api, event, "pause", token), 403, "forbidden")
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as projector:
        open_link(projector, event["urls"]["projector"])
        screen = screen_of(projector, event)
        assert 'data-pages="play"' in screen and 'data-page-turns="0"' in screen
