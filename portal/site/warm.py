"""The read step of a build: which content files changed since the last build, and their records.

A build in a new process scans every content file's size and mtime
(:func:`portal.site.sources.scan`) and parses those the manifest holds no record of. A warm
process (the dev watcher, the publishing task) keeps, per content and output folder, the
sizes and mtimes its last build saw and the manifest it saved: the next build compares a
new scan with them, or, when the caller names the paths that changed (the watcher's paths;
the publishing task's notice is in the store, so no file), stats only those, without a scan.
A call that names nothing still scans, so an edit nobody reported is found.

It also says which files changed (``Read.changed``), so that the model is patched rather
than assembled again (:func:`portal.site.content.assemble`), and whether the folder's
manifest is the one this process saved with every page in it, so that the plan is made
incrementally (:mod:`portal.site.replan`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from portal.site import sources, workers
from portal.site.manifest import Manifest
from portal.sourcefile import SourceError

Sig = tuple[int, int]
SECTIONS = ("notices", "campaigns", "newsletter")
"""The content folder's sections (what :func:`portal.site.sources.scan` reads)."""


@dataclass
class Read:
    files: dict[str, sources.Parsed]
    changed: set[str] | None
    """The files whose records differ from this process's last build of the same folders
    (None: not known, so the model is assembled from every record)."""
    parsed: int
    errors: list[SourceError]


@dataclass
class _Seen:
    manifest: Manifest
    stats: dict[str, Sig]
    failed: set[str]
    """The files with problems (their records hold them)."""


_SEEN: dict[tuple[str, str], _Seen] = {}
_ASSEMBLED_FOR: dict[str, str] = {}
"""Content folder → the output folder its model was last assembled for, in this process."""
_COMPLETE: dict[str, Manifest] = {}
"""Output folder → the manifest this process saved there after a build where every page
rendered: while the folder holds it, the last plan's pages are all on disk."""
COUNTS: dict[str, int] = {"scans": 0, "stats": 0}
"""Scans of the content folder, and files stat'ed one by one (tests count the work)."""


def _key(content_dir: Path, out_dir: Path) -> tuple[str, str]:
    return (os.path.abspath(content_dir), os.path.abspath(out_dir))


def content_rels(content_dir: Path, paths: Iterable[str | os.PathLike[str]]) -> set[str]:
    """The content files among ``paths`` (absolute, or relative to the working folder), as
    the scan names them: Markdown files in a section, no hidden part."""
    root = os.path.abspath(content_dir) + os.sep
    out: set[str] = set()
    for path in paths:
        full = os.path.abspath(path)
        if not full.startswith(root) or not full.endswith(".md"):
            continue
        rel = full[len(root) :].replace(os.sep, "/")
        parts = rel.split("/")
        if len(parts) > 1 and parts[0] in SECTIONS and not any(p.startswith(".") for p in parts):
            out.add(rel)
    return out


def read(content_dir: Path, out_dir: Path, manifest: Manifest, jobs: int,
         changed_paths: Iterable[str | os.PathLike[str]] | None) -> tuple[Read, dict[str, Sig]]:  # fmt: skip
    """The records of every content file, and every file's (mtime, size)."""
    key = _key(content_dir, out_dir)
    seen = _SEEN.get(key)
    todo: list[str] = []
    changed: set[str] | None
    if seen is not None and seen.manifest is manifest:
        if changed_paths is not None:
            stats = dict(seen.stats)
            candidates: Iterable[str] = content_rels(content_dir, changed_paths)
            for rel in candidates:
                COUNTS["stats"] += 1
                try:
                    st = os.stat(content_dir / rel)
                    stats[rel] = (st.st_mtime_ns, st.st_size)
                except OSError:
                    stats.pop(rel, None)
        else:
            stats = _scan(content_dir)
            before = seen.stats
            candidates = {rel for rel, sig in stats.items() if before.get(rel) != sig}
            candidates |= before.keys() - stats.keys()
        files = dict(manifest.files)
        changed, failed = set(), set(seen.failed)
        for rel in candidates:
            sig = stats.get(rel)
            cached = files.get(rel)
            if sig is None:
                if files.pop(rel, None) is not None:
                    changed.add(rel)
                failed.discard(rel)
            elif cached is None or cached.sig != sig:
                todo.append(rel)
        if _ASSEMBLED_FOR.get(key[0]) != key[1]:
            changed = None  # the model in memory was made for another output folder
    else:
        stats = _scan(content_dir)
        files, changed, failed = {}, None, set()
        for rel, sig in stats.items():
            cached = manifest.files.get(rel)
            if cached is not None and cached.sig == sig:
                files[rel] = cached
                if cached.errors:
                    failed.add(rel)
            else:
                todo.append(rel)
    for rel, digest, value, errs in workers.parse(content_dir, sorted(todo), jobs):
        files[rel] = sources.Parsed(stats[rel], digest, value, tuple(errs))
        if errs:
            failed.add(rel)
        else:
            failed.discard(rel)
        if changed is not None:
            changed.add(rel)
    _ASSEMBLED_FOR[key[0]] = key[1]
    errors = [e for rel in sorted(failed) for e in files[rel].errors]
    _SEEN.pop(key, None)  # until the build saves its manifest (remember)
    _PENDING[key] = (stats, failed)
    return Read(files, changed, len(todo), errors), stats


_PENDING: dict[tuple[str, str], tuple[dict[str, Sig], set[str]]] = {}


def remember(content_dir: Path, out_dir: Path, saved: Manifest, complete: bool) -> None:
    """The build saved ``saved`` into ``out_dir`` (``complete``: every page rendered)."""
    key = _key(content_dir, out_dir)
    pending = _PENDING.pop(key, None)
    if pending is not None:
        _SEEN[key] = _Seen(saved, pending[0], pending[1])
    if complete:
        _COMPLETE[key[1]] = saved
    else:
        _COMPLETE.pop(key[1], None)


def complete(out_dir: Path, manifest: Manifest) -> bool:
    """Whether ``manifest`` is the one this process saved after a build with no failed page."""
    return _COMPLETE.get(os.path.abspath(out_dir)) is manifest


def _scan(content_dir: Path) -> dict[str, Sig]:
    COUNTS["scans"] += 1
    return sources.scan(content_dir)
