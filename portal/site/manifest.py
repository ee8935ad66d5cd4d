"""The build manifest: what the last build read and wrote, kept in the output folder.

``.portal-build.pickle`` holds the site hash, every page's fingerprint and the
assets; the parsed records of the content files are saved beside it in
``SHARDS`` shards, so a one-file edit rewrites one small shard. A warm process
(the dev server's watcher, the publishing task) keeps the last manifest in
memory and reads nothing while the files on disk are the ones it wrote.
"""

from __future__ import annotations

import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from portal.site import sources

BUILDER_VERSION = "5"
MANIFEST = ".portal-build.pickle"
SHARDS = 16


@dataclass
class Manifest:
    version: str = BUILDER_VERSION
    site_hash: str = ""
    files: dict[str, sources.Parsed] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)


_MEMO: dict[Path, tuple[tuple[int, int], Manifest]] = {}
"""The last manifest each output folder had, in this process, with the file's (mtime, size)."""


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


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def load(out_dir: Path) -> Manifest:
    path = out_dir / MANIFEST
    key = _stat_key(path)
    memo = _MEMO.get(out_dir)
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


def save(out_dir: Path, manifest: Manifest, previous: Manifest) -> None:
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
            write_atomic(path, pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    head = Manifest(manifest.version, manifest.site_hash, {}, manifest.pages, manifest.assets)
    path = out_dir / MANIFEST
    write_atomic(path, pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL))
    key = _stat_key(path)
    if key is not None:
        _MEMO[out_dir] = (key, manifest)
