"""Photos of the tables' paper sheets against a real server (SQLite and PostgreSQL): a
photo with GPS EXIF comes back without it, upright and at most 2400 px, to the token that
sent it and to no one else; non-pictures and oversize bodies are refused with the error
shape; the console hears of it live; the projector sees only the photo put on it; the
report and the A3 PDF print it; deleting it takes it from everywhere."""

import pypdfium2

from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    facilitator,
    join,
    receive_snapshot,
)
from tests.fixtures.photos import exif_of, grainy_photo, phone_photo, size_of
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.timing import seconds


def photos_url(event: dict, table: dict, path: str = "") -> str:
    return f"/api/v1/sessions/{event['id']}/tables/{table['id']}/photos{path}"


def upload(api, event, table, token, data: bytes, name: str = "IMG_0001.JPG"):
    return api.post(photos_url(event, table), headers=bearer(token),
                    files={"photo": (name, data, "image/jpeg")}, timeout=seconds(60))


def test_a_photo_with_gps_exif_comes_back_without_it_to_the_same_token(server, api):
    event = create_event(api)
    table, other = event["tables"][:2]
    sent = phone_photo(4032, 3024, orientation=6)
    assert exif_of(sent).get_ifd(0x8825)  # the phone's GPS position
    created = upload(api, event, table, table["host_token"], sent)
    assert created.status_code == 201, created.text
    assert set(created.json()) == {"id", "url"}
    url = created.json()["url"]
    assert url == photos_url(event, table, f"/{created.json()['id']}")

    got = api.get(url, headers=bearer(table["host_token"]))
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert "no-store" in got.headers["cache-control"]
    assert not dict(exif_of(got.content)) and b"Exif" not in got.content
    assert size_of(got.content) == (1800, 2400)  # turned upright, the long side 2400
    assert api.get(url, headers=facilitator(event)).content == got.content
    thumbnail = api.get(f"{url}?thumbnail=true", headers=bearer(table["host_token"]))
    assert max(size_of(thumbnail.content)) == 480

    person = join(api, event, "写真を見たい人").json()
    assert_refused(api.get(url), 401, "missing_token")
    assert_refused(api.get(url, headers=bearer("not-a-token")), 401, "invalid_token")
    assert_refused(api.get(url, headers=bearer(other["host_token"])), 403, "forbidden")
    assert_refused(api.get(url, headers=bearer(person["token"])), 403, "forbidden")
    assert_refused(api.get(url, headers=bearer(event["projector_token"])), 403, "forbidden")
    assert_refused(api.get(photos_url(event, other, f"/{created.json()['id']}"),
                           headers=facilitator(event)), 404, "no_photo")
    listed = api.get(photos_url(event, table), headers=bearer(table["host_token"])).json()
    assert [(p["id"], p["phase_index"], p["width"], p["height"], p["on_projector"])
            for p in listed["photos"]] == [(created.json()["id"], 0, 1800, 2400, False)]


def test_only_the_tables_host_or_the_facilitator_may_send_and_what_is_not_a_photo_is_refused(
        server, api):
    event = create_event(api)
    table, other = event["tables"][:2]
    person = join(api, event, "撮影者").json()
    photo = phone_photo(800, 600)
    assert_refused(upload(api, event, table, other["host_token"], photo), 403, "forbidden")
    assert_refused(upload(api, event, table, person["token"], photo), 403, "forbidden")
    assert_refused(upload(api, event, table, event["projector_token"], photo), 403, "forbidden")
    assert upload(api, event, table, event["facilitator_token"], photo).status_code == 201
    full_size = grainy_photo()
    assert len(full_size) > 4 * 1024 * 1024  # over the 1 MiB of every other body
    stored = upload(api, event, table, table["host_token"], full_size)
    assert stored.status_code == 201, stored.text
    assert size_of(api.get(stored.json()["url"], headers=facilitator(event)).content) == (
        2400, 1800)
    assert_refused(upload(api, event, table, table["host_token"], b"%PDF-1.7 not a photo",
                          "sheet.pdf"), 422, "not_an_image")
    assert_refused(upload(api, event, table, table["host_token"], photo[:1500]), 422,
                   "not_an_image")
    assert_refused(api.post(photos_url(event, table), headers=bearer(table["host_token"]),
                            json={"photo": "base64…"}), 422, "invalid")
    too_big = b"\xff\xd8" + b"\x00" * (21 * 1024 * 1024)
    assert_refused(upload(api, event, table, table["host_token"], too_big), 413, "too_large")
    assert_refused(upload(api, event, {"id": 999999}, event["facilitator_token"], photo), 404,
                   "not_found")


