"""Exports against a real server: every format by the facilitator's bearer token, refusals
for other tokens, and `worldcafe export` reading the database the server wrote."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from urllib.parse import unquote

import pypdfium2
import pytest
from PIL import Image

from tests.conftest import ROOT, bearer, create_event, join, open_link, seconds

SCRIPT = "<script>alert('x')</script> 見守りの輪"


def _card(client, event, token, text) -> dict:
    response = client.post(f"/api/v1/sessions/{event['id']}/cards",
                           json={"id": str(uuid.uuid4()), "text": text}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def harvest(server):
    """An event with a host card, a participant's card, a formula and a hidden card."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=seconds(30)) as client:
        event = create_event(client)
        person = join(client, event, name="山田花子", affiliation="npo",
                      theme=event_theme(client, event)).json()
        _card(client, event, event["tables"][0]["host_token"], SCRIPT)
        _card(client, event, person["token"], "子ども食堂を続けたい")
        _card(client, event, person["token"], "=1+2")
        secret = _card(client, event, event["tables"][0]["host_token"], "隠すカード")
        hidden = client.patch(f"/api/v1/sessions/{event['id']}/cards/{secret['id']}",
                              json={"hidden": True},
                              headers=bearer(event["facilitator_token"]))
        assert hidden.status_code == 200, hidden.text
        yield server, client, event


def event_theme(client, event) -> str:
    body = client.get(f"/api/v1/sessions/{event['id']}",
                      headers=bearer(event["facilitator_token"])).json()
    return body["tables"][1]["theme"]


def _export(client, event, fmt, token=None):
    return client.get(f"/api/v1/sessions/{event['id']}/export.{fmt}",
                      headers=bearer(token or event["facilitator_token"]))


def test_every_format_downloads_with_its_type_and_a_japanese_file_name(harvest):
    _server, client, event = harvest
    expected = {"csv": "text/csv", "md": "text/markdown", "json": "application/json",
                "pdf": "application/pdf", "png": "image/png"}
    bodies = {}
    for fmt, media_type in expected.items():
        response = _export(client, event, fmt)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type)
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="worldcafe-')
        name = unquote(disposition.split("filename*=UTF-8''")[1])
        assert name.startswith("市民協働ワークショップ-") and name.endswith(f".{fmt}")
        bodies[fmt] = response.content

    text = bodies["csv"].decode("utf-8")
    assert bodies["csv"].startswith(b"\xef\xbb\xbf") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0][0] == "カード"
    cells = {row[0]: row for row in rows[1:]}
    assert set(cells) == {SCRIPT, "子ども食堂を続けたい", "'=1+2"}
    assert cells[SCRIPT][6] == "テーブルホスト" and cells["子ども食堂を続けたい"][6] == "NPO"
    assert "山田" not in text and "隠すカード" not in text

    markdown = bodies["md"].decode("utf-8")
    assert "&lt;script&gt;" in markdown and "<script>" not in markdown

    body = json.loads(bodies["json"])
    assert body["format"] == "worldcafe-export" and len(body["cards"]) == 3
    assert SCRIPT in [c["text"] for c in body["cards"]]

    pdf = pypdfium2.PdfDocument(bodies["pdf"])
    width, height = pdf[0].get_size()
    assert width == pytest.approx(1190.55, abs=1) and height == pytest.approx(841.89, abs=1)
    pdf.close()
    image = Image.open(io.BytesIO(bodies["png"]))
    image.load()
    assert image.format == "PNG" and image.width > image.height


def test_only_the_facilitator_may_export(harvest):
    _server, client, event = harvest
    url = f"/api/v1/sessions/{event['id']}/export.csv"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("not-a-token")).status_code == 401
    for token in (event["projector_token"], event["tables"][0]["host_token"]):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 403, response.text
        assert response.json()["error"]["message"]
    unknown = _export(client, event, "xlsx")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_format"
    page = f"/f/{event['id']}/export.csv"
    assert client.get(page).status_code == 401
    entered = open_link(client, f"{page}?token={event['facilitator_token']}")
    assert entered.status_code == 200 and entered.url.path == page
    assert entered.content.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/f/{event['id']}/export.doc").status_code == 404


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDCAFE_")}
    return subprocess.run([sys.executable, "-m", "app.cli", "export", *args], cwd=ROOT,
                          env=env, capture_output=True, timeout=seconds(60))


def test_the_export_command_reads_the_servers_database(harvest, tmp_path):
    server, _client, event = harvest
    url = server.database_url
    csv_out = _cli(event["id"], "--format", "csv", "--database-url", url)
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout.startswith(b"\xef\xbb\xbf")
    assert "子ども食堂を続けたい" in csv_out.stdout.decode("utf-8")

    target = tmp_path / "board.pdf"
    pdf_out = _cli(event["id"], "--format", "pdf", "-o", str(target), "--database-url", url)
    assert pdf_out.returncode == 0, pdf_out.stderr
    assert target.read_bytes().startswith(b"%PDF")

    missing = _cli("no-such-event", "--format", "json", "--database-url", url)
    assert missing.returncode == 1 and b"no-such-event" in missing.stderr
    assert missing.stdout == b""
    nowhere = _cli(event["id"], "--database-url", f"sqlite:///{tmp_path / 'none.db'}")
    assert nowhere.returncode == 1 and b"no database" in nowhere.stderr
    assert not (tmp_path / "none.db").exists()
