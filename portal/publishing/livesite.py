"""The live site on AWS: rebuild incrementally on any Lambda instance, upload what changed.

A Lambda instance starts with an empty ``/tmp``; the builder's manifest (what each page
was built from) and the hashes of what is live are kept in the site bucket as one object,
:data:`STATE_KEY` (never published or deleted by the publisher: it starts with a dot, and
the bucket policy keeps CloudFront from reading it). A publish, holding the site lease
(:mod:`portal.publishing.sitelease`):

1. reads the state (skipped when this instance wrote or read that very version last) and
   puts the builder's manifest into the build folder, so the build renders only the pages
   whose inputs changed since the last publish, on whichever instance it ran;
2. after a build fit to publish, compares each rendered file (and each image not yet
   live) with the live hashes and uploads only those that differ, in the publisher's
   waves (assets, pages, documents), then deletes what the site no longer has;
3. writes the new state conditionally on the version it read (``If-Match``): a publish
   that lost the lease meanwhile fails instead of writing over a newer state;
4. asks CloudFront for one invalidation of exactly the changed HTML paths (none when
   nothing changed).

A build with problems (:func:`portal.publishing.clockwork.problems`) stops before step 2:
the live site and the state stay as they were. A failed upload leaves the state as it was,
so the next try compares against what was live before and uploads again. Either way the
build folder's manifest (which the build advanced) is forgotten: the next publish on this
instance restores it from the state and renders those pages again.

Without a state (the first publish from Lambda), the live hashes are the bucket's listing
(ETags are the MD5 of single-part uploads, as ``portal publish`` writes them), so a site
first put there by hand is not uploaded again. After a ``portal publish`` by hand, delete
the state object: the next publish lists the bucket again.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from portal.publishing.sitelease import SiteLease
from portal.site import manifest as manifest_mod
from portal.site.build import BuildResult
from portal.site.invalidation import invalidate, invalidation_paths
from portal.site.manifest import MANIFEST, write_atomic
from portal.site.publish import (
    PublishError,
    delete,
    is_publishable,
    local_file,
    remote_etags,
    upload,
)
from portal.store.errors import ObjectChanged, ObjectMissing, StoreError, translated

logger = logging.getLogger(__name__)

STATE_KEY = ".portal/site-state.json.z"
"""The live site's state in the site bucket (zlib-compressed JSON)."""
STATE_FORMAT = 1


@dataclass
class SiteState:
    files: dict[str, str] = field(default_factory=dict)
    """Every live key with the MD5 of its bytes."""
    builder: dict[str, bytes] = field(default_factory=dict)
    """The builder's manifest files (``.portal-build.pickle*``) as the last publish left them."""
    generation: int = 0

    def encode(self) -> bytes:
        plain = {"format": STATE_FORMAT, "generation": self.generation, "files": self.files,
                 "builder": {k: base64.b64encode(v).decode("ascii")
                             for k, v in self.builder.items()}}  # fmt: skip
        return zlib.compress(json.dumps(plain, sort_keys=True).encode(), 6)

    @classmethod
    def decode(cls, data: bytes) -> SiteState:
        plain = json.loads(zlib.decompress(data))
        if plain.get("format") != STATE_FORMAT:
            return cls()
        return cls(files={str(k): str(v) for k, v in plain["files"].items()},
                   builder={str(k): base64.b64decode(v) for k, v in plain["builder"].items()},
                   generation=int(plain["generation"]))  # fmt: skip


@dataclass(frozen=True)
class Published:
    """What one publish did to the live site."""

    uploaded: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    invalidated: tuple[str, ...] = ()
    invalidation_id: str = ""
    generation: int = 0


_SEEN: dict[tuple[str, str], str] = {}
"""(bucket, build folder) → the ETag of the state whose builder manifest is in the folder."""


