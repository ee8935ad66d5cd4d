"""A warm rebuild re-plans only what changed, and writes the same tree as a clean build.

The dev watcher and the publishing task rebuild in a process that built before: the
model is patched with the notices that changed, only their pages and their estates' lists
are planned again, and a caller that names the changed paths spares the scan of every
content file. Each step below is compared, file for file, with a clean build of a copy of
the same content into an empty folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from portal.i18n import Text
from portal.settings import Settings
from portal.site import replan, warm
from portal.site.build import BuildResult, build_site
from portal.site.model import Body, Notice, SiteModel
from portal.sourcefile import SourceError
from tests.unit.sitebuild.conftest import NOW, Site, notice

URL = "https://portal.example.cn"
_T = TypeVar("_T")


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; a calendar's without its DTSTAMP (the time it was made, which a
    rebuild for a later ``now`` does not remake while the calendar's events are the same)."""
    return {p.relative_to(folder).as_posix(): _stamped(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


def _stamped(p: Path) -> bytes:
    data = p.read_bytes()
    if p.suffix != ".ics":
        return data
    return b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"DTSTAMP"))


@dataclass
class Work:
    """What one rebuild did: scans of the content folder, files stat'ed, pages planned."""

    scans: int
    stats: int
    planned: int


def _counted(build: Callable[[], _T]) -> tuple[_T, Work]:
    before = (warm.COUNTS["scans"], warm.COUNTS["stats"], replan.COUNTS["planned"])
    result = build()
    return result, Work(warm.COUNTS["scans"] - before[0], warm.COUNTS["stats"] - before[1],
                        replan.COUNTS["planned"] - before[2])  # fmt: skip


@dataclass
class StoreNotices:
    """A content source like the store's: its notices are new objects at every build."""

    titles: dict[str, str] = field(default_factory=dict)

    def contribute(self, model: SiteModel) -> list[SourceError]:
        for slug, title in sorted(self.titles.items()):
            model.notices.append(Notice(
                slug=slug, source=f"store/{slug}", digest=f"d-{title}", title=Text(title),
                category="tips", estates=("lanting",), buildings=(),
                published=datetime.fromisoformat("2026-11-19T09:00:00+08:00"), expires=None,
                pinned=False, urgent=False, body=Body(f"{title}。"),
            ))  # fmt: skip
        model.notices.sort(key=lambda n: (n.published, n.slug), reverse=True)
        return []


class Twin:
    """The site built warm in place, and a clean build of a copy of its content to compare."""

    def __init__(self, site: Site, store: StoreNotices) -> None:
        self.site, self.store = site, store
        self.runs = 0

    def warm(self, now: datetime = NOW, changed: list[Path] | None = None) -> tuple[BuildResult, Work]:
        return _counted(lambda: build_site(self.site.content, self.site.out, now=now, site_url=URL,
                                           jobs=1, extra_sources=[self.store], changed=changed))  # fmt: skip

    def same_as_clean(self, now: datetime = NOW) -> None:
        self.runs += 1
        root = self.site.content.parent / f"clean-{self.runs}"
        shutil.copytree(self.site.content, root / "content")
        clean = build_site(root / "content", root / "out", now=now, site_url=URL, jobs=1,
                           extra_sources=[self.store])  # fmt: skip
        assert clean.errors == []
        warm_tree, clean_tree = _tree(self.site.out), _tree(root / "out")
        assert warm_tree.keys() == clean_tree.keys(), warm_tree.keys() ^ clean_tree.keys()
        differ = [rel for rel in warm_tree if warm_tree[rel] != clean_tree[rel]]
        assert differ == []


@pytest.fixture
def twin(site: Site) -> Twin:
    made = Twin(site, StoreNotices({"s1": "电梯年检", "s2": "绿化修剪"}))
    first, _ = made.warm()
    assert first.errors == []
    return made


