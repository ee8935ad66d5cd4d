"""Parsing and rendering, in this process or in forked workers on every core.

The parent sets :data:`JOB` (the environment, the pages, the output folder)
and forks; a worker gets only ``(start, end)`` index bounds and sends back the
names it wrote, so nothing large is pickled either way. The garbage collector
is frozen in the parent before the fork (the children's collections never touch,
so never copy, the parent's objects) and paused while pages render: a render
allocates many short-lived objects and creates no cycles worth chasing.
Writes are atomic (into an output folder that held no page, a page is written in
place: there is nothing to replace and the manifest, written last, commits the build),
and a page whose file already holds the same bytes is left alone (counted as
unchanged), so a full rebuild rewrites only what differs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from portal import codecache, collector
from portal.site import forkpool, sources
from portal.site.files import make_folder, read_bytes, write_bytes
from portal.site.ical import campaign_ics
from portal.site.manifest import write_atomic
from portal.site.model import keep_body, kept_body
from portal.site.pages import Page
from portal.site.prefetch import Prefetch
from portal.site.render import LISTING_TEMPLATES
from portal.sourcefile import SourceError, error

PARALLEL_MIN_PAGES = 120
PARALLEL_MIN_FILES = 5000
"""Parsing front matter is quick: below this many files, a pool's fork and pickling cost
more CPU than they save (2,000 notices: 0.21 s serial, 0.23 s wall and 0.40 s CPU on two)."""
SPLIT_MIN_FILES = 400
"""From this many files (and below :data:`PARALLEL_MIN_FILES`), one forked helper parses the
last part while this process parses the first: 2,000 notices' front matter, 35 µs each,
against 13 µs to pickle and 8 µs to unpickle one (:func:`parse`)."""

Progress = Callable[[str, int, int], None]

JOB: dict[str, Any] = {}
"""What the forked workers inherit: env, pages, out_dir, site_url, now, and ``empty`` (the
output folder had no pages, so there is nothing to compare a page with)."""


@dataclass
class Rendered:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    compiled: bytes = b""
    """What a forked worker compiled from generated source (:func:`portal.codecache.taken`)."""

    def add(self, other: Rendered) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.errors += other.errors


def _render_one(env: Environment, page: Page) -> bytes:
    if page.template == "ics:":
        host = urlsplit(JOB["site_url"]).hostname or "localhost"
        return campaign_ics(page.ctx["campaign"], page.lang, host, JOB["now"]).encode()
    return env.get_template(page.template).render(page.context()).encode()


def write_if_changed(target: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; True if written."""
    try:
        with open(target, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return False
    except OSError:
        pass
    write_atomic(target, data)
    return True


def _render_range(bounds: tuple[int, int]) -> Rendered:
    env: Environment = JOB["env"]
    pages: list[Page] = JOB["pages"]
    root = str(JOB["out_dir"])  # page names are POSIX paths: joined as text, not as Paths
    empty: bool = JOB.get("empty", False)
    done = Rendered()
    made: set[str] = set()
    since = codecache.mark()
    with collector.paused():
        for page in pages[bounds[0] : bounds[1]]:
            try:
                data = _render_one(env, page)
            except TemplateSyntaxError as exc:
                done.errors.append(error(f"templates/{exc.name or page.template}", exc.lineno or 1,
                                         "template_error", problem=exc.message or str(exc)))  # fmt: skip
                continue
            except (TemplateError, AttributeError, KeyError, TypeError, ValueError) as exc:
                done.errors.append(error(f"templates/{page.template}", 1, "template_error",
                                         problem=f"{page.out}: {type(exc).__name__}: {exc}"))  # fmt: skip
                continue
            target = f"{root}/{page.out}"
            folder = target.rpartition("/")[0]
            if folder not in made:
                make_folder(folder)
                made.add(folder)
            done.written.append(page.out)
            if empty:  # no page to replace, nobody reading it: no temporary file and rename
                write_bytes(target, data)
            elif not write_if_changed(Path(target), data):
                done.unchanged.append(page.out)
    done.compiled = codecache.taken(since)
    return done


def render(pages: list[Page], jobs: int, progress: Progress | None) -> Rendered:
    """Render and write ``pages`` (JOB must hold env, out_dir, site_url and now)."""
    JOB["pages"] = pages
    n = len(pages)
    if jobs <= 1 or n < PARALLEL_MIN_PAGES:
        done = _render_range((0, n))
        if progress:
            progress("render", n, n)
        return done
    # Two groups go first, each to one worker as one part, where it is no more than a worker's
    # share: the pages that make their context (labels from half the code base, unless the
    # build made them in advance), and the pages that list notices (each notice's item is
    # rendered once per process: in one worker, not in every one). Then small parts, which
    # balance the cores when one is busier (a shared machine).
    lazy = [p for p in pages if p.make is not None]
    lists = [p for p in pages if p.make is None and p.template in LISTING_TEMPLATES]
    groups = [g for g in (lazy, lists) if g and len(g) <= n // jobs]
    grouped = {id(p) for g in groups for p in g}
    rest = [p for p in lazy + [p for p in pages if p.make is None] if id(p) not in grouped]
    pages = JOB["pages"] = [p for g in groups for p in g] + rest
    bounds, start = [], 0
    for g in groups:
        bounds.append((start, start + len(g)))
        start += len(g)
    chunk = max(16, len(rest) // (jobs * 12))
    bounds += [(i, min(n, i + chunk)) for i in range(start, n, chunk)]
    done = Rendered()
    gc.freeze()
    try:
        for part in forkpool.run(_render_range, bounds, jobs):
            done.add(part)
            codecache.add(part.compiled)  # kept by `portal build` (functions/local/command.py)
            if progress:
                progress("render", len(done.written), n)
    finally:
        gc.unfreeze()
    return done


Parsed = tuple[str, str, Any, list[SourceError]]
"""A content file parsed: (its name, its digest, its record or None, its errors)."""


def _parse_chunk(items: list[tuple[str, str]]) -> list[Parsed]:
    out = []
    with collector.paused():
        for rel, path in items:
            digest, value, errs = sources.parse_source(rel, read_bytes(path))
            out.append((rel, digest, value, errs))
    return out


def _parse_with_bodies(items: list[tuple[str, str]]) -> list[tuple[Parsed, str | None]]:
    """:func:`_parse_chunk`, each with the body the parse kept (a notice's), for the parent."""
    return [(parsed, kept_body(parsed[1])) for parsed in _parse_chunk(items)]


def parse(content_dir: Path, todo: list[str], jobs: int) -> list[Parsed]:
    """Parse these files. With two or more cores and at least :data:`SPLIT_MIN_FILES` of them,
    a forked helper parses the last 30% and sends it back pickled while this process parses
    the rest (the helper also pickles, beside the build's other helper; with 45% it was still
    at work 0.035 s after this process was done, with 30% 0.008 s); if the helper fails, this
    process parses its part too. Pickling costs about half of parsing, so a pool of every
    core pays only from :data:`PARALLEL_MIN_FILES` files."""
    items = [(rel, str(content_dir / rel)) for rel in todo]
    if jobs <= 1 or len(items) < SPLIT_MIN_FILES:
        return _parse_chunk(items)
    if len(items) < PARALLEL_MIN_FILES:
        cut = len(items) * 7 // 10
        helper = Prefetch(partial(_parse_with_bodies, items[cut:]))
        mine = _parse_chunk(items[:cut])
        theirs = helper.result()
        if theirs is None:
            return mine + _parse_chunk(items[cut:])
        return mine + _kept(theirs)
    size = max(50, len(items) // (jobs * 4))
    _PARSING[:] = items
    try:
        bounds = [(i, min(len(items), i + size)) for i in range(0, len(items), size)]
        parts = sorted(forkpool.run(_parse_range, bounds, jobs), key=lambda part: part[0])
    finally:
        _PARSING.clear()
    return [parsed for _, done in parts for parsed in _kept(done)]


def _kept(parsed: list[tuple[Parsed, str | None]]) -> list[Parsed]:
    """Files parsed in another process; the bodies it kept are kept here (not read again)."""
    for (_, digest, _, _), body in parsed:
        if body is not None:
            keep_body(digest, body)
    return [p for p, _ in parsed]


_PARSING: list[tuple[str, str]] = []
"""The files a pool of forked parsers shares (each is sent bounds into it)."""


def _parse_range(bounds: tuple[int, int]) -> tuple[int, list[tuple[Parsed, str | None]]]:
    return bounds[0], _parse_with_bodies(_PARSING[bounds[0] : bounds[1]])
