"""A one-notice rebuild does the work that notice needs: the pages that act make their
context (labels from half the code base) only when one of them is rendered, and
``portal build`` does not import their modules, the KPI engine or the object store."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import ROOT
from portal.site import accountpages
from tests.unit.sitebuild.conftest import Site, notice

LAZY = ("portal.site.cashpages", "portal.site.billpages", "portal.site.collectionpages",
        "portal.site.reconcilepages", "portal.site.staffpages", "portal.workorders.kpi",
        "portal.store.objects", "boto3", "portal.commitments.model", "multiprocessing",
        "portal.acknowledgements.model")  # fmt: skip
PROBE = """
import json, sys
import portal.cli.site
from portal.site.build import build_site
from portal.settings import Settings
from portal.uploads.bucket import uploads_origin
print(json.dumps(sorted(sys.modules)))
"""


def test_portal_build_imports_none_of_what_only_the_pages_that_act_need() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))


def test_the_account_context_is_made_once_per_language_and_only_when_rendered(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = accountpages.account_context

    def counting(lang: str, *args: object) -> dict[str, object]:
        made.append(lang)
        return real(lang, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(accountpages, "account_context", counting)
    site.build()
    assert sorted(made) == ["en", "zh-CN"]
    made.clear()
    site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00"))
    again = site.build()
    assert again.parsed == 1 and again.errors == [] and "notices/water/index.html" in again.written
    assert made == []


def test_a_build_into_an_empty_folder_writes_pages_in_place_and_a_rebuild_replaces_them(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[str] = []
    real = os.replace

    def counting(src: str, dst: str) -> None:
        renamed.append(os.fspath(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    first = site.build()
    assert first.errors == [] and len(first.written) > 100
    assert not [p for p in renamed if p.endswith((".html", ".xml", ".ics"))]  # pages in place
    renamed.clear()
    site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00"))
    again = site.build()
    assert str(site.out / "notices/water/index.html") in renamed  # atomic over a served page
    assert again.errors == []


def test_a_warm_rebuild_writes_only_the_manifest_shards_of_what_changed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.site import manifest

    site.build()
    site.write("notices/water.md", notice("2栋停水通知（又改）", "2026-11-20T09:00:00+08:00"))
    saved: list[str] = []
    real = manifest.write_atomic

    def counting(path: Path, data: bytes) -> None:
        saved.append(path.name)
        real(path, data)

    monkeypatch.setattr(manifest, "write_atomic", counting)
    result = site.build()
    pages = {w for w in result.written if not w.startswith("assets/")}
    expected = {f"{manifest.MANIFEST}.files-{manifest._shard_of('notices/water.md'):02d}"}
    expected |= {f"{manifest.MANIFEST}.pages-{manifest._shard_of(p):02d}" for p in pages}
    assert sorted(saved) == sorted(expected | {manifest.MANIFEST})
    kept = manifest.load(site.out)  # this process's memo
    monkeypatch.setattr(manifest, "_MEMO", {})
    disk = manifest.load(site.out)  # what another process reads: the patched shards
    assert disk is not kept and disk.pages == kept.pages and disk.files.keys() == kept.files.keys()


def test_a_parallel_build_makes_the_account_context_in_a_worker_not_in_the_parent(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent forks as soon as the pages are planned: the worker that gets the pages that
    act (one chunk, first) makes their context while the other renders."""
    from portal.site.build import build_site

    made: list[str] = []
    real = accountpages.account_context

    def counting(lang: str, *args: object) -> dict[str, object]:
        made.append(lang)  # in this process only: a forked worker's calls are its own
        return real(lang, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(accountpages, "account_context", counting)
    result = build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    assert result.errors == [] and result.pages > 120  # enough pages for the workers
    assert made == []
    assert "我的" in (site.out / "account" / "index.html").read_text(encoding="utf-8")


def test_no_kpi_results_have_the_digest_the_results_module_gives_none() -> None:
    from portal.commitments import published
    from portal.site.pages import NO_RESULTS

    assert published.digest([]) == NO_RESULTS


@pytest.mark.parametrize("enabled_before", [True, False])
def test_a_build_runs_with_the_garbage_collector_paused_and_leaves_it_as_it_was(
    site: Site, monkeypatch: pytest.MonkeyPatch, enabled_before: bool
) -> None:
    from portal.site import content

    seen: list[bool] = []
    real = content.assemble

    def watching(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "assemble", watching)
    (gc.enable if enabled_before else gc.disable)()
    try:
        result = site.build()
        after = gc.isenabled()
    finally:
        gc.enable()
    assert result.errors == [] and seen == [False]
    assert after is enabled_before
