"""Two workers on PostgreSQL share their documents: requests for the same document that
land on either worker wait for one job, and one file is made (app/documents/jobs.py keeps the
jobs in the documents folder, locked with flock)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from app.settings import Settings
from tests.fixtures import loopback
from tests.fixtures.api import bearer, create_event
from tests.fixtures.timing import seconds


def test_two_workers_make_one_document_for_simultaneous_requests(make_server):
    server = make_server("postgresql", redis=True, workers=2)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api)
    url = f"{server.url}/api/v1/sessions/{event['id']}/export.report.pdf"

    def download(_number: int) -> tuple[int, bytes]:
        with loopback.Client(timeout=seconds(240)) as fresh:  # a new connection: any worker
            answer = fresh.get(url, headers=bearer(event["facilitator_token"]))
            return answer.status_code, answer.content

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(download, range(4)))
    assert [status for status, _body in answers] == [200] * 4
    assert len({body for _status, body in answers}) == 1  # one document, made once
    assert answers[0][1].startswith(b"%PDF")
    folder = Settings(database_url=server.database_url).documents_folder() / event["id"]
    made = [path.name for path in folder.iterdir()
            if path.name.startswith("report.pdf.") and "." not in path.name[11:]]
    assert len(made) == 1, sorted(p.name for p in folder.iterdir())
