"""The build's inputs besides the content: templates, translations and static files, known
by their sizes and mtimes.

A warm process reads none of them again while their signatures (every file's relative
path, mtime and size) are the ones it last saw: the site hash and the hashed assets are
kept per signature.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HASHED_SUFFIXES = (".css", ".js", ".svg", ".png", ".woff2")

Signature = tuple[tuple[str, int, int], ...]


def signature_of(d: Path, suffix: str = "") -> Signature:
    """Every file under ``d`` (ending with ``suffix``) as (relative path, mtime_ns, size),
    sorted, without reading one: what the builder compares to know that nothing changed."""
    out: list[tuple[str, int, int]] = []
    stack = [(str(d), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(suffix):
                st = entry.stat()
                out.append((prefix + entry.name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


_TREE_MEMO: dict[tuple[str, Signature], str] = {}
_ASSET_MEMO: dict[tuple[str, Signature], tuple[dict[str, str], dict[str, bytes]]] = {}
"""Per folder, the last hash or assets made from it in this process, by its signature."""


def file_digest(path: Path) -> str:
    """A file's SHA-1, read again only when its size or mtime changed."""
    st = path.stat()
    sig = (st.st_mtime_ns, st.st_size)
    memo = _DIGEST_MEMO.get(str(path))
    if memo is None or memo[0] != sig:
        memo = _DIGEST_MEMO[str(path)] = (sig, hashlib.sha1(path.read_bytes()).hexdigest())
    return memo[1]


_DIGEST_MEMO: dict[str, tuple[tuple[int, int], str]] = {}


def tree_hash(*dirs: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for d in dirs:
        signature = signature_of(d)
        digest = _TREE_MEMO.get((str(d), signature))
        if digest is None:
            one = hashlib.blake2b(digest_size=16)
            for rel, _, _ in signature:
                one.update(rel.encode())
                one.update((d / rel).read_bytes())
            digest = one.hexdigest()
            if len(_TREE_MEMO) > 16:
                _TREE_MEMO.clear()
            _TREE_MEMO[(str(d), signature)] = digest
        h.update(digest.encode())
    return h.hexdigest()


def assets(static_dir: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Static files: hashed names for cacheable assets; {logical name: url}, {out path: bytes}."""
    signature = signature_of(static_dir)
    memo = _ASSET_MEMO.get((str(static_dir), signature))
    if memo is not None:
        return memo
    urls: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for rel, _, _ in signature:
        p = static_dir / rel
        data = p.read_bytes()
        if p.suffix in HASHED_SUFFIXES:
            digest = hashlib.blake2b(data, digest_size=5).hexdigest()
            out = f"assets/{p.stem}.{digest}{p.suffix}"
            urls[rel] = "/" + out
        else:
            out = rel  # robots.txt and friends keep their names at the root
            urls[rel] = "/" + out
        files[out] = data
    _ASSET_MEMO.clear()
    _ASSET_MEMO[(str(static_dir), signature)] = (urls, files)
    return urls, files
