"""What is checked in an uploaded object's bytes before it may be attached, and why.

The service reads two windows of the object, never the whole of a large one:
the first :data:`HEAD_BYTES` (64 KiB) and the last :data:`TAIL_BYTES`
(64 KiB + 22, where a ZIP reader looks for its directory). A file no larger
than both together is read whole. In those bytes, in this order:

1. **Signature** (``signature``): the magic bytes of the *declared* type, from
   the allowlist (:mod:`portal.uploads.types`). An SVG, HTML or XML file, a PNG
   declared as JPEG, anything but the declared format fails here.
2. **Markup** (``markup``): no match of :data:`MARKUP` (case-insensitive) in
   either window: an HTML or SVG tag that scripts or renders (``<script``,
   ``<html``, ``<svg``, ``<body``, ``<iframe``... followed by a space, ``/`` or
   ``>``, as a parser needs), ``<!DOCTYPE``, ``<?php``, ``javascript:``, an XML
   ``<!ENTITY``. This refuses JPEG/HTML and PNG/HTML polyglots (an image whose
   comment, metadata or trailing bytes carry a page). ``<?xml`` and
   ``<x:xmpmeta`` are allowed: cameras write XMP metadata. The delimiter after a
   tag name keeps chance matches in compressed pixels rarer than one in 100,000
   photos (a bare ``<svg`` would be one in 4,000).
3. **Document** (``document``): no ``%PDF-`` header (PDF readers accept it
   anywhere in the first KiB, many anywhere at all).
4. **Archive** (``archive``): no ZIP end-of-central-directory record in the tail
   window (PNG/ZIP, JPEG/JAR "GIFAR" polyglots; a ZIP reader finds its
   directory from the end whatever comes before). A record counts only if its
   fields are coherent (disk numbers equal, entry counts equal), so the 4-byte
   signature occurring by chance in compressed pixels is not enough.

Not checked: that the image decodes (no image library on the Lambda), and
bytes between the two windows of a file over 128 KiB. Neither matters to a
browser: photos are only ever served from S3 through presigned GETs that force
the verified ``Content-Type`` and a ``Content-Disposition`` (see
``UploadService.view_url``), from the bucket's origin, never the site's.
"""

from __future__ import annotations

import re
import struct

from portal.uploads.types import GENERIC_BRANDS, ImageType

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024 + 22
"""A ZIP's end record is 22 bytes plus a comment of at most 65,535 bytes from the end."""

MARKUP = re.compile(
    rb"<(?:script|html|svg|body|head|iframe|frame|object|embed|meta|style|link|form|base|img)"
    rb"[\s/>]|<!doctype[\s>]|<\?php\s|<a\s+href|javascript:|<!entity\s",
    re.IGNORECASE,
)
"""HTML, SVG, PHP and XML-entity markers (case-insensitive)."""

PDF = b"%pdf-"
_ZIP_END = b"PK\x05\x06"
_ZIP_END_FIELDS = struct.Struct("<4s4H2LH")


def signature_matches(image: ImageType, head: bytes) -> bool:
    """Whether ``head`` (the first bytes) carries ``image``'s magic bytes (and brand)."""
    for offset, alternatives in image.magic:
        if not any(head[offset : offset + len(a)] == a for a in alternatives):
            return False
    return not image.brands or _brand_matches(image, head)


def _brand_matches(image: ImageType, head: bytes) -> bool:
    """ISO-BMFF ``ftyp`` box: the major brand, or (for a generic one) a compatible brand."""
    if len(head) < 16:
        return False
    box_size = int.from_bytes(head[0:4], "big")
    if box_size < 16 or box_size > min(len(head), 4096) or box_size % 4:
        return False
    major = head[8:12]
    if major in image.brands:
        return True
    compatible = {head[i : i + 4] for i in range(16, box_size, 4)}
    return major in GENERIC_BRANDS and bool(compatible & image.brands)


def markup_in(data: bytes) -> bytes | None:
    """The first markup marker in ``data``, or None."""
    found = MARKUP.search(data)
    return found.group(0) if found else None


def zip_end_in(tail: bytes) -> bool:
    """Whether ``tail`` holds a coherent ZIP end-of-central-directory record."""
    at = tail.find(_ZIP_END)
    while at != -1:
        if at + _ZIP_END_FIELDS.size <= len(tail):
            _, disk, cd_disk, on_disk, total, _size, _offset, _comment = (
                _ZIP_END_FIELDS.unpack_from(tail, at)
            )
            if disk == cd_disk and on_disk == total:
                return True
        at = tail.find(_ZIP_END, at + 1)
    return False


def refusal(image: ImageType, head: bytes, tail: bytes) -> str | None:
    """Why these bytes may not be attached as ``image`` (see the module), or None."""
    if not signature_matches(image, head):
        return "signature"
    if markup_in(head) or markup_in(tail):
        return "markup"
    if PDF in head.lower() or PDF in tail.lower():
        return "document"
    if zip_end_in(tail):
        return "archive"
    return None
