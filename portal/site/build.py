"""Build the static site: read → model → render → write, incrementally.

A manifest in the output folder (:mod:`portal.site.manifest`) remembers, for
each content file, its size/mtime and parsed record, and for each output page
its fingerprint. A build re-parses only files whose size or mtime changed
(:mod:`portal.site.warm`: in a warm process, only the paths the caller names), plans
again only the pages that show what changed (:mod:`portal.site.replan`), re-renders only
pages whose fingerprint changed (on every core: :mod:`portal.site.workers`), and deletes
the pages that no longer exist.
Problems in content files are collected as ``file:line`` errors; the rest of
the site still builds.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from jinja2 import Environment

from portal import ROOT, collector, i18n
from portal.estates.source import load_company
from portal.i18n import CATALOG_DIR, LANGS
from portal.site import content as content_mod
from portal.site import manifest as manifest_mod
from portal.site import replan, warm, workers
from portal.site.inputs import assets, file_digest, signature_of, tree_hash
from portal.site.manifest import BUILDER_VERSION, Manifest, write_atomic
from portal.site.moments import ContentSource
from portal.site.pages import PREFETCHED, prefetched_contexts, set_media_origins, set_site_url
from portal.site.prefetch import Prefetch
from portal.site.render import make_env, preload
from portal.site.replan import plan_site
from portal.site.security import inline_styles
from portal.site.stylesheet import Kinds
from portal.site.workers import PARALLEL_MIN_PAGES, Progress
from portal.sourcefile import SourceError, error

if TYPE_CHECKING:
    from portal.commitments.model import Snapshot

__all__ = ["BuildResult", "Progress", "build_site"]

CACHE_DIR = ROOT / ".local" / "cache" / f"site-build-{BUILDER_VERSION}"
"""Compiled templates (Jinja's bytecode cache, each checked against its template's
checksum) and the read translation catalogs, kept between processes in the
checkout's git-ignored ``.local/``: a new process, or a clean build into an empty
folder, loads them instead of compiling and parsing. The builder version is in
the name, since the compiled code depends on how the builder configures Jinja."""


def _cache_dir() -> Path | None:
    """The cache folder, or None where the checkout is read-only (then nothing is kept)."""
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return CACHE_DIR if os.access(CACHE_DIR, os.W_OK) else None


@dataclass
class BuildResult:
    errors: list[SourceError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    """Every page rendered (and the assets written), whether or not its bytes changed."""
    unchanged: list[str] = field(default_factory=list)
    """The rendered pages whose file already held the same bytes (so it was not rewritten)."""
    deleted: list[str] = field(default_factory=list)
    pages: int = 0
    parsed: int = 0
    seconds: float = 0.0
    next_change: datetime | None = None  # the site, left alone, next changes (portal.site.moments)


def _use_catalog_cache(cache: Path) -> None:
    """Read the translation catalogs from the output folder's cache when the YAML files are
    the ones it was made from (by name, size and mtime), else read them and save the cache:
    parsing every catalog costs a cold ``portal build`` more than a one-notice rebuild. A
    warm process that seeded these very files already reads nothing."""
    signature = signature_of(CATALOG_DIR, ".yaml")
    if _SEEDED[0] == signature:
        return
    try:
        with cache.open("rb") as fh:
            saved_signature, catalogs = pickle.load(fh)
        if saved_signature == signature and isinstance(catalogs, dict):
            i18n.seed(catalogs)
            _SEEDED[0] = signature
            return
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        pass
    catalogs = {lang: i18n.catalog(lang) for lang in LANGS}
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")  # builds may run side by side
    try:
        tmp.write_bytes(pickle.dumps((signature, catalogs), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)
    except OSError:
        tmp.unlink(missing_ok=True)


_SEEDED: list[object] = [None]
"""The signature of the catalog files this process last seeded the catalogs from."""

_ASSETS_CHECKED: dict[Path, dict[str, bytes]] = {}
"""Per output folder, the assets this process wrote or found there, as the bytes it had."""


# --- the build -------------------------------------------------------------

_ENV_CACHE: dict[tuple[str, str, str], Environment] = {}


def _environment(
    templates: Path, site_hash: str, site_url: str, asset_urls: dict[str, str],
    cache_dir: Path | None,
) -> Environment:
    """The Jinja environment for these templates and inputs, kept across builds in a process.

    A long-running process (the dev server's watcher) rebuilds often; compiling
    the templates again for each small rebuild would cost more than the rebuild.
    The site hash covers the templates, translations, assets and site URL; the
    compiled templates are kept in ``cache_dir``.
    """
    key = (str(templates), site_hash, str(cache_dir))
    env = _ENV_CACHE.get(key)
    if env is None:
        _ENV_CACHE.clear()
        kinds = Kinds(templates, inline_styles(templates.parent / "static"))
        if cache_dir is not None:
            kinds.kept(cache_dir / "kinds.pickle", site_hash)
        env = _ENV_CACHE[key] = make_env(templates, site_url, asset_urls, cache_dir, kinds)
    return env


_P = ParamSpec("_P")
_R = TypeVar("_R")
_ONE_AT_A_TIME = threading.Lock()


def _one_at_a_time(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Builds in one process run one after another (two output folders from two threads, as
    two instances do in the tests): the memos a warm process keeps are the process's.

    The cyclic garbage collector is paused while a build runs (:mod:`portal.collector`): a
    build makes many objects that live until it ends (the manifest's records, the model,
    the plan) and few cycles. It runs again after the build, so a warm process (the dev
    watcher) still frees its cycles."""

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _ONE_AT_A_TIME, collector.paused():
            return fn(*args, **kwargs)

    return run


@_one_at_a_time
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
    results: Sequence[Snapshot] = (),
    extra_sources: Sequence[ContentSource] = (),
    changed: Iterable[str | os.PathLike[str]] | None = None,
) -> BuildResult:
    """``media_origins``: the uploads bucket's origin, which the pages that send and show
    photos admit in their Content-Security-Policy (:func:`portal.uploads.bucket.uploads_origin`);
    ``results``: the published KPI results (:mod:`portal.commitments.published`);
    ``extra_sources``: content beside the files, the store's (portal.publishing.source);
    ``changed``: the paths that changed since this process's last build into ``out_dir``,
    when the caller knows them (the dev watcher; ``()`` for the publishing task): only
    those content files are looked at, not every one (:mod:`portal.site.warm`)."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    jobs = jobs or os.cpu_count() or 1
    src = site_src or (ROOT / "site")
    result = BuildResult()
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest() if clean else manifest_mod.load(out_dir)
    had_files = _has_visible_files(out_dir)

    # Read: company, then every content file whose size/mtime changed.
    company, company_errors = load_company(content_dir)
    result.errors += company_errors
    if company is None:
        result.errors.append(error("company.yaml", 1, "no_company"))
        result.seconds = time.perf_counter() - started
        return result
    if (src / "translations").resolve() == CATALOG_DIR.resolve():
        cache_dir = _cache_dir()
        if cache_dir is not None:
            _use_catalog_cache(cache_dir / "catalogs.pickle")
    # A build that renders every page makes the lazy pages' contexts on the idle core.
    helper = (Prefetch(functools.partial(prefetched_contexts, company, site_url))
              if jobs > 1 and (clean or not manifest.pages) else None)  # fmt: skip
    try:
        read, _ = warm.read(content_dir, out_dir, manifest, jobs, changed)
        files = read.files
        result.parsed = read.parsed
        result.errors += read.errors

        # Model.
        model, model_errors = content_mod.assemble(company, files, now, content_dir, extra_sources,
                                                   read.changed)  # fmt: skip
        model.results = list(results)
        result.errors += model_errors

        # Plan and fingerprint.
        asset_urls, asset_files = assets(src / "static")
        site_hash = hashlib.blake2b(
            "|".join([
                BUILDER_VERSION, site_url, tree_hash(src / "templates", src / "translations"),
                repr(sorted(asset_urls.items())), file_digest(content_dir / "company.yaml"),
            ]).encode(), digest_size=16,
        ).hexdigest()  # fmt: skip
        set_site_url(site_url)
        set_media_origins(media_origins)
        planned = plan_site(model, site_hash, os.path.abspath(out_dir),
                            warm.complete(out_dir, manifest), manifest.token, manifest.pages)  # fmt: skip
        result.next_change = planned.next_change
        fingerprints = planned.fingerprints
        # The manifest is trusted: a page it lists with the same fingerprint is on disk
        # (`--clean` rebuilds everything if someone deleted output by hand).
        todo_pages = [p for p in planned.fresh if manifest.pages.get(p.out) != fingerprints[p.out]]
        result.pages = len(fingerprints)

        # Write assets (content-addressed, so only new ones).
        # A hashed name the last build wrote holds these bytes (the manifest is trusted, as below),
        # and so does a file this process wrote or checked from the same bytes.
        known = set(manifest.assets)
        checked = _ASSETS_CHECKED.setdefault(out_dir, {})
        for out, data in asset_files.items():
            target = out_dir / out
            if out in known and (out.startswith("assets/") or checked.get(out) is data):
                continue
            checked[out] = data
            if not target.exists() or target.read_bytes() != data:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, data)
                result.written.append(out)

        # Render.
        if todo_pages:
            env = _environment(src / "templates", site_hash, site_url, asset_urls,
                               _cache_dir())  # fmt: skip
            if jobs > 1 and len(todo_pages) >= PARALLEL_MIN_PAGES:
                preload(env, {p.template for p in todo_pages})  # the workers inherit them compiled
            if helper is not None:
                PREFETCHED.update(helper.result() or {})
            workers.JOB.update(env=env, out_dir=out_dir, site_url=site_url, now=now,
                               empty=not had_files)  # fmt: skip
            done = workers.render(todo_pages, jobs, progress)
            workers.JOB.clear()
            result.written += done.written
            result.unchanged += done.unchanged
            result.errors += done.errors
            failed = {p.out for p in todo_pages} - set(done.written)
        else:
            failed = set()

        # Delete what no longer exists (pages and superseded assets).
        olds = (*manifest.pages, *manifest.assets) if planned.gone is None else (
            *planned.gone, *manifest.assets)  # fmt: skip
        gone = {n for n in olds if n not in fingerprints and n not in asset_files}
        for old in sorted(gone):
            target = out_dir / old
            if target.is_file():
                target.unlink()
                result.deleted.append(old)
                _prune_empty(target.parent, out_dir)
        if clean and had_files:
            _remove_unknown(out_dir, set(fingerprints) | set(asset_files))

        # Remember: a page that failed to render keeps no fingerprint, so it is retried.
        # A new process leaves its plan for the next one (a warm one keeps it in memory).
        token = os.urandom(8).hex() if planned.fresh_process and not failed else ""
        if planned.fresh_process:
            replan.save(out_dir, token)
        previous = manifest
        manifest = Manifest(
            site_hash=site_hash,
            files=files,
            pages={k: v for k, v in fingerprints.items() if k not in failed} if failed else fingerprints,
            assets=sorted(asset_files),
            token=token,
        )
        manifest_mod.save(out_dir, manifest, previous)
        warm.remember(content_dir, out_dir, manifest, complete=not failed)
        result.seconds = time.perf_counter() - started
        return result

    finally:
        if helper is not None:
            helper.close()
        PREFETCHED.clear()


def _prune_empty(d: Path, root: Path) -> None:
    while d != root and d.is_dir() and not any(d.iterdir()):
        d.rmdir()
        d = d.parent


def _has_visible_files(out_dir: Path) -> bool:
    """Whether the output folder holds anything but the builder's dot-files."""
    with os.scandir(out_dir) as it:
        return any(not entry.name.startswith(".") for entry in it)


def _remove_unknown(out_dir: Path, keep: set[str]) -> None:
    """On a clean build, remove files no page or asset accounts for (dot-files are the builder's)."""
    root = str(out_dir)
    emptied: set[str] = set()
    for dirpath, dirs, filenames in os.walk(root, topdown=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        if any(part.startswith(".") for part in prefix.split("/")):
            continue
        left = 0
        for name in filenames:
            if name.startswith(".") or prefix + name in keep:
                left += 1
            else:
                os.unlink(os.path.join(dirpath, name))
        left += sum(1 for d in dirs if os.path.join(dirpath, d) not in emptied)
        if prefix and not left:
            os.rmdir(dirpath)
            emptied.add(dirpath)
