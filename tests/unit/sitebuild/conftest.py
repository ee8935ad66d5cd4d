"""A small, complete content folder written per test, and a build helper."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from textwrap import dedent

import pytest

from portal.site.build import BuildResult, build_site
from tests.support.publishing import SMALL_COMPANY

NOW = datetime.fromisoformat("2026-11-22T10:00:00+08:00")

COMPANY = SMALL_COMPANY


def notice(title: str, published: str, category: str = "outage", estates: str = "[lanting]",
           extra: str = "", body: str = "尊敬的各位业主：\n\n特此通知。") -> str:  # fmt: skip
    return (
        f"---\ntitle: {title}\ncategory: {category}\nestates: {estates}\n"
        f"published: {published}\n{extra}---\n{body}\n"
    )


class Site:
    def __init__(self, root: Path) -> None:
        self.content = root / "content"
        self.out = root / "out"
        (self.content / "notices").mkdir(parents=True)
        (self.content / "campaigns").mkdir()
        (self.content / "newsletter" / "2026-11").mkdir(parents=True)
        self.write("company.yaml", COMPANY)
        self.write("notices/water.md", notice("2栋停水通知", "2026-11-20T09:00:00+08:00",
                                              extra='buildings: ["2"]\n'))  # fmt: skip
        self.write(
            "notices/water.en.md", "---\ntitle: Water outage, Building 2\n---\nDear owners.\n"
        )
        self.write("notices/old.md", notice("旧的停电通知", "2026-01-05T09:00:00+08:00",
                                            extra="expires: 2026-01-06T18:00:00+08:00\n"))  # fmt: skip
        self.write("notices/pinned.md", notice("物业费缴纳提醒", "2026-10-01T09:00:00+08:00",
                                               category="fees", estates="all",
                                               extra="pinned: true\n"))  # fmt: skip
        self.write("notices/fire.md", notice("消防演练", "2026-11-18T09:00:00+08:00",
                                             category="safety", estates="[meixi]",
                                             extra="urgent: true\n"))  # fmt: skip
        self.write(
            "campaigns/11-fire.md",
            dedent("""\
            ---
            month: 11
            title: 消防安全宣传月
            theme: 消防安全 · 楼道清障
            events:
              - {title: 消防演练, start: "11-15T09:30", end: "11-15T11:00", location: 中心广场}
            ---
            清理楼道杂物，人人有责。
            """),
        )
        self.write(
            "campaigns/03-dogs.md", "---\nmonth: 3\ntitle: 文明养犬宣传月\n---\n牵绳出行。\n"
        )
        self.write(
            "newsletter/2026-11/index.md",
            "---\nissue: 3\ntitle: 兰亭家园第3期\npublished: 2026-11-10\n---\n编者按。\n",
        )
        self.write(
            "newsletter/2026-11/01-story.md",
            "---\ntitle: 凌晨两点的抢修\nkind: moving\nauthor: 客服部\n---\n师傅们连夜抢修。\n",
        )

    def write(self, rel: str, text: str) -> Path:
        p = self.content / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return p

    def build(self, now: datetime = NOW, **kw: object) -> BuildResult:
        return build_site(self.content, self.out, now=now, site_url="https://portal.example.cn",
                          jobs=1, **kw)  # type: ignore[arg-type]  # fmt: skip

    def page(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The default content built once, for the module's tests that only read the output.

    A build writes some 200 files; tests that change the content or build again use ``site``.
    """
    site = Site(tmp_path_factory.mktemp("built"))
    result = site.build()
    assert result.errors == []
    return site


SiteFactory = Callable[[], Site]


def gone(pid: int) -> bool:
    """Whether this child process has exited and been reaped (no zombie left)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
