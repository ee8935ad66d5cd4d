"""The photo types the portal accepts: the one allowlist.

Each row says everything about a type: its exact content type, the extension
of the keys the server chooses, the largest object accepted, and the magic
bytes the first bytes of an upload must carry. Nothing else in the code base
lists image types for uploads; SVG, HTML, XML, GIF, PDF and anything else are
not here, so they are refused when offered and when verified.

=============  =========  ========  ===================================================
content type   extension  max       magic bytes (offset: bytes, ``|`` = one of)
=============  =========  ========  ===================================================
image/jpeg     jpg        10 MiB    0: ``FF D8 FF``
image/png      png        10 MiB    0: ``89 50 4E 47 0D 0A 1A 0A``; 12: ``IHDR``
image/webp     webp       10 MiB    0: ``RIFF``; 8: ``WEBP``; 12: ``VP8 | VP8L | VP8X``
image/heic     heic       10 MiB    4: ``ftyp``; brand ``heic heix heim heis hevc hevx``
                                    (major brand, or a compatible brand of a
                                    ``mif1``/``msf1`` file: not AVIF)
=============  =========  ========  ===================================================

HEIC is what iPhones take. Browsers that do not know it (Chrome on Android and
Windows) report no type for a ``.heic`` file: the page should then declare
``image/heic`` from the file name, and the magic bytes decide.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class ImageType:
    content_type: str
    extension: str
    max_bytes: int
    magic: tuple[tuple[int, tuple[bytes, ...]], ...]
    """``(offset, alternatives)``: at each offset, one of the alternatives."""
    name: str
    """How people call it (in messages and logs)."""
    brands: frozenset[bytes] = frozenset()
    """ISO-BMFF files (HEIC): the brands that make the file this type."""

    @property
    def max_mb(self) -> int:
        return self.max_bytes // MiB


GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
"""ISO-BMFF major brands that say only "an image file": the compatible brands then decide."""

ALLOWED: tuple[ImageType, ...] = (
    ImageType("image/jpeg", "jpg", 10 * MiB, ((0, (b"\xff\xd8\xff",)),), "JPEG"),
    ImageType("image/png", "png", 10 * MiB,
              ((0, (b"\x89PNG\r\n\x1a\n",)), (12, (b"IHDR",))), "PNG"),
    ImageType("image/webp", "webp", 10 * MiB,
              ((0, (b"RIFF",)), (8, (b"WEBP",)), (12, (b"VP8 ", b"VP8L", b"VP8X"))), "WebP"),
    ImageType("image/heic", "heic", 10 * MiB, ((4, (b"ftyp",)),), "HEIC",
              brands=frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})),
)  # fmt: skip

_BY_TYPE = {t.content_type: t for t in ALLOWED}
_BY_EXTENSION = {t.extension: t for t in ALLOWED}

MAX_BYTES = max(t.max_bytes for t in ALLOWED)


def normalise(content_type: str) -> str:
    """``Image/JPEG`` → ``image/jpeg``; parameters are not allowed (they stay, and fail)."""
    return content_type.strip().lower()


def by_content_type(content_type: str) -> ImageType | None:
    """The allowed type for exactly ``content_type`` (case-insensitive), or None."""
    return _BY_TYPE.get(normalise(content_type))


def by_extension(extension: str) -> ImageType | None:
    return _BY_EXTENSION.get(extension)


def names() -> str:
    """``JPEG / PNG / WebP / HEIC``: the list in messages, in either language."""
    return " / ".join(t.name for t in ALLOWED)
