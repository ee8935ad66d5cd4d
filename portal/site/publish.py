"""Publish the built site to S3: changed files only, stale objects removed last.

How a publish runs:

1. Walk the local site folder. Names starting with ``.`` (dotfiles, the
   builder's manifest, hidden folders) are never published.
2. List the bucket under the prefix once, with a paginator (no HEAD per file).
3. Compare each local file's MD5 with the object's ETag. Every object is
   written with a single ``PutObject`` (never multipart), so its ETag is the
   MD5 of its bytes on S3 with SSE-S3 or no encryption. An ETag that is not a
   plain MD5 (multipart ``…-N``, or SSE-KMS) never matches, so the file is
   uploaded again: the comparison can cost an upload, never skip a change.
   We chose this over a ``sha256`` in object metadata because listings do not
   return user metadata: that would need one HEAD per file.
4. Upload in three waves, each finished before the next starts: assets (CSS,
   JS, images, fonts…), then HTML pages, then the documents that point at
   pages (feeds, sitemaps, calendars). A visitor never gets a page whose
   stylesheet is not there yet, nor a feed entry whose page is missing.
5. Only when every upload succeeded, delete the objects under the prefix that
   no longer exist locally (documents first, then assets).

``Cache-Control``: file names carrying a content hash (``style.3f9a1c2b.css``)
never change meaning, so they are cached for a year and marked immutable.
Everything else (pages, feeds, calendars, unhashed files) keeps its URL when
its content changes, so it gets ``max-age=60, must-revalidate``: a notice or a
bill shows up within a minute of a publish, while CloudFront and phones still
absorb bursts of traffic. HTML, feeds and calendars are never treated as
hashed, even when a slug looks like one (``outage.20261122.html``).

Changing the Content-Type or Cache-Control rules does not change file bytes,
so existing objects keep their old headers: pass ``force=True`` once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from portal.settings import Settings
from portal.site.mediatypes import content_type
from portal.store.client import s3_client

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60, must-revalidate"

MAX_WORKERS = 8
"""Parallel uploads; below botocore's default pool of 10 connections."""

LIST_PAGE_SIZE = 1000
"""Keys per ListObjectsV2 page (S3's maximum)."""

MAX_SINGLE_PART = 5 * 1024**3
"""PutObject's limit; larger files would need multipart and break the ETag check."""

_DELETE_BATCH = 1000
"""DeleteObjects accepts at most 1000 keys per call."""

_HASHED_NAME = re.compile(r"^[^/]+\.[0-9a-fA-F]{8,}\.[A-Za-z0-9]+$")
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")
_DOCUMENT_SUFFIXES = frozenset({".xml", ".atom", ".rss", ".ics"})
_PAGE_SUFFIXES = frozenset({".html", ".htm"})


class Wave(IntEnum):
    """Upload order: each wave only references what earlier waves put in place."""

    ASSET = 0
    PAGE = 1
    DOCUMENT = 2


class PublishError(RuntimeError):
    """The publish stopped; nothing was deleted."""


@dataclass(frozen=True)
class LocalFile:
    key: str
    path: Path
    md5: str
    size: int
    content_type: str
    cache_control: str
    wave: Wave


@dataclass(frozen=True)
class Upload:
    file: LocalFile
    reason: Literal["new", "changed", "forced"]

    @property
    def key(self) -> str:
        return self.file.key


@dataclass(frozen=True)
class PublishPlan:
    """What a publish does (or, on a dry run, would do), in execution order."""

    bucket: str
    prefix: str
    uploads: tuple[Upload, ...]
    skipped: tuple[str, ...]
    deletes: tuple[str, ...]
    dry_run: bool

    @property
    def upload_count(self) -> int:
        return len(self.uploads)

    @property
    def skip_count(self) -> int:
        return len(self.skipped)

    @property
    def delete_count(self) -> int:
        return len(self.deletes)

    @property
    def upload_keys(self) -> tuple[str, ...]:
        return tuple(u.key for u in self.uploads)

    @property
    def changed(self) -> bool:
        return bool(self.uploads or self.deletes)

    def summary(self) -> str:
        new = sum(1 for u in self.uploads if u.reason == "new")
        verb_up, verb_del = (
            ("would upload", "would delete") if self.dry_run else ("uploaded", "deleted")
        )
        where = f"s3://{self.bucket}/{self.prefix}"
        return (
            f"{'[dry run] ' if self.dry_run else ''}{where}: "
            f"{verb_up} {self.upload_count} ({new} new, {self.upload_count - new} changed), "
            f"{self.skip_count} unchanged, {verb_del} {self.delete_count}"
        )


