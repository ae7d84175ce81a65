"""Photos of the tables' paper sheets: what the server keeps of an upload (upright, at most
2400 px, no EXIF — no location —, a thumbnail), what it refuses (not a picture, a
decompression bomb), and the pages they get in the report (PDF, drawn to
test-artifacts/report-photos.png, and DOCX) and the A3 PDF."""

from __future__ import annotations

import io
import random

import docx
import pypdfium2
import pytest
from PIL import Image

from app.actions.photos import LONG_SIDE, THUMBNAIL_SIDE, prepare
from app.documents import exports, report
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.store.records import PhotoRecord
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.documents import NOW, T0, TIMELINE, report_view
from tests.fixtures.photos import exif_of, phone_photo, size_of


def colour_at(jpeg: bytes, x: float, y: float) -> tuple[int, int, int]:
    """The pixel at a fraction of the width and height."""
    with Image.open(io.BytesIO(jpeg)) as image:
        return image.convert("RGB").getpixel((int(x * (image.width - 1)),
                                              int(y * (image.height - 1))))


def reddish(rgb: tuple[int, int, int]) -> bool:
    red, green, blue = rgb
    return red > 180 and green < 110 and blue < 110


def test_a_phone_photo_is_kept_upright_smaller_and_without_exif():
    sent = phone_photo(4000, 3000, orientation=6)  # held upright: stored turned 90°
    assert exif_of(sent).get_ifd(0x8825)  # it carries GPS
    kept = prepare(sent)
    assert kept.size == (1800, 2400) == size_of(kept.jpeg)
    assert not dict(exif_of(kept.jpeg)) and b"Exif" not in kept.jpeg
    assert b"PhoneMaker" not in kept.jpeg and b"http://ns.adobe.com/xap" not in kept.jpeg
    # orientation 6: the stored top left corner (red) is shown at the top right
    assert reddish(colour_at(kept.jpeg, 0.95, 0.05))
    assert not reddish(colour_at(kept.jpeg, 0.05, 0.05))
    assert max(size_of(kept.thumbnail)) == THUMBNAIL_SIDE and not dict(exif_of(kept.thumbnail))


def test_a_small_photo_is_not_enlarged_and_a_transparent_one_lands_on_white():
    assert prepare(phone_photo(1200, 900)).size == (1200, 900)
    clear = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    kept = prepare(out.getvalue())
    assert colour_at(kept.jpeg, 0.5, 0.5) >= (250, 250, 250)
    assert max(prepare(phone_photo(6000, 2000)).size) == LONG_SIDE


@pytest.mark.parametrize("sent", [b"", b"not a picture at all", phone_photo(800, 600)[:2000],
                                  b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100],
                         ids=["empty", "text", "cut short", "heic"])
def test_what_is_not_a_readable_picture_is_refused_with_422(sent):
    with pytest.raises(Refusal) as refused:
        prepare(sent)
    assert refused.value.code == "not_an_image" and refused.value.status == 422


def test_a_cut_short_photo_is_refused_even_after_weasyprint_made_pillow_lenient(monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES when imported (the document worker,
    or a test of the same process): the upload's check does not depend on it."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(Refusal) as refused:
        prepare(phone_photo(800, 600)[:2000])
    assert refused.value.code == "not_an_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_a_photo_spoiled_anywhere_is_kept_or_refused_never_an_error():
    """Bytes flipped in the headers, the EXIF and the picture of a phone's photo."""
    sent = bytearray(phone_photo(640, 480, orientation=3))
    spoiled = random.Random(22)
    outcomes = set()
    for _ in range(60):
        copy = bytearray(sent)
        for _ in range(spoiled.randint(1, 8)):
            at = spoiled.randrange(min(len(copy), 700)) if spoiled.random() < 0.7 \
                else spoiled.randrange(len(copy))
            copy[at] = spoiled.randrange(256)
        try:
            kept = prepare(bytes(copy))
            assert not dict(exif_of(kept.jpeg))
            outcomes.add("kept")
        except Refusal as refused:
            assert refused.code in ("not_an_image", "image_too_large")
            outcomes.add(refused.code)
    assert "kept" in outcomes and "not_an_image" in outcomes


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 megapixels in a few kB
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(Refusal) as refused:
        prepare(bomb.getvalue())
    assert refused.value.code == "image_too_large" and refused.value.status == 422


def with_photos(view: EventView) -> tuple[EventView, dict[int, bytes]]:
    """Two photos of table 1 (the first round, then the second) and one of table 2."""
    taken = [(11, 1, 1, (2400, 1800)), (12, 1, 2, (1800, 2400)), (13, 2, 1, (2400, 1800))]
    images = {}
    for photo_id, table_id, phase_index, size in taken:
        kept = prepare(phone_photo(*size, colour="#dfe9f5" if table_id == 2 else "#f4eedc"))
        view.apply(changes.PhotoAdded(PhotoRecord(photo_id, table_id, phase_index,
                                                  T0 + photo_id * 60_000, *kept.size,
                                                  by_host=True)))
        images[photo_id] = kept.jpeg
    return view, images


def test_the_report_has_a_page_of_photos_per_table():
    assert "Photos of the paper sheets" not in report.build(report_view(), TIMELINE, "en",
                                                            NOW).headings
    view, images = with_photos(report_view())
    built = report.build(view, TIMELINE, "en", NOW, images)
    section = next(s for s in built.sections if s.heading == "Photos of the paper sheets")
    assert [(b.heading, len(b.photos)) for b in section.blocks] == [
        ("Table 1 · Caring for elders", 2), ("Table 2 · Children", 1)]
    # the phase by its one heading (rounds.phase_heading), then the time it was taken
    assert section.blocks[0].photos[0].caption.startswith(
        "Round 1 (home table): Self-introduction · ")
    document = docx.Document(io.BytesIO(report.to_docx(built)))
    assert len(document.inline_shapes) == 3
    assert "Table 1 · Caring for elders" in [p.text for p in document.paragraphs]


def test_the_report_pdf_puts_each_tables_photos_on_a_page_of_its_own():
    view, images = with_photos(report_view("ja"))
    pdf = pypdfium2.PdfDocument(report.to_pdf(report.build(view, TIMELINE, "ja", NOW, images)))
    try:
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        pages = [i for i, text in enumerate(texts) if "Caring for elders" in text
                 and any(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
                         for obj in pdf[i].get_objects())]
        ARTIFACTS.mkdir(exist_ok=True)
        pdf[pages[0]].render(scale=1.5).to_pil().save(ARTIFACTS / "report-photos.png")
        images_per_page = [sum(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
                               for obj in pdf[i].get_objects()) for i in range(len(pdf))]
    finally:
        pdf.close()
    assert "模造紙の写真" in "".join(texts)
    assert sum(images_per_page) == 3 and images_per_page.count(0) < len(texts)
    assert sorted(n for n in images_per_page if n) == [1, 2]  # table 1's two, table 2's one


def test_the_a3_pdf_ends_with_a_page_per_photo():
    view, images = with_photos(report_view())
    pdf = pypdfium2.PdfDocument(exports.export(view, "pdf", "en", NOW, images=images))
    try:
        photo_pages = [i for i in range(len(pdf))
                       if any(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
                              for obj in pdf[i].get_objects())]
        width, height = pdf[photo_pages[0]].get_size()
        pages = len(pdf)
        last = pdf[pages - 1].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert len(photo_pages) == 3 and photo_pages[-1] == pages - 1
    assert round(width) == 1191 and round(height) == 842  # A3 landscape
    assert "Photos of the paper sheets" in last and "Children" in last
