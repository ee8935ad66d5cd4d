"""Image samples for the upload tests: real files, and the hostile ones an upload must refuse.

The four real samples are 8×8 pictures written by Pillow 13 (JPEG, PNG, WebP) and
pillow-heif 1.8 (HEIC, as an iPhone writes it: ``ftyp`` ``heic`` with ``mif1``),
kept here as base64 so the tests need no image library.
"""

from __future__ import annotations

import base64
import io
import zipfile

JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0"
    "KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7"
    "Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAEC"
    "AwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2Jy"
    "ggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWW"
    "l5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEA"
    "AwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMi"
    "MoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0"
    "dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn"
    "6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDHooorwD7o/9k="
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFUlEQVR42mM8YSPHgA0wMeAAg1MCAOf+ATIK/ILL"
    "AAAAAElFTkSuQmCC"
)
WEBP = base64.b64decode(
    "UklGRjgAAABXRUJQVlA4ICwAAACwAQCdASoIAAgAAoBCJaACdLoABGaAAP7qZf/2LOWwLx//PTP62/j/xkAAAA=="
)
HEIC = base64.b64decode(
    "AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAXxtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAA"
    "AAAAAAAAAAAAACJpbG9jAAAAAERAAAEAAQAAAAABoAABAAAAAAAAADIAAAAjaWluZgAAAAAAAQAAABVpbmZlAgAA"
    "AAABAABodmMxAAAAAA5waXRtAAAAAAABAAAA/GlwcnAAAADcaXBjbwAAAHVodmNDAQNwAAAAkAAAAAAAHvAA/P34"
    "+AAADwNgAAEAGEABDAH//wNwAAADAJAAAAMAAAMAHroCQGEAAQApQgEBA3AAAAMAkAAAAwAAAwAeoCCBBZbqrprm"
    "4CGgwIAAAAyAAAADAIRiAAEABkQBwXPBiQAAABNjb2xybmNseAABAA0ABoAAAAAUaXNwZQAAAAAAAABAAAAAQAAA"
    "AChjbGFwAAAACAAAAAEAAAAIAAAAAf///8gAAAAC////yAAAAAIAAAAQcGl4aQAAAAADCAgIAAAAGGlwbWEAAAAA"
    "AAAAAQABBYECAwWEAAAAOm1kYXQAAAAuKAGvEyFiY0D1JyL//v+6f/CLJ/0r2WFncrrBW/L6wPZkm8DzqpGegIdp"
    "pzAVeA=="
)
REAL: dict[str, bytes] = {
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/webp": WEBP,
    "image/heic": HEIC,
}
"""A real file of every allowed type."""

SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
       b'<script>alert(document.cookie)</script></svg>\n')  # fmt: skip
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/me')</script></body></html>\n"
AVIF_HEADER = (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"
               b"\x00\x00\x00\x00meta")  # fmt: skip
"""The first bytes of an AVIF file (an ISO-BMFF image like HEIC, but not HEIC)."""
XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')  # fmt: skip
"""What a camera writes as XMP metadata: XML, and no reason to refuse a photo."""


def jpeg_with_segment(marker: int, payload: bytes, jpeg: bytes = JPEG) -> bytes:
    """``jpeg`` with one more segment (``FF <marker>``) right after its SOI marker."""
    segment = bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_html_polyglot() -> bytes:
    """A JPEG whose comment segment is a web page: an image viewer shows the picture, a
    browser told it is HTML runs the script."""
    return jpeg_with_segment(0xFE, b"<html><body><script>alert(1)</script></body></html>")


def jpeg_with_xmp() -> bytes:
    return jpeg_with_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<p>hello</p>")
        archive.writestr("evil.class", b"\xca\xfe\xba\xbe")
    return buffer.getvalue()


def png_zip_polyglot() -> bytes:
    """A PNG followed by a ZIP archive: a valid picture and a valid archive at once."""
    return PNG + zip_archive()


def padded(data: bytes, size: int, filler: bytes = b"\x00") -> bytes:
    """``data`` followed by filler up to ``size`` bytes (a large file from a small sample)."""
    return data + filler * (size - len(data))


def big_png(width: int = 3200, height: int = 2400, seed: int = 7) -> bytes:
    """A camera-sized PNG of noise (it barely compresses: about width × height × 3 bytes), as
    a phone's screenshot or an unconverted photo would be."""
    import random
    import struct
    import zlib

    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))  # fmt: skip