def normalise_prefix(prefix: str) -> str:
    """``"preview"``, ``"/preview/"`` → ``"preview/"``; empty stays empty (whole bucket)."""
    parts = [p for p in prefix.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError(f"invalid prefix: {prefix!r}")
    return "/".join(parts) + "/" if parts else ""


def is_publishable(relative: PurePosixPath) -> bool:
    """Dotfiles, the builder's manifest and anything under a hidden folder stay local."""
    return not any(part.startswith(".") for part in relative.parts)


def is_hashed(name: str) -> bool:
    """``style.3f9a1c2b.css``: a dot-separated hex hash of 8+ characters before the extension."""
    return _HASHED_NAME.match(name) is not None


def wave_of(relative: PurePosixPath) -> Wave:
    suffix = relative.suffix.lower()
    if suffix in _PAGE_SUFFIXES:
        return Wave.PAGE
    if suffix in _DOCUMENT_SUFFIXES:
        return Wave.DOCUMENT
    return Wave.ASSET


def cache_control(relative: PurePosixPath) -> str:
    if wave_of(relative) is Wave.ASSET and is_hashed(relative.name):
        return IMMUTABLE
    return SHORT


def _digest(path: Path) -> tuple[str, int, bytes]:
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            if not head:
                head = chunk[:1024]
            md5.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), size, head


def _walk(site_dir: Path) -> Iterator[PurePosixPath]:
    for root, dirs, files in os.walk(site_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = PurePosixPath(Path(root).relative_to(site_dir).as_posix())
        for name in sorted(files):
            relative = base / name
            if is_publishable(relative):
                yield relative


def local_file(site_dir: Path, relative: PurePosixPath, prefix: str = "") -> LocalFile:
    """One file of ``site_dir``, hashed, with the headers it is uploaded with."""
    path = site_dir / Path(*relative.parts)
    md5, size, head = _digest(path)
    if size > MAX_SINGLE_PART:
        raise PublishError(f"{relative} is larger than 5 GiB: not a web page asset")
    return LocalFile(
        key=prefix + relative.as_posix(),
        path=path,
        md5=md5,
        size=size,
        content_type=content_type(relative, head),
        cache_control=cache_control(relative),
        wave=wave_of(relative),
    )


def local_files(site_dir: Path, prefix: str = "") -> list[LocalFile]:
    """The publishable files under ``site_dir``, keyed as they will be in the bucket."""
    return [local_file(site_dir, relative, prefix) for relative in _walk(site_dir)]


def remote_etags(client: Any, bucket: str, prefix: str) -> dict[str, str]:
    """Every key under ``prefix`` with its ETag (unquoted, lower-case): one paginated listing."""
    out: dict[str, str] = {}
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": LIST_PAGE_SIZE}
    )
    for page in pages:
        for obj in page.get("Contents", ()):
            out[obj["Key"]] = str(obj.get("ETag", "")).strip('"').lower()
    return out


def make_plan(
    files: Sequence[LocalFile],
    remote: dict[str, str],
    *,
    bucket: str,
    prefix: str,
    dry_run: bool,
    force: bool = False,
) -> PublishPlan:
    uploads: list[Upload] = []
    skipped: list[str] = []
    for f in sorted(files, key=lambda f: (f.wave, f.key)):
        etag = remote.get(f.key)
        if etag is None:
            uploads.append(Upload(f, "new"))
        elif force:
            uploads.append(Upload(f, "forced"))
        elif _PLAIN_MD5.match(etag) and etag == f.md5:
            skipped.append(f.key)
        else:
            uploads.append(Upload(f, "changed"))
    local_keys = {f.key for f in files}
    # Keys the publisher would never upload (dotfiles) are not its to delete either.
    stale = [
        k for k in remote if k not in local_keys and is_publishable(PurePosixPath(k[len(prefix) :]))
    ]
    stale.sort(key=lambda k: (-wave_of(PurePosixPath(k)), k))
    return PublishPlan(
        bucket=bucket,
        prefix=prefix,
        uploads=tuple(uploads),
        skipped=tuple(skipped),
        deletes=tuple(stale),
        dry_run=dry_run,
    )


