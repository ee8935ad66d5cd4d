"""Media types of the files the site is made of, in one place.

The publisher sets them on S3 objects; the local server sends them. Every text
type carries ``charset=utf-8``. An ``.xml`` file whose root element is an Atom
``<feed>`` is served as ``application/atom+xml``.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePath

_ATOM_NS = b"http://www.w3.org/2005/Atom"
_ATOM_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?feed[\s>/]")

_TEXT = "; charset=utf-8"
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html" + _TEXT,
    ".htm": "text/html" + _TEXT,
    ".css": "text/css" + _TEXT,
    ".js": "text/javascript" + _TEXT,
    ".mjs": "text/javascript" + _TEXT,
    ".map": "application/json" + _TEXT,
    ".json": "application/json" + _TEXT,
    ".webmanifest": "application/manifest+json" + _TEXT,
    ".xml": "application/xml" + _TEXT,
    ".atom": "application/atom+xml" + _TEXT,
    ".rss": "application/rss+xml" + _TEXT,
    ".ics": "text/calendar" + _TEXT,
    ".txt": "text/plain" + _TEXT,
    ".csv": "text/csv" + _TEXT,
    ".md": "text/markdown" + _TEXT,
    ".svg": "image/svg+xml" + _TEXT,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}
_ATOM_TYPE = CONTENT_TYPES[".atom"]


def content_type(relative: PurePath, head: bytes = b"") -> str:
    """The Content-Type for a file; ``head`` (its first bytes) tells an Atom ``.xml`` feed."""
    suffix = relative.suffix.lower()
    if suffix == ".xml" and _ATOM_NS in head and _ATOM_ROOT.search(head):
        return _ATOM_TYPE
    known = CONTENT_TYPES.get(suffix)
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(relative.name, strict=False)
    if guessed is None:
        return "application/octet-stream"
    return guessed + _TEXT if guessed.startswith("text/") else guessed
