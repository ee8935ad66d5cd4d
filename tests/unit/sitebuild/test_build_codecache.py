"""``portal build`` keeps the code it compiles from generated source (dataclasses, patterns)
in a file and serves it the next time (portal.codecache, functions/local/command.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from functions.local.command import CACHED_COMMANDS
from portal import ROOT, codecache
from portal.cli import FINISHING


def test_the_cached_commands_end_where_the_cache_is_saved() -> None:
    assert CACHED_COMMANDS <= FINISHING


def _build(tmp_path: Path, out: str, cache: Path) -> bytes:
    portal = Path(sys.executable).with_name("portal")
    done = subprocess.run(
        [str(portal), "build", "--content", str(ROOT / "site" / "content"), "--out",
         str(tmp_path / out), "--now", "2026-11-23T09:00:00+08:00", "--clean", "-j", "2"],
        env={**os.environ, "PORTAL_CODECACHE": str(cache)}, capture_output=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return cache.read_bytes()


def test_a_second_build_compiles_nothing_the_first_did_and_writes_the_same_pages(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cli.marshal"
    first = _build(tmp_path, "one", cache)
    entries = codecache.load(first)
    assert entries is not None and len(entries) > 300  # the build's, and its workers' pages
    assert {key[0] for key in entries} >= {"exec", "re"}
    assert _build(tmp_path, "two", cache) == first  # nothing new: not rewritten
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.html"))
    two = sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*.html"))
    assert one == two and len(one) > 200
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()
