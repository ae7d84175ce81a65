"""The paper sheets in the browser: a host photographs the table's sheet from the tablet
(the file input a tablet opens its camera with), the console shows the thumbnail at once,
puts the photo on the projector and takes it off; the host deletes it and it goes from the
console. Screenshots: test-artifacts/host-photo.png, console-photos.png,
projector-photo.png."""

from playwright.sync_api import expect

from tests.fixtures.api import control, create_event
from tests.fixtures.browser import ARTIFACTS, screenshot, wait_ms
from tests.fixtures.photos import phone_photo

LOADED = "img => img.complete && img.naturalWidth > 0"


def test_a_host_photographs_the_sheet_and_the_console_shows_it_at_once(server, api, open_page):
    event = create_event(api)
    table = event["tables"][0]
    assert control(api, event, "next").status_code == 200  # the first round
    console = open_page(event["urls"]["console"], 1366, 1000)
    projector = open_page(event["urls"]["projector"], 1280, 720)
    host = open_page(table["host_url"], 1024, 1366)
    expect(console.locator("#photos [data-photo]")).to_have_count(0)

    camera = host.locator("[data-photo-input]")
    expect(camera).to_have_attribute("accept", "image/*")
    assert camera.get_attribute("capture") is not None
    camera.set_input_files({"name": "IMG_0001.JPG", "mimeType": "image/jpeg",
                            "buffer": phone_photo(4032, 3024, orientation=6)})
    expect(host.locator("#flash")).to_contain_text("写真を保存しました", timeout=wait_ms())
    mine = host.locator("#table-photos [data-photo] img")
    expect(mine).to_have_count(1, timeout=wait_ms())
    host.wait_for_function(LOADED, arg=mine.element_handle(), timeout=wait_ms())
    screenshot(host, "host-photo")

    thumbnail = console.locator(f"#photos [data-photos-table='{table['id']}'] [data-photo] img")
    expect(thumbnail).to_have_count(1, timeout=wait_ms())
    console.wait_for_function(LOADED, arg=thumbnail.element_handle(), timeout=wait_ms())
    width, height = thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert (width, height) == (360, 480)  # upright, as the tablet was held
    expect(console.locator("#photos .photos__round")).to_contain_text("ラウンド1")

    expect(projector.locator("#photo")).to_be_hidden()
    console.locator("#photos [data-photo-show]").click()
    shown = projector.locator("#photo img")
    expect(shown).to_be_visible(timeout=wait_ms())
    projector.wait_for_function(LOADED, arg=shown.element_handle(), timeout=wait_ms())
    expect(console.locator("#photos .photo-thumb--projected")).to_have_count(1, timeout=wait_ms())
    ARTIFACTS.mkdir(exist_ok=True)
    console.locator("#photos").screenshot(path=str(ARTIFACTS / "console-photos.png"))
    screenshot(projector, "projector-photo", full_page=False)
    console.locator("#photos [data-photo-hide]").click()
    expect(projector.locator("#photo")).to_be_hidden(timeout=wait_ms())

    host.once("dialog", lambda dialog: dialog.accept())
    host.locator("#table-photos [data-photo-delete]").click()
    expect(console.locator("#photos [data-photo]")).to_have_count(0, timeout=wait_ms())
    expect(host.locator("#table-photos [data-photo]")).to_have_count(0)
