"""Images in staff bodies, resized for phones: what the published page shows.

An owner reads notices on a phone, often on mobile data: a 3,000-pixel photo or screenshot
costs them megabytes for nothing. When a document is saved, each verified image
(:mod:`portal.publishing.media`) gets a copy made here, and the body refers to the copy:

=====================  ==============================================================
rule                   value
=====================  ==============================================================
widest                 :data:`PHONE_WIDTH` px (narrower images keep their size)
no transparency        JPEG, quality :data:`JPEG_QUALITY`, progressive
transparency           WebP, quality :data:`WEBP_QUALITY` (keeps the alpha channel)
orientation            applied from the EXIF tag, then every metadata dropped (a phone
                       photo's EXIF may hold where it was taken)
larger than            :data:`MAX_PIXELS` pixels: refused (a decompression bomb fits in
                       10 MiB)
=====================  ==============================================================

An image the library cannot decode (HEIC, without a plugin) keeps its original.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

PHONE_WIDTH = 1080
"""Pixels: a phone's screen at 3x is about 1,080 px wide."""
JPEG_QUALITY = 82
WEBP_QUALITY = 80
MAX_PIXELS = 40_000_000
"""The largest image decoded (a 48-megapixel phone camera is refused; 40 MP is plenty)."""
SUFFIX = f"-w{PHONE_WIDTH}"
"""Added to the stem of an image's key for its phone copy."""


class ImageTooLarge(ValueError):
    """More pixels than :data:`MAX_PIXELS`."""


@dataclass(frozen=True)
class PhoneImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def for_phones(data: bytes) -> PhoneImage | None:
    """The phone copy of ``data`` (an image already checked), or None when it cannot be
    decoded; :class:`ImageTooLarge` over :data:`MAX_PIXELS`."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ImageTooLarge(f"{im.width}x{im.height}")
            upright = ImageOps.exif_transpose(im)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    if upright.width > PHONE_WIDTH:
        height = max(1, round(upright.height * PHONE_WIDTH / upright.width))
        upright = upright.resize((PHONE_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if _transparent(upright):
        upright.convert("RGBA").save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        return PhoneImage(out.getvalue(), "image/webp", "webp", upright.width, upright.height)
    upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return PhoneImage(out.getvalue(), "image/jpeg", "jpg", upright.width, upright.height)


def _transparent(im: Image.Image) -> bool:
    if im.mode in ("RGBA", "LA", "PA"):
        return im.getextrema()[-1][0] < 255  # type: ignore[index]
    return im.mode == "P" and "transparency" in im.info
