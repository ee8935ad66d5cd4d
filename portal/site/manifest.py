"""The build manifest: what the last build read and wrote, kept in the output folder.

``.portal-build.pickle`` holds the site hash and the assets; the parsed records
of the content files and the pages' fingerprints are saved beside it in
``SHARDS`` shards (by name), so a one-notice edit rewrites a few small shards. A warm process
(the dev server's watcher, the publishing task) keeps the last manifest in
memory and reads nothing while the files on disk are the ones it wrote.
"""

from __future__ import annotations

import os
import pickle
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from portal.site import sources

BUILDER_VERSION = "10"
MANIFEST = ".portal-build.pickle"
SHARDS = 16


@dataclass
class Manifest:
    version: str = BUILDER_VERSION
    site_hash: str = ""
    files: dict[str, sources.Parsed] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    token: str = ""
    """Names this save: the plan saved beside it (:mod:`portal.site.replan`) carries the same."""


_MEMO: dict[Path, tuple[tuple[int, int], Manifest]] = {}
"""The last manifest each output folder had, in this process, with the file's (mtime, size)."""


@lru_cache(maxsize=1 << 16)
def _shard_of(rel: str) -> int:
    """A name's shard (remembered: a warm process saves the same names build after build).

    A page goes by its first two folders without the language (``notices/<slug>``,
    ``estates/<slug>``), so the pages a notice edit rewrites (its page, its
    estate's lists, in both languages) are in two shards, not one each."""
    parts = rel.removeprefix("en/").split("/", 2)
    return zlib.crc32("/".join(parts[:2]).encode()) % SHARDS


def _shard_path(out_dir: Path, kind: str, shard: int) -> Path:
    return out_dir / f"{MANIFEST}.{kind}-{shard:02d}"


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
        shards: dict[str, list[dict[str, object]]] = {}
        for kind, into in (("files", m.files), ("pages", m.pages)):
            shards[kind] = []
            for shard in range(SHARDS):
                with _shard_path(out_dir, kind, shard).open("rb") as fh:
                    part = pickle.load(fh)
                if not isinstance(part, dict):
                    return Manifest()
                into.update(part)
                shards[kind].append(part)
        _SHARDS[out_dir] = (m, shards)  # a save from it patches these (as read) shards
        return m
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return Manifest()


def save(out_dir: Path, manifest: Manifest, previous: Manifest) -> None:
    """Write the shards whose records or pages changed, then the manifest (last: it commits).

    A warm process saving after its own last save patches that save's shards with the
    names that changed, instead of sorting every name into its shard again."""
    memo = _SHARDS.get(out_dir)
    kept = memo[1] if memo is not None and memo[0] is previous else None
    made: dict[str, list[dict[str, object]]] = {}
    for kind, now, before in (("files", manifest.files, previous.files),
                              ("pages", manifest.pages, previous.pages)):  # fmt: skip
        if kept is not None:
            shards, dirty = kept[kind], [False] * SHARDS
            for name, value in now.items():
                old = before.get(name)
                if old is not value and old != value:
                    shard = _shard_of(name)
                    shards[shard][name] = value
                    dirty[shard] = True
        else:
            shards = [{} for _ in range(SHARDS)]
            dirty = [not before] * SHARDS
            for name, value in now.items():
                shard = _shard_of(name)
                shards[shard][name] = value
                if before.get(name) is not value and before.get(name) != value:
                    dirty[shard] = True
        for gone in before.keys() - now.keys():
            shard = _shard_of(gone)
            shards[shard].pop(gone, None)
            dirty[shard] = True
        for shard, part in enumerate(shards):
            path = _shard_path(out_dir, kind, shard)
            if dirty[shard] or (kept is None and not path.exists()):
                write_atomic(path, pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
        made[kind] = shards
    head = Manifest(manifest.version, manifest.site_hash, {}, {}, manifest.assets, manifest.token)
    path = out_dir / MANIFEST
    write_atomic(path, pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL))
    key = _stat_key(path)
    if key is not None:
        _MEMO[out_dir] = (key, manifest)
        _SHARDS[out_dir] = (manifest, made)


_SHARDS: dict[Path, tuple[Manifest, dict[str, list[dict[str, object]]]]] = {}
"""Per output folder, the manifest this process last saved and its shards as written."""
