"""Photos of the tables' paper sheets (模造紙): a table's host (or the facilitator) uploads
one, the server keeps a re-encoded copy — upright, at most 2400 px on its long side, with
no EXIF, XMP or comment left (a phone's photo carries where it was taken) — and a
thumbnail; the console lists them per table and round, the projector shows the one the
facilitator chooses, the documents print them."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from app import auth
from app.actions import Done, Services, announce, require
from app.i18n import N_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.store import photos, sessions
from app.store.records import PhotoRecord

LONG_SIDE = 2400
"""The stored photo's longest side, in pixels: an A3 page at 150 dpi, the writing on a
paper sheet still legible."""
THUMBNAIL_SIDE = 480
MAX_PIXELS = 64_000_000
"""The largest picture decoded (a 48-megapixel phone camera fits): a small file that
claims more (a decompression bomb) is refused before it is decoded."""
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
FORMATS = ("JPEG", "PNG", "WEBP")
"""What phones and cameras send (Pillow's JPEG reader also takes an MPO, a JPEG with a
second picture inside); a browser's file input sends an iPhone's HEIC as JPEG."""

NOT_AN_IMAGE = N_("This is not a photo the server can read: send a JPEG, PNG or WebP "
                  "picture.")
TOO_MANY_PIXELS = N_("This picture is too large: at most %(megapixels)s megapixels.")
NOT_YOURS = N_("Only the facilitator or this table's host may do this.")


@dataclass(frozen=True)
class Prepared:
    """A photo as the server stores it."""

    jpeg: bytes
    thumbnail: bytes
    size: tuple[int, int]


def prepare(data: bytes) -> Prepared:
    """The upload turned upright (its EXIF orientation applied), scaled down to LONG_SIDE
    and encoded again as a JPEG that carries nothing but its pixels and colour profile;
    422 not_an_image for anything Pillow cannot read as a picture, 422 image_too_large for
    more than MAX_PIXELS."""
    from PIL import Image, ImageFile, ImageOps

    # WeasyPrint, once imported in this process, lets Pillow load cut-short files (grey
    # below the cut): an upload the Wi-Fi cut short is refused, so the host sends it again
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            # Pillow warns of a bomb it would still open: refused here (MAX_PIXELS is lower)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels()
            image.draft("RGB", (LONG_SIDE, LONG_SIDE))  # a JPEG decodes at 1/2, 1/4, 1/8
            profile = image.info.get("icc_profile")
            picture = _flattened(ImageOps.exif_transpose(image))
    except Refusal:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # noqa: BLE001 - broken bytes make Pillow raise OSError, SyntaxError,
        # ValueError, EOFError, struct.error, KeyError … (UnidentifiedImageError for none)
        raise Refusal("not_an_image", NOT_AN_IMAGE) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    picture.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    picture.info = {}  # no EXIF, XMP or comment is carried over
    small = picture.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Prepared(_jpeg(picture, JPEG_QUALITY, profile),
                    _jpeg(small, THUMBNAIL_QUALITY, profile), picture.size)


def _too_many_pixels() -> Refusal:
    return Refusal("image_too_large", TOO_MANY_PIXELS, megapixels=MAX_PIXELS // 1_000_000)


def _flattened(image):
    """RGB pixels: a transparent PNG on white (as on paper), other modes converted."""
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(picture, quality: int, profile: bytes | None) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True,
                 **({"icc_profile": profile} if profile else {}))
    return out.getvalue()


def _may_take(identity: auth.Identity, table_id: int) -> None:
    """The facilitator, or the host of this table."""
    require(identity, auth.HOST)
    if identity.role == auth.HOST and identity.table_id != table_id:
        raise Refusal("forbidden", NOT_YOURS)


def upload(services: Services, identity: auth.Identity, table_id: int, data: bytes
           ) -> Done[PhotoRecord]:
    """A table's photo, prepared (`prepare`) and stored under the round the programme is
    in; the console and the table's host see it at once."""
    _may_take(identity, table_id)
    ready = prepare(data)
    photo, seq = photos.add(services.engine, identity.event_id, table_id, ready.jpeg,
                            ready.thumbnail, ready.size, identity.role == auth.HOST,
                            services.now())
    return Done(photo, announce(services, identity.event_id, seq, changes.PhotoAdded(photo)))


def of_table(services: Services, identity: auth.Identity, table_id: int) -> EventView:
    """The event with its photos, for the table's host or the facilitator."""
    _may_take(identity, table_id)
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    if view.table(table_id) is None:
        raise Refusal("not_found", N_("There is no such table in this event."))
    return view


def image(services: Services, identity: auth.Identity, photo_id: int, *,
          thumbnail: bool = False, table_id: int | None = None) -> bytes:
    """A photo's JPEG (or its thumbnail's) for whoever may see it: the facilitator, the
    table's host, the projector while it shows it. `table_id`: the table the address
    names (404 no_photo for another table's photo)."""
    photo, jpeg = photos.image(services.engine, identity.event_id, photo_id, thumbnail)
    if table_id is not None and photo.table_id != table_id:
        raise photos.no_photo()
    if identity.role == auth.PROJECTOR:
        if not photo.on_projector:
            raise Refusal("forbidden", N_("The projector shows only the photo the facilitator "
                                          "puts on it."))
    else:
        _may_take(identity, photo.table_id)
    return jpeg


def delete(services: Services, identity: auth.Identity, photo_id: int,
           table_id: int | None = None) -> Done[PhotoRecord]:
    """Deleted by the facilitator, or by the host of its table when a host took it."""
    photo = photos.find(services.engine, identity.event_id, photo_id)
    if table_id is not None and photo.table_id != table_id:
        raise photos.no_photo()
    _may_take(identity, photo.table_id)
    if identity.role == auth.HOST and not photo.by_host:
        raise Refusal("forbidden", N_("Only the facilitator may delete the facilitator's "
                                      "photos."))
    deleted, seq = photos.delete(services.engine, identity.event_id, photo_id)
    return Done(deleted, announce(services, identity.event_id, seq,
                                  changes.PhotoDeleted(deleted)))


def project(services: Services, identity: auth.Identity, photo_id: int, on: bool,
            table_id: int | None = None) -> Done[int | None]:
    """Puts a photo on the projector, large over its screen (the one shown before goes),
    or takes it off (facilitator); the photo shown afterwards (None: none)."""
    require(identity, auth.FACILITATOR)
    if table_id is not None and photos.find(services.engine, identity.event_id,
                                            photo_id).table_id != table_id:
        raise photos.no_photo()
    shown, seq = photos.show(services.engine, identity.event_id, photo_id, on)
    return Done(shown, announce(services, identity.event_id, seq,
                                changes.PhotoProjected(shown)))