def test_edits_additions_and_deletions_rebuilt_warm_match_a_clean_build(twin: Twin) -> None:
    site = twin.site
    steps: list[Callable[[], object]] = [
        lambda: site.write("notices/water.md", notice("2栋停水通知（改）", "2026-11-20T09:00:00+08:00",
                                                      extra='buildings: ["2"]\n')),
        lambda: site.write("notices/new.md", notice("新的置顶通知", "2026-11-21T09:00:00+08:00",
                                                    category="fees", extra="pinned: true\n")),
        lambda: site.write("notices/fire.md", notice("消防演练（改到兰亭）", "2026-11-18T09:00:00+08:00",
                                                     category="safety", estates="[lanting, meixi]")),
        lambda: (site.content / "notices/water.en.md").unlink(),
        lambda: site.write("notices/new.en.md", "---\ntitle: Pinned, new\n---\nDear owners.\n"),
        lambda: (site.content / "notices/pinned.md").unlink(),
        lambda: twin.store.titles.update(s1="电梯年检（改期）"),
        lambda: twin.store.titles.pop("s2"),
    ]
    for step in steps:
        step()
        result, work = twin.warm()
        assert result.errors == [] and work.scans == 1
        assert 0 < work.planned < 60  # the site has some 230 pages
        twin.same_as_clean()


def test_named_paths_are_stat_ed_alone_and_the_plain_call_still_finds_an_edit(twin: Twin) -> None:
    site = twin.site
    edited = site.write("notices/water.md", notice("2栋停水通知（再改）", "2026-11-20T09:00:00+08:00"))
    result, work = twin.warm(changed=[edited])
    assert (work.scans, work.stats, result.parsed) == (0, 1, 1)
    assert "notices/water/index.html" in result.written
    twin.same_as_clean()

    gone = site.content / "notices/old.md"
    gone.unlink()
    result, work = twin.warm(changed=[gone, site.content / "notices" / "no-such.md"])
    assert (work.scans, work.stats) == (0, 2) and "notices/old/index.html" in result.deleted
    twin.same_as_clean()

    site.write("notices/unreported.md", notice("没人报告的通知", "2026-11-21T09:00:00+08:00"))
    result, work = twin.warm(changed=[])  # the publishing task: nothing changed in the files
    assert (work.scans, work.stats, result.parsed) == (0, 0, 0)
    result, work = twin.warm()  # the plain call scans
    assert (work.scans, result.parsed) == (1, 1)
    assert "notices/unreported/index.html" in result.written
    twin.same_as_clean()


def test_a_store_notice_made_anew_but_unchanged_plans_nothing(twin: Twin) -> None:
    result, work = twin.warm(changed=[])
    assert (result.written, work.planned) == ([], 0)


def test_time_moving_within_the_plan_plans_nothing_and_past_its_moment_plans_all(
    twin: Twin,
) -> None:
    first, _ = twin.warm()
    assert first.next_change is not None
    result, work = twin.warm(now=first.next_change - timedelta(minutes=1), changed=[])
    assert (result.written, work.planned) == ([], 0)
    assert result.next_change == first.next_change
    later, work = twin.warm(now=first.next_change, changed=[])
    assert work.planned == later.pages
    twin.same_as_clean(now=first.next_change)
    twin.site.write("notices/water.md", notice("2栋停水通知（再改）", "2026-11-20T09:00:00+08:00"))
    result, work = twin.warm(now=first.next_change + timedelta(minutes=1))
    assert 0 < work.planned < 60
    twin.same_as_clean(now=first.next_change + timedelta(minutes=1))


def test_a_broken_notice_and_its_fix_rebuilt_warm_report_and_clear_the_problem(
    twin: Twin,
) -> None:
    site = twin.site
    site.write("notices/water.md", notice("错误小区", "2026-11-20T09:00:00+08:00",
                                          estates="[nowhere]"))  # fmt: skip
    result, _ = twin.warm()
    assert [e.code for e in result.errors] == ["unknown_estate"]
    assert "notices/water/index.html" in result.deleted
    site.write("notices/water.md", notice("已修好", "2026-11-20T09:00:00+08:00"))
    result, _ = twin.warm()
    assert result.errors == [] and "notices/water/index.html" in result.written
    twin.same_as_clean()


def test_the_dev_servers_rebuild_reads_only_the_paths_the_watcher_saw(
    site: Site, settings: Settings
) -> None:
    from functions.local.server import SiteBuilder

    builder = SiteBuilder(replace(settings, content_dir=site.content, build_dir=site.out))
    assert builder.build(jobs=1, list_written=False)
    edited = site.write("notices/water.md", notice("2栋停水通知（开发改）", "2026-11-20T09:00:00+08:00"))
    _, work = _counted(lambda: builder.on_change([str(edited)]))
    assert (work.scans, work.stats) == (0, 1) and 0 < work.planned < 60
    assert "2栋停水通知（开发改）" in site.page("notices/water/index.html")
