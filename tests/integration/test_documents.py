"""Documents made by a worker process (app/documents/jobs.py) against a real server and its
real worker: a job goes queued, running, ready with its progress rising; a second request
is served from the folder until the board changes; a document that cannot be made within
the memory limit fails with a message and the server goes on serving."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from app.documents.worker import NICENESS, WORKER_NAME
from tests.fixtures import loopback
from tests.fixtures.api import bearer, create_event
from tests.fixtures.timing import eventually, seconds

READY_WITHIN = 240


def _card(client: httpx.Client, event: dict, text: str, table: int = 0) -> None:
    response = client.post(f"/api/v1/sessions/{event['id']}/cards",
                           json={"id": str(uuid.uuid4()), "text": text},
                           headers=bearer(event["tables"][table]["host_token"]))
    assert response.status_code == 201, response.text


def _document(client: httpx.Client, event: dict, name: str, method: str = "GET"):
    return client.request(method, f"/api/v1/sessions/{event['id']}/documents/{name}",
                          headers=bearer(event["facilitator_token"]))


def _states_until_done(client: httpx.Client, event: dict, name: str) -> list[dict]:
    """Every state the job answers with, polled often, until it is ready or failed."""
    states = []
    deadline = time.monotonic() + seconds(READY_WITHIN)
    while time.monotonic() < deadline:
        state = _document(client, event, name).json()
        states.append(state)
        if state["status"] in ("ready", "failed"):
            return states
        time.sleep(0.05)
    raise AssertionError(f"the job did not finish: {states[-3:]}")


@pytest.fixture
def event_with_cards(api):
    event = create_event(api)
    for number in range(12):  # within each host's card rate
        _card(api, event, f"地域の見守りを続けたい {number}", number % 3)
    return event


def test_a_report_job_goes_queued_running_ready_with_rising_progress(api, event_with_cards):
    event = event_with_cards
    assert _document(api, event, "report.pdf").status_code == 404  # never asked for
    started = _document(api, event, "report.pdf", "POST")
    assert started.status_code == 202, started.text
    assert started.json() == {"name": "report.pdf", "status": "queued", "progress": 0,
                              "stage": ""}
    states = _states_until_done(api, event, "report.pdf")
    assert states[-1]["status"] == "ready", states[-1]
    assert states[-1]["progress"] == 100
    assert states[-1]["url"] == f"/api/v1/sessions/{event['id']}/export.report.pdf"
    running = [s for s in states if s["status"] == "running"]
    assert running and {s["stage"] for s in running} <= {"reading", "analysing",
                                                         "laying out", "writing"}
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress) and 0 < running[0]["progress"] < 100
    document = api.get(states[-1]["url"], headers=bearer(event["facilitator_token"]))
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


def test_a_made_document_is_kept_until_the_board_changes(api, event_with_cards):
    event = event_with_cards
    _document(api, event, "report.docx", "POST")
    assert _states_until_done(api, event, "report.docx")[-1]["status"] == "ready"
    again = _document(api, event, "report.docx", "POST")
    assert again.status_code == 200 and again.json()["status"] == "ready"  # no new job
    first = api.get(f"/api/v1/sessions/{event['id']}/export.report.docx",
                    headers=bearer(event["facilitator_token"]))
    assert first.status_code == 200 and first.content.startswith(b"PK")

    _card(api, event, "新しいカード")
    changed = _document(api, event, "report.docx", "POST")
    assert changed.status_code == 202 and changed.json()["status"] == "queued"
    assert _states_until_done(api, event, "report.docx")[-1]["status"] == "ready"
    second = api.get(f"/api/v1/sessions/{event['id']}/export.report.docx",
                     headers=bearer(event["facilitator_token"]))
    assert second.status_code == 200 and second.content != first.content


def test_the_export_url_waits_for_its_document_and_the_server_keeps_answering(
        api, server, event_with_cards):
    """The old download URL starts the job and waits for it; meanwhile /healthz answers."""
    event = event_with_cards
    with loopback.Client(base_url=server.url, timeout=seconds(READY_WITHIN)) as waiting:
        answers: list[httpx.Response] = []
        download = threading.Thread(target=lambda: answers.append(waiting.get(
            f"/api/v1/sessions/{event['id']}/export.pdf",
            headers=bearer(event["facilitator_token"]))))
        download.start()
        healthy = 0
        while download.is_alive():
            assert api.get("/healthz").status_code == 200
            healthy += 1
            download.join(0.2)
    assert healthy >= 1
    assert answers[0].status_code == 200 and answers[0].content.startswith(b"%PDF")


def _autogroup(pid: int) -> str | None:
    """The scheduling group of process `pid` ("/autogroup-N"); None on a kernel without
    autogroup, or with it switched off, where the file is missing or empty."""
    group = Path(f"/proc/{pid}/autogroup")
    words = group.read_text().split() if group.exists() else []
    return words[0] if words else None


def _document_worker(pid: int) -> dict | None:
    """The first document worker among the descendants of process `pid` (/proc): its
    session, niceness and scheduling group; None when there is none (or it just ended)."""
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread has ended
        for child in children:
            try:
                if Path(f"/proc/{child}/comm").read_text().strip() != WORKER_NAME:
                    found = _document_worker(child)
                    if found:
                        return found
                    continue
                return {"pid": child, "session": os.getsid(child),
                        "niceness": os.getpriority(os.PRIO_PROCESS, child),
                        "group": _autogroup(child)}
            except OSError:
                continue  # the process has ended
    return None


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_a_worker_runs_in_a_session_of_its_own_below_the_server(api, server, event_with_cards):
    """Linux schedules the processes of a session as one group (autogroup): a worker in
    the server's session had its CPU charged to the server's group, which then waited
    behind every other program (/healthz up to 0.6 s, bench/README.md). The worker leads
    a session, hence a scheduling group, of its own, at NICENESS."""
    event = event_with_cards
    assert _document(api, event, "report.pdf", "POST").status_code == 202
    worker = eventually(lambda: _document_worker(server.process.pid), timeout=60,
                        what=f"the document's worker at niceness {NICENESS}",
                        until=lambda found: found and found["niceness"] == NICENESS)
    assert worker["session"] == worker["pid"] != os.getsid(server.process.pid)
    server_group = _autogroup(server.process.pid)
    if worker["group"] is not None and server_group is not None:  # a kernel with autogroup
        assert worker["group"] != server_group, worker
    assert _states_until_done(api, event, "report.pdf")[-1]["status"] == "ready"


def test_a_document_over_the_memory_limit_fails_with_a_message(make_server):
    server = make_server(env={"WORLDCAFE_DOCUMENT_MEMORY_MB": "40"})
    with loopback.Client(base_url=server.url, timeout=seconds(60)) as client:
        event = create_event(client, language="en")
        _card(client, event, "Keep the neighbourhood watch going")
        assert _document(client, event, "report.pdf", "POST").status_code == 202
        failed = _states_until_done(client, event, "report.pdf")[-1]
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "document_failed"
        assert "memory limit of 40 MB" in failed["error"]["message"]
        download = client.get(f"/api/v1/sessions/{event['id']}/export.report.pdf",
                              headers=bearer(event["facilitator_token"]))
        assert download.status_code == 503
        assert download.json()["error"]["code"] == "document_failed"
        assert client.get("/healthz").status_code == 200
        assert server.process.poll() is None
