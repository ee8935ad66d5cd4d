"""The Content-Security-Policy of the static site, in one place.

Pages declare it in a ``<meta http-equiv>``; the local server and the CDN send
it as a header too (``frame-ancestors`` only works as a header). The site needs
no inline script or style: CSS and the small page scripts are files on the same
origin.

Photos go from the browser straight to the uploads bucket (a presigned POST) and
are shown from it (presigned GETs), so where the bucket is known the policy also
admits its origin for ``connect-src`` and ``img-src`` (:func:`policy`); the CDN's
header does (``portal.infra.cdn``).
"""

from __future__ import annotations

from collections.abc import Sequence

_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("script-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'none'"),
)
_HEADER_ONLY = (("frame-ancestors", "'none'"),)
_MEDIA = ("img-src", "connect-src")
"""Where the uploads bucket's origin goes: photos are fetched (img) and posted (connect)."""


def policy(*, header: bool = False, media_origins: Sequence[str] = ()) -> str:
    """The policy; as a header it adds ``frame-ancestors``; ``media_origins`` (the uploads
    bucket's ``https://`` origin) are admitted for images and for the upload POST."""
    parts = []
    for name, sources in _DIRECTIVES + (_HEADER_ONLY if header else ()):
        extra = " ".join(media_origins) if name in _MEDIA and media_origins else ""
        parts.append(f"{name} {sources}{' ' + extra if extra else ''}")
    return "; ".join(parts)


CSP = policy()

CSP_HEADER = policy(header=True)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