class LiveSite:
    """The site bucket and its CloudFront distribution, through injected clients."""

    def __init__(self, s3: Any, bucket: str, cloudfront: Any, distribution: str,
                 lease: SiteLease) -> None:  # fmt: skip
        self.s3, self.bucket, self.cloudfront = s3, bucket, cloudfront
        self.distribution, self.lease = distribution, lease

    @contextmanager
    def session(self, out_dir: Path) -> Iterator[Session]:
        """Hold the site, bring the build folder up to the live state, and publish from it."""
        with self.lease.held():
            state, etag = self._load(out_dir)
            session = Session(self, out_dir, state, etag)
            try:
                yield session
            finally:
                if not session.clean:
                    # The build wrote its manifest, but the live site did not take it (a
                    # broken build, a failed upload): the next publish starts from the state.
                    _SEEN.pop((self.bucket, str(out_dir)), None)

    def _load(self, out_dir: Path) -> tuple[SiteState, str]:
        memo = (self.bucket, str(out_dir))
        try:
            with translated():
                head = self.s3.head_object(Bucket=self.bucket, Key=STATE_KEY)
        except ObjectMissing:
            if _SEEN.pop(memo, None) != "":
                _restore_builder(out_dir, {})  # nothing to trust: build every page once
            _SEEN[memo] = ""
            return SiteState(files=self._listing()), ""
        etag = str(head["ETag"])
        with translated():
            got = self.s3.get_object(Bucket=self.bucket, Key=STATE_KEY, IfMatch=etag)
            state = SiteState.decode(got["Body"].read())
        if _SEEN.get(memo) != etag:
            _restore_builder(out_dir, state.builder)
            _SEEN[memo] = etag
        return state, etag

    def _listing(self) -> dict[str, str]:
        with translated():
            listed = remote_etags(self.s3, self.bucket, "")
        return {k: v for k, v in listed.items() if is_publishable(PurePosixPath(k))}

    def stage_media(self, out_dir: Path, keys: list[str]) -> list[str]:
        """Upload the images ``keys`` (``media/…``, in ``out_dir``) the bucket does not have yet,
        for a preview before they are published; the keys uploaded. Images never change
        (their names are random), so this needs no lease; the next publish records them."""
        staged = []
        for key in keys:
            try:
                with translated():
                    self.s3.head_object(Bucket=self.bucket, Key=key)
                continue
            except ObjectMissing:
                pass
            if (out_dir / key).is_file():
                staged.append(local_file(out_dir, PurePosixPath(key)))
        upload(self.s3, self.bucket, staged)
        return [f.key for f in staged]

    def commit(self, out_dir: Path, state: SiteState, etag: str) -> str:
        """Write ``state`` if the stored one is still ``etag`` (new if ``""``); its ETag."""
        guard = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            with translated():
                put = self.s3.put_object(Bucket=self.bucket, Key=STATE_KEY, Body=state.encode(),
                                         ContentType="application/octet-stream",
                                         CacheControl="no-store", **guard)  # fmt: skip
        except ObjectChanged:
            _SEEN.pop((self.bucket, str(out_dir)), None)
            raise PublishError("the live site changed during this publish; trying again") from None
        new_etag = str(put["ETag"])
        _SEEN[(self.bucket, str(out_dir))] = new_etag
        return new_etag


class Session:
    """One publish, holding the site: what is live, and how to change it."""

    def __init__(self, site: LiveSite, out_dir: Path, state: SiteState, etag: str) -> None:
        self.site, self.out_dir, self.state, self.etag = site, out_dir, state, etag
        self.clean = False
        """The build folder's manifest is the live state's (set once a publish has landed)."""

    def not_live(self, keys: Collection[str]) -> set[str]:
        """The ``keys`` the live site does not have yet (images to fetch and upload)."""
        return {k for k in keys if k not in self.state.files}

    def publish(self, result: BuildResult, media: Collection[str] = ()) -> Published:
        """Upload the changed files of ``result``'s build, delete what is gone, record the new
        state, invalidate the changed pages. ``media``: the keys of every image in use."""
        out = self.out_dir
        built = manifest_mod.load(out)
        site_keys = set(built.pages) | set(built.assets) | set(media)
        live = self.state.files
        changed = []
        for key in sorted(set(result.written) | self.not_live(media)):
            rel = PurePosixPath(key)
            if not is_publishable(rel) or not (out / key).is_file():
                continue
            f = local_file(out, rel)
            if live.get(key) != f.md5:
                changed.append(f)
        gone = sorted(k for k in live if k not in site_keys and is_publishable(PurePosixPath(k)))
        upload(self.site.s3, self.site.bucket, changed)
        delete(self.site.s3, self.site.bucket, gone)
        files = {k: v for k, v in live.items() if k in site_keys}
        files.update({f.key: f.md5 for f in changed})
        state = SiteState(files, _builder_files(out), self.state.generation + 1)
        if changed or gone or state.builder != self.state.builder or not self.etag:
            self.etag = self.site.commit(out, state, self.etag)
            self.state = state
        self.clean = True
        paths = invalidation_paths([f.key for f in changed] + gone)
        reference = f"site-{state.generation}-{self.etag.strip(chr(34))}"
        invalidation = _invalidate(self.site, paths, reference)
        logger.info("site published: %d uploaded, %d deleted, %d paths invalidated",
                    len(changed), len(gone), len(paths))  # fmt: skip
        return Published(tuple(f.key for f in changed), tuple(gone), tuple(paths), invalidation,
                         self.state.generation)  # fmt: skip


def _invalidate(site: LiveSite, paths: list[str], reference: str) -> str:
    """The invalidation's id; a failure is logged, not raised: the files are live and pages
    leave CloudFront's cache within a minute anyway (publishing again would find nothing
    changed, so nothing to invalidate)."""
    try:
        return invalidate(site.cloudfront, site.distribution, paths, reference)
    except StoreError as exc:
        logger.warning("CloudFront invalidation of %d paths failed: %s", len(paths), exc)
        return ""


def _builder_files(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out_dir.glob(f"{MANIFEST}*"))
            if not p.name.endswith(".tmp")}  # fmt: skip


def _restore_builder(out_dir: Path, files: dict[str, bytes]) -> None:
    """The builder's manifest of the live state into ``out_dir`` (none: build everything)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{MANIFEST}*"):
        old.unlink()
    # The head last: it is what makes the shards count (portal.site.manifest.save).
    for name in sorted(files, key=lambda n: n == MANIFEST):
        if "/" not in name and name.startswith(MANIFEST):
            write_atomic(out_dir / name, files[name])
