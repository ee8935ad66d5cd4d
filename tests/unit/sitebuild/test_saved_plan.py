"""A new process (``portal build`` after an edit) plans from the plan its predecessor saved.

The process that builds a folder first saves its plan beside the manifest, named by the
same token; the next process that builds there plans again only the groups of the notices
that changed, and a plan whose token is not the manifest's (a warm process built since, a
save cut short) is not used. Each "new process" here forgets this process's memos.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal import ROOT
from portal.site import content, manifest, replan, warm
from portal.site.build import BuildResult
from tests.unit.sitebuild.conftest import Site, notice


def _new_process() -> None:
    """Forget what this process kept between builds (as a new ``portal build`` has nothing)."""
    replan._KEPT.clear()
    content._FILES.clear()
    warm._SEEN.clear()
    warm._COMPLETE.clear()
    manifest._MEMO.clear()
    manifest._SHARDS.clear()


def _planned(site: Site) -> tuple[BuildResult, int]:
    before = replan.COUNTS["planned"]
    result = site.build()
    assert result.errors == []
    return result, replan.COUNTS["planned"] - before


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


def test_a_new_process_plans_only_the_edited_notice_and_matches_a_clean_build(
    site: Site, tmp_path: Path
) -> None:
    _new_process()
    first, planned = _planned(site)
    assert planned == first.pages and (site.out / replan.PLAN).is_file()
    site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00"))
    (site.content / "notices/fire.md").unlink()
    _new_process()
    again, planned = _planned(site)
    assert 0 < planned < 60 and "notices/fire/index.html" in again.deleted
    assert "2栋停水通知（改）" in site.page("estates/lanting/notices/index.html")
    shutil.copytree(site.content, tmp_path / "copy")
    clean = Site.__new__(Site)
    clean.content, clean.out = tmp_path / "copy", tmp_path / "clean-out"
    assert clean.build().errors == []
    assert _tree(site.out) == _tree(clean.out)


def test_a_plan_not_saved_with_the_manifest_in_the_folder_is_not_used(site: Site) -> None:
    _new_process()
    site.build()
    site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00"))
    site.build()  # warm: the manifest is saved again, without a plan
    site.write("notices/water.md", notice("2栋停水通知（又改）", "2026-11-20T09:00:00+08:00"))
    _new_process()
    again, planned = _planned(site)
    assert planned == again.pages
    (site.out / replan.PLAN).write_bytes(b"not a pickle")
    site.write("notices/water.md", notice("2栋停水通知（三改）", "2026-11-20T09:00:00+08:00"))
    _new_process()
    again, planned = _planned(site)
    assert planned == again.pages and "2栋停水通知（三改）" in site.page("notices/water/index.html")


PROBE = """
import json, sys
from datetime import datetime
from pathlib import Path
from portal.site import replan
from portal.site.build import build_site
r = build_site(Path(sys.argv[1]), Path(sys.argv[2]), now=datetime.fromisoformat(sys.argv[3]),
               site_url="https://portal.example.cn", jobs=1)
print(json.dumps([replan.COUNTS["planned"], r.pages, [str(e) for e in r.errors]]))
"""


@pytest.mark.parametrize("edit", [False, True])
def test_portal_build_in_a_fresh_interpreter_reads_the_saved_plan(site: Site, edit: bool) -> None:
    def run() -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", PROBE, str(site.content), str(site.out),
                              "2026-11-22T10:00:00+08:00"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        planned, pages, errors = json.loads(out.strip().splitlines()[-1])
        assert errors == []
        return planned, pages

    planned, pages = run()
    assert planned == pages
    if edit:
        site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00"))
    planned, pages = run()
    assert planned == 0 if not edit else 0 < planned < 60
