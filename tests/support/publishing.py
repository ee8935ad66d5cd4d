"""Publishing test data: staff of each role, a notice, a campaign and an issue (shared by suites)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.accounts.identity import Identity
from portal.publishing.model import (
    ArticleIn,
    CampaignContent,
    EventIn,
    IssueContent,
    NoticeContent,
)
from tests.support.workorders import staff_identity

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
"""10:00 in Changsha on Sunday 22 November 2026."""


def writer(name: str = "p.butler", role: str = "butler", estate: str = "lanting",
           buildings: frozenset[str] | None = None) -> Identity:  # fmt: skip
    return staff_identity(name, role, estates=(estate,),
                          buildings={estate: buildings} if buildings else None)  # fmt: skip


def supervisor(name: str = "p.super", estate: str = "lanting") -> Identity:
    return staff_identity(name, "supervisor", estates=(estate,))


def notice(title: str = "2栋停水通知", *, estates: tuple[str, ...] = ("lanting",),
           buildings: tuple[str, ...] = (), publish_at: datetime = NOW,
           expires_at: datetime | None = None, body: str = "尊敬的业主：\n\n明天 **9:00–12:00** 停水。",
           pinned: bool = False, urgent: bool = False, title_en: str = "") -> NoticeContent:  # fmt: skip
    return NoticeContent(title=title, category="outage", body=body, estates=estates,
                         buildings=buildings, publish_at=publish_at, expires_at=expires_at,
                         pinned=pinned, urgent=urgent, title_en=title_en)  # fmt: skip


def campaign(year: int = 2026, month: int = 12, estate: str = "lanting") -> CampaignContent:
    start = datetime(year, month, 5, 1, 0, tzinfo=UTC)
    return CampaignContent(estate=estate, year=year, month=month, title="法制宣传月",
                           theme="学法守法", body="本月开展法律咨询。",
                           events=(EventIn("法律咨询日", start, start + timedelta(hours=2), "2栋架空层"),))  # fmt: skip


def issue(number: int = 901, estate: str = "lanting", publish_at: datetime = NOW) -> IssueContent:
    return IssueContent(estate=estate, number=number, title="冬季刊", publish_at=publish_at,
                        intro="本期导读。",
                        articles=(ArticleIn("深夜修水管", "moving", "管家连夜抢修。", "小李"),))  # fmt: skip