def test_the_console_sees_it_live_the_projector_only_when_chosen_and_deleting_takes_it_away(
        server, api):
    from websockets.sync.client import connect

    event = create_event(api)
    table = event["tables"][0]
    with connect(f"{server.ws_url}/ws/sessions/{event['id']}?token={event['facilitator_token']}",
                 open_timeout=seconds(5)) as console:
        assert 'id="photos"' in receive_snapshot(console, "facilitator")
        photo_id = upload(api, event, table, table["host_token"], phone_photo(1600, 1200)
                          ).json()["id"]
        pushed = console.recv(timeout=seconds(10))
        while f'data-photo="{photo_id}"' not in pushed:
            pushed = console.recv(timeout=seconds(10))
        assert f'/f/{event["id"]}/photos/{photo_id}?thumbnail=true' in pushed

    url = photos_url(event, table, f"/{photo_id}")
    projector = bearer(event["projector_token"])
    assert_refused(api.patch(url, headers=bearer(table["host_token"]),
                             json={"on_projector": True}), 403, "forbidden")
    shown = api.patch(url, headers=facilitator(event), json={"on_projector": True})
    assert shown.status_code == 200 and shown.json()["on_projector"] is True
    assert api.get(url, headers=projector).status_code == 200
    hidden = api.patch(url, headers=facilitator(event), json={"on_projector": False})
    assert hidden.json()["on_projector"] is False
    assert_refused(api.get(url, headers=projector), 403, "forbidden")

    by_facilitator = upload(api, event, table, event["facilitator_token"],
                            phone_photo(800, 600)).json()["id"]
    assert_refused(api.delete(photos_url(event, table, f"/{by_facilitator}"),
                              headers=bearer(table["host_token"])), 403, "forbidden")
    deleted = api.delete(url, headers=bearer(table["host_token"]))
    assert deleted.status_code == 200 and deleted.json() == {"deleted": photo_id}
    assert_refused(api.get(url, headers=facilitator(event)), 404, "no_photo")
    listed = api.get(photos_url(event, table), headers=facilitator(event)).json()["photos"]
    assert [p["id"] for p in listed] == [by_facilitator]


def test_the_report_and_the_a3_pdf_print_the_photos(server, api, tmp_path):
    event = create_event(api)
    first, second = event["tables"][:2]
    for table in (first, first, second):
        assert upload(api, event, table, table["host_token"],
                      phone_photo(2000, 1500)).status_code == 201
    report = api.get(f"/api/v1/sessions/{event['id']}/export.report.pdf",
                     headers=facilitator(event), timeout=seconds(120))
    assert report.status_code == 200, report.text
    assert "模造紙の写真" in squeeze(pdf_text(report.content, tmp_path))
    board = api.get(f"/api/v1/sessions/{event['id']}/export.pdf", headers=facilitator(event),
                    timeout=seconds(120))
    assert board.status_code == 200, board.text
    for document, photos in ((report.content, 3), (board.content, 3)):
        pdf = pypdfium2.PdfDocument(document)
        try:
            images = sum(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
                         for page in pdf for obj in page.get_objects())
        finally:
            pdf.close()
        assert images == photos


def test_deleting_the_event_deletes_its_photos_from_the_database(server, api):
    from sqlalchemy import create_engine, text

    event = create_event(api)
    table = event["tables"][0]
    url = upload(api, event, table, table["host_token"], phone_photo(800, 600)).json()["url"]
    engine = create_engine(server.database_url)
    try:
        def stored() -> int:
            with engine.connect() as db:
                return db.execute(text("SELECT count(*) FROM table_photo WHERE session_id = :id"),
                                  {"id": event["id"]}).scalar()

        assert stored() == 1
        assert api.delete(f"/api/v1/sessions/{event['id']}",
                          headers=facilitator(event)).status_code == 204
        assert stored() == 0
    finally:
        engine.dispose()
    assert_refused(api.get(url, headers=facilitator(event)), 404, "not_found")
