"""Build the static site: read → model → render → write, incrementally.

A manifest in the output folder (``.portal-build.pickle``) remembers, for each
content file, its size/mtime and parsed record, and for each output page its
fingerprint. A build re-parses only files whose size or mtime changed,
re-renders only pages whose fingerprint changed, and deletes the pages that no
longer exist. Problems in content files are collected as ``file:line`` errors;
the rest of the site still builds.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from portal import ROOT
from portal.estates.source import load_company
from portal.site import content as content_mod
from portal.site import sources
from portal.site.ical import campaign_ics
from portal.site.moments import ContentSource, next_change
from portal.site.pages import Page, plan, set_media_origins, set_site_url
from portal.site.render import make_env, preload
from portal.sourcefile import SourceError, error

BUILDER_VERSION = "3"
MANIFEST = ".portal-build.pickle"
HASHED_SUFFIXES = (".css", ".js", ".svg", ".png", ".woff2")
PARALLEL_MIN_PAGES = 120

Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    errors: list[SourceError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    pages: int = 0
    parsed: int = 0
    seconds: float = 0.0
    next_change: datetime | None = None  # the site, left alone, next changes (portal.site.moments)


@dataclass
class Manifest:
    version: str = BUILDER_VERSION
    site_hash: str = ""
    files: dict[str, sources.Parsed] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)


_MANIFEST_MEMO: dict[Path, tuple[tuple[int, int], Manifest]] = {}
"""The last manifest each output folder had, in this process, with the file's (mtime, size)."""

SHARDS = 16
"""Parsed records are saved in shards, so a one-file edit rewrites one small shard."""


def _shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARDS


def _shard_path(out_dir: Path, shard: int) -> Path:
    return out_dir / f"{MANIFEST}.files-{shard:02d}"


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _load_manifest(out_dir: Path) -> Manifest:
    path = out_dir / MANIFEST
    key = _stat_key(path)
    memo = _MANIFEST_MEMO.get(out_dir)
    if memo is not None and key == memo[0]:
        return memo[1]  # a warm process (the dev server's watcher) skips reading it again
    try:
        with path.open("rb") as fh:
            m = pickle.load(fh)
        if not isinstance(m, Manifest) or m.version != BUILDER_VERSION:
            return Manifest()
        for shard in range(SHARDS):
            with _shard_path(out_dir, shard).open("rb") as fh:
                part = pickle.load(fh)
            if not isinstance(part, dict):
                return Manifest()
            m.files.update(part)
        return m
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return Manifest()