def _put(client: Any, bucket: str, f: LocalFile) -> None:
    with f.path.open("rb") as body:
        client.put_object(
            Bucket=bucket,
            Key=f.key,
            Body=body,
            ContentType=f.content_type,
            CacheControl=f.cache_control,
            # S3 rejects the write if the bytes differ from what we hashed.
            ContentMD5=base64.b64encode(bytes.fromhex(f.md5)).decode("ascii"),
        )


def _run_wave(
    pool: ThreadPoolExecutor, job: Callable[[LocalFile], None], wave: Iterable[LocalFile]
) -> None:
    futures: dict[Future[None], str] = {pool.submit(job, f): f.key for f in wave}
    done, pending = wait(futures, return_when=FIRST_EXCEPTION)
    for fut in pending:
        fut.cancel()
    if pending:
        done |= wait(pending).done
    failed = [(futures[f], f.exception()) for f in done if not f.cancelled() and f.exception()]
    if failed:
        failed.sort(key=lambda kv: kv[0])
        key, first = failed[0]
        keys = ", ".join(k for k, _ in failed[:5])
        raise PublishError(
            f"{len(failed)} upload(s) failed ({keys}); nothing deleted; "
            f"first error on {key}: {first}"
        ) from first


def delete(client: Any, bucket: str, keys: Sequence[str]) -> None:
    """Delete ``keys`` (batches of 1000); :class:`PublishError` when S3 refused one."""
    for start in range(0, len(keys), _DELETE_BATCH):
        batch = keys[start : start + _DELETE_BATCH]
        response = client.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
        )
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise PublishError(
                f"{len(errors)} deletion(s) failed; first: "
                f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
            )


def publish_site(
    site_dir: Path,
    *,
    bucket: str,
    prefix: str = "",
    endpoint_url: str | None = None,
    settings: Settings,
    dry_run: bool = False,
    force: bool = False,
    client: Any | None = None,
    max_workers: int = MAX_WORKERS,
) -> PublishPlan:
    """Upload what changed under ``site_dir`` to ``s3://bucket/prefix``; remove stale objects.

    A dry run lists the bucket (a read) to compute the plan and writes nothing.
    ``force`` re-uploads every file, e.g. after changing the header rules.
    """
    if not site_dir.is_dir():
        raise PublishError(f"site folder not found: {site_dir}")
    norm_prefix = normalise_prefix(prefix)
    files = local_files(site_dir, norm_prefix)
    if not files:
        # An empty build would otherwise delete the whole published site.
        raise PublishError(f"nothing to publish in {site_dir}: refusing to empty the bucket")
    s3 = client if client is not None else s3_client(settings, endpoint_url)
    plan = make_plan(
        files,
        remote_etags(s3, bucket, norm_prefix),
        bucket=bucket,
        prefix=norm_prefix,
        dry_run=dry_run,
        force=force,
    )
    if dry_run:
        return plan

    upload(s3, bucket, [u.file for u in plan.uploads], max_workers)
    delete(s3, bucket, plan.deletes)
    return plan


def upload(client: Any, bucket: str, files: Sequence[LocalFile],
           max_workers: int = MAX_WORKERS) -> None:  # fmt: skip
    """Put ``files`` in their waves (assets, pages, documents), each finished before the next;
    :class:`PublishError` when one failed (the later waves are not started)."""
    if not files:
        return

    def job(f: LocalFile) -> None:
        _put(client, bucket, f)

    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="publish") as pool:
        for wave in Wave:
            _run_wave(pool, job, (f for f in files if f.wave is wave))
