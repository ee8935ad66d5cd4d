"""The Content-Security-Policy of the static site, in one place.

Pages declare it in a ``<meta http-equiv>``; the local server and the CDN send
it as a header too (``frame-ancestors`` only works as a header). The site's one
inline script (``site/static/early.js``: large type, set before the first paint,
so a first view waits on no script file) is admitted by its hash (``script-src``);
its one small stylesheet (``site/static/style.css``, and ``print.css`` for the
print views of campaigns and issues) is inlined in every page, cut to the rules
the page's kind can use (:mod:`portal.site.stylesheet`), so the first view needs
one request, and admitted by its SHA-256 hash (``style-src``), not by
``'unsafe-inline'``: a page's ``<meta>`` admits its kind's styles, the headers
every kind's (a few hashes). Other styles and the page scripts are files on the
same origin.

Photos go from the browser straight to the uploads bucket (a presigned POST) and
are shown from it (presigned GETs), so where the bucket is known the policy also
admits its origin for ``connect-src`` and ``img-src`` (:func:`policy`); the CDN's
header does (``portal.infra.cdn``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from portal import ROOT

INLINE_STYLES: dict[str, str] = {"inline_css": "style.css", "print_css": "print.css"}
"""The stylesheets of ``site/static`` that pages inline (``<style>``), by the template global
that writes each; each page kind inlines its cut of them (:mod:`portal.site.stylesheet`)."""

INLINE_SCRIPTS: dict[str, str] = {"early_js": "early.js"}
"""The scripts of ``site/static`` that every page inlines (``<script>``), by their global."""

_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("script-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("base-uri", "'none'"),
)
"""No ``manifest-src``: the site has no web app manifest, so ``default-src 'none'`` refuses one."""
_HEADER_ONLY = (("frame-ancestors", "'none'"),)
_MEDIA = ("img-src", "connect-src")
"""Where the uploads bucket's origin goes: photos are fetched (img) and posted (connect)."""


def inline_hash(text: str) -> str:
    """The CSP source that admits exactly this inline ``<style>`` or ``<script>`` content."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _static_texts(static_dir: Path, files: dict[str, str]) -> dict[str, str]:
    """Global → the text of its file in ``static_dir`` (empty where the file is missing,
    e.g. a Lambda package)."""
    out = {}
    for name, file in files.items():
        try:
            out[name] = (static_dir / file).read_text(encoding="utf-8")
        except OSError:
            out[name] = ""
    return out


def inline_scripts(static_dir: Path = ROOT / "site" / "static") -> dict[str, str]:
    """The inlined scripts as pages carry them: without their ``//`` comment lines and
    indentation."""
    return {name: "\n".join(s for s in map(str.strip, text.splitlines())
                            if s and not s.startswith("//"))
            for name, text in _static_texts(static_dir, INLINE_SCRIPTS).items()}  # fmt: skip


@cache
def _script_hashes(scripts: tuple[str, ...] | None) -> str:
    found = inline_scripts().values() if scripts is None else scripts
    return " ".join(inline_hash(js) for js in found if js)


def inline_styles(static_dir: Path = ROOT / "site" / "static") -> dict[str, str]:
    """The inlined stylesheets' text (empty where a file is missing, e.g. a Lambda package)."""
    return _static_texts(static_dir, INLINE_STYLES)


def page_styles(site_dir: Path = ROOT / "site") -> list[str]:
    """Every distinct inlined style of the site's page kinds: what the policy admits."""
    from portal.site.stylesheet import Kinds

    return Kinds(site_dir / "templates", inline_styles(site_dir / "static")).every_cut()


def policy(
    *, header: bool = False, media_origins: Sequence[str] = (), styles: Sequence[str] | None = None,
    scripts: Sequence[str] | None = None,
) -> str:
    """The policy; as a header it adds ``frame-ancestors``; ``media_origins`` (the uploads
    bucket's ``https://`` origin) are admitted for images and for the upload POST; ``styles``
    (default: every page kind's inlined styles, :func:`page_styles`) by their hashes, and
    ``scripts`` (default: :func:`inline_scripts`'s) by theirs."""
    hashes = " ".join(inline_hash(css) for css in (page_styles() if styles is None else styles)
                      if css)  # fmt: skip
    parts = []
    for name, sources in _DIRECTIVES + (_HEADER_ONLY if header else ()):
        extra = " ".join(media_origins) if name in _MEDIA and media_origins else ""
        if name == "style-src" and hashes:
            extra = hashes
        elif name == "script-src":
            extra = _script_hashes(None if scripts is None else tuple(scripts))
        parts.append(f"{name} {sources}{' ' + extra if extra else ''}")
    return "; ".join(parts)


@cache
def _defaults() -> dict[str, Any]:
    header = policy(header=True)
    return {
        "CSP": policy(),
        "CSP_HEADER": header,
        "SECURITY_HEADERS": {
            "Content-Security-Policy": header,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        },
    }


def __getattr__(name: str) -> Any:
    """``CSP``, ``CSP_HEADER`` (every page kind's styles admitted) and ``SECURITY_HEADERS``,
    computed on first use: a site build reads the templates for its own kinds only."""
    if name in ("CSP", "CSP_HEADER", "SECURITY_HEADERS"):
        return _defaults()[name]
    raise AttributeError(name)