def _save_manifest(out_dir: Path, manifest: Manifest, previous: Manifest) -> None:
    """Write the shards whose records changed, then the manifest itself (last: it commits)."""
    shards: list[dict[str, sources.Parsed]] = [{} for _ in range(SHARDS)]
    dirty = [False] * SHARDS
    for rel, parsed in manifest.files.items():
        shard = _shard_of(rel)
        shards[shard][rel] = parsed
        if previous.files.get(rel) is not parsed:
            dirty[shard] = True
    for rel in previous.files.keys() - manifest.files.keys():
        dirty[_shard_of(rel)] = True
    for shard, records in enumerate(shards):
        path = _shard_path(out_dir, shard)
        if dirty[shard] or not previous.files or not path.exists():
            _write_atomic(path, pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    head = Manifest(manifest.version, manifest.site_hash, {}, manifest.pages, manifest.assets)
    path = out_dir / MANIFEST
    _write_atomic(path, pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL))
    key = _stat_key(path)
    if key is not None:
        _MANIFEST_MEMO[out_dir] = (key, manifest)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _tree_hash(*dirs: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for d in dirs:
        for p in sorted(d.rglob("*")) if d.is_dir() else ():
            if p.is_file():
                h.update(str(p.relative_to(d)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def _assets(static_dir: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Static files: hashed names for cacheable assets; {logical name: url}, {out path: bytes}."""
    urls: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for p in sorted(static_dir.rglob("*")) if static_dir.is_dir() else ():
        if not p.is_file():
            continue
        rel = p.relative_to(static_dir).as_posix()
        data = p.read_bytes()
        if p.suffix in HASHED_SUFFIXES:
            digest = hashlib.blake2b(data, digest_size=5).hexdigest()
            out = f"assets/{p.stem}.{digest}{p.suffix}"
            urls[rel] = "/" + out
        else:
            out = rel  # robots.txt and friends keep their names at the root
            urls[rel] = "/" + out
        files[out] = data
    return urls, files


# --- rendering (in this process or in forked workers) ----------------------

_JOB: dict[str, Any] = {}


def _render_one(env: Environment, page: Page) -> bytes:
    if page.template == "ics:":
        host = urlsplit(_JOB["site_url"]).hostname or "localhost"
        return campaign_ics(page.ctx["campaign"], page.lang, host, _JOB["now"]).encode()
    return env.get_template(page.template).render(page.ctx).encode()


def _render_range(bounds: tuple[int, int]) -> tuple[list[str], list[SourceError]]:
    env: Environment = _JOB["env"]
    pages: list[Page] = _JOB["pages"]
    out_dir: Path = _JOB["out_dir"]
    written: list[str] = []
    errors: list[SourceError] = []
    made: set[Path] = set()
    for page in pages[bounds[0] : bounds[1]]:
        try:
            data = _render_one(env, page)
        except TemplateSyntaxError as exc:
            errors.append(error(f"templates/{exc.name or page.template}", exc.lineno or 1,
                                "template_error", problem=exc.message or str(exc)))  # fmt: skip
            continue
        except (TemplateError, AttributeError, KeyError, TypeError, ValueError) as exc:
            errors.append(error(f"templates/{page.template}", 1, "template_error",
                                problem=f"{page.out}: {type(exc).__name__}: {exc}"))  # fmt: skip
            continue
        target = out_dir / page.out
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        _write_atomic(target, data)
        written.append(page.out)
    return written, errors


def _render(
    pages: list[Page], jobs: int, progress: Progress | None
) -> tuple[list[str], list[SourceError]]:
    _JOB["pages"] = pages
    n = len(pages)
    if jobs <= 1 or n < PARALLEL_MIN_PAGES:
        w, e = _render_range((0, n))
        if progress:
            progress("render", n, n)
        return w, e
    chunk = max(16, n // (jobs * 8))
    bounds = [(i, min(n, i + chunk)) for i in range(0, n, chunk)]
    written: list[str] = []
    errors: list[SourceError] = []
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        for w, e in pool.imap_unordered(_render_range, bounds):
            written += w
            errors += e
            if progress:
                progress("render", len(written), n)
    return written, errors


def _parse_chunk(items: list[tuple[str, str]]) -> list[tuple[str, str, Any, list[SourceError]]]:
    out = []
    for rel, path in items:
        data = Path(path).read_bytes()
        digest, value, errs = sources.parse_source(rel, data)
        out.append((rel, digest, value, errs))
    return out


def _parse(
    content_dir: Path, todo: list[str], jobs: int
) -> list[tuple[str, str, Any, list[SourceError]]]:
    items = [(rel, str(content_dir / rel)) for rel in todo]
    if jobs <= 1 or len(items) < 400:
        return _parse_chunk(items)
    size = max(50, len(items) // (jobs * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return [r for part in pool.map(_parse_chunk, chunks) for r in part]


# --- the build -------------------------------------------------------------

_ENV_CACHE: dict[tuple[str, str], Environment] = {}


def _environment(
    templates: Path, site_hash: str, site_url: str, asset_urls: dict[str, str]
) -> Environment:
    """The Jinja environment for these templates and inputs, kept across builds in a process.

    A long-running process (the dev server's watcher) rebuilds often; compiling
    the templates again for each small rebuild would cost more than the rebuild.
    The site hash covers the templates, translations, assets and site URL.
    """
    key = (str(templates), site_hash)
    env = _ENV_CACHE.get(key)
    if env is None:
        _ENV_CACHE.clear()
        env = _ENV_CACHE[key] = make_env(templates, site_url, asset_urls)
    return env


def build_site(
    content_dir: Path,
    out_dir: Path,
    now: datetime | None = None,
    site_url: str = "http://127.0.0.1:8000",
    clean: bool = False,
    jobs: int | None = None,
    site_src: Path | None = None,
    progress: Progress | None = None,
    media_origins: Sequence[str] = (),
    extra_sources: Sequence[ContentSource] = (),
) -> BuildResult:
    """``media_origins``: the uploads bucket's origin, which the pages that send and show
    photos admit in their Content-Security-Policy (:func:`portal.uploads.bucket.uploads_origin`).
    ``extra_sources``: content beside the files, the store's (portal.publishing.source)."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    jobs = jobs or os.cpu_count() or 1
    src = site_src or (ROOT / "site")
    result = BuildResult()
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest() if clean else _load_manifest(out_dir)

    # Read: company, then every content file whose size/mtime changed.
    company, company_errors = load_company(content_dir)
    result.errors += company_errors
    if company is None:
        result.errors.append(error("company.yaml", 1, "no_company"))
        result.seconds = time.perf_counter() - started
        return result
    stats = sources.scan(content_dir)
    files: dict[str, sources.Parsed] = {}
    todo = []
    for rel, sig in stats.items():
        cached = manifest.files.get(rel)
        if cached is not None and cached.sig == sig:
            files[rel] = cached
        else:
            todo.append(rel)
    for rel, digest, value, errs in _parse(content_dir, todo, jobs):
        files[rel] = sources.Parsed(stats[rel], digest, value, tuple(errs))
    result.parsed = len(todo)
    for rel in sorted(files):
        result.errors += files[rel].errors

    # Model.
    model, model_errors = content_mod.assemble(company, files, now, content_dir, extra_sources)
    result.errors += model_errors
    result.next_change = next_change(model)

    # Plan and fingerprint.
    asset_urls, asset_files = _assets(src / "static")
    company_bytes = (content_dir / "company.yaml").read_bytes()
    site_hash = hashlib.blake2b(
        "|".join([
            BUILDER_VERSION, site_url, _tree_hash(src / "templates", src / "translations"),
            repr(sorted(asset_urls.items())), hashlib.sha1(company_bytes).hexdigest(),
        ]).encode(), digest_size=16,
    ).hexdigest()  # fmt: skip
    set_site_url(site_url)
    set_media_origins(media_origins)
    pages = plan(model)
    fingerprints = {p.out: p.fingerprint(site_hash) for p in pages}
    # The manifest is trusted: a page it lists with the same fingerprint is on disk
    # (`--clean` rebuilds everything if someone deleted output by hand).
    todo_pages = [p for p in pages if manifest.pages.get(p.out) != fingerprints[p.out]]
    result.pages = len(pages)

    # Write assets (content-addressed, so only new ones).
    for out, data in asset_files.items():
        target = out_dir / out
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, data)
            result.written.append(out)

    # Render.
    if todo_pages:
        env = _environment(src / "templates", site_hash, site_url, asset_urls)
        if jobs > 1 and len(todo_pages) >= PARALLEL_MIN_PAGES:
            preload(env)  # compile once here; the forked workers inherit the compiled templates
        _JOB.update(env=env, out_dir=out_dir, site_url=site_url, now=now)
        written, render_errors = _render(todo_pages, jobs, progress)
        _JOB.clear()
        result.written += written
        result.errors += render_errors
        failed = {p.out for p in todo_pages} - set(written)
    else:
        failed = set()

    # Delete what no longer exists (pages and superseded assets).
    keep = set(fingerprints) | set(asset_files)
    for old in sorted((set(manifest.pages) | set(manifest.assets)) - keep):
        target = out_dir / old
        if target.is_file():
            target.unlink()
            result.deleted.append(old)
            _prune_empty(target.parent, out_dir)
    if clean:
        _remove_unknown(out_dir, keep)

    # Remember: a page that failed to render keeps no fingerprint, so it is retried.
    previous = manifest
    manifest = Manifest(
        site_hash=site_hash,
        files=files,
        pages={k: v for k, v in fingerprints.items() if k not in failed},
        assets=sorted(asset_files),
    )
    _save_manifest(out_dir, manifest, previous)
    result.seconds = time.perf_counter() - started
    return result


def _prune_empty(d: Path, root: Path) -> None:
    while d != root and d.is_dir() and not any(d.iterdir()):
        d.rmdir()
        d = d.parent


def _remove_unknown(out_dir: Path, keep: set[str]) -> None:
    """On a clean build, remove files no page or asset accounts for."""
    for p in sorted(out_dir.rglob("*"), reverse=True):
        rel = p.relative_to(out_dir).as_posix()
        if p.is_file() and rel not in keep and not p.name.startswith("."):
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            shutil.rmtree(p)
