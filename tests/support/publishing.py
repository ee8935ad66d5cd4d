"""Publishing test data: staff of each role, a notice, a campaign and an issue (shared by suites)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal.accounts.identity import Identity
from portal.publishing.clockwork import SiteRebuilder
from portal.publishing.model import (
    ArticleIn,
    CampaignContent,
    EventIn,
    IssueContent,
    NoticeContent,
)
from portal.publishing.workflow import Publishing
from portal.settings import Settings
from portal.tasks.dispatch import SweepOnly
from portal.tasks.queue import TaskQueue
from portal.wiring import Services
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


SMALL_COMPANY = """\
company:
  name: 常青藤物业
  name_en: Evergreen Property
  hotline: "400-800-1234"
estates:
  - slug: lanting
    name: 兰亭苑
    name_en: Lanting Garden
    address: 长沙市岳麓区兰亭路1号
    address_en: 1 Lanting Road
    hotline: "0731-8888-1234"
    contacts:
      - {role: 客服中心, role_en: Service centre, phone: "0731-8888-1200"}
    service_hours:
      - {what: 客服中心, what_en: Service centre, hours: "08:00–20:00", days: 每天, days_en: Daily}
    buildings:
      - {code: "1", name: 1栋, entrances: 2, floors: 3, rooms_per_floor: 2, room_areas_m2: [89.5, 120]}
      - {code: "2", name: 2栋, entrances: 1, floors: 3, rooms_per_floor: 2, room_areas_m2: [89.5, 120]}
    fees:
      - {item: management, name: 物业管理费, name_en: Management fee, price_fen: 280, unit: per_m2_month}
  - slug: meixi
    name: 梅溪湾
    address: 长沙市梅溪湖
    hotline: "0731-8888-5678"
    contacts: []
    buildings:
      - {code: "A", name: A栋, entrances: 1, floors: 2, rooms_per_floor: 2, room_areas_m2: [100, 100]}
"""
"""Two estates (兰亭苑 with buildings 1 and 2, 梅溪湾), Asia/Shanghai by default."""


def file_notice(title: str, published: str, extra: str = "", estates: str = "[lanting]") -> str:
    return (f"---\ntitle: {title}\ncategory: outage\nestates: {estates}\npublished: {published}\n"
            f"{extra}---\n特此通知。\n")  # fmt: skip


def small_content(root: Path) -> Path:
    """A content folder: the small company, the November and December campaign templates."""
    content = root / "content"
    (content / "notices").mkdir(parents=True)
    (content / "campaigns").mkdir()
    (content / "company.yaml").write_text(SMALL_COMPANY, encoding="utf-8")
    (content / "campaigns" / "11-fire.md").write_text(
        "---\nmonth: 11\ntitle: 消防安全宣传月\n---\n清理楼道杂物。\n", encoding="utf-8")
    (content / "campaigns" / "12-law.md").write_text(
        "---\nmonth: 12\ntitle: 法制宣传月\n---\n学法守法。\n", encoding="utf-8")
    return content


def quiet_publishing(services: Services) -> Publishing:
    """The workflow on the test's tables whose rebuild tasks wait for a sweep (none runs)."""
    return Publishing(services.publishing_repo, services.audit,
                      TaskQueue(SweepOnly(), services.clock), services.estates, services.clock)  # fmt: skip


def rebuilder(services: Services, settings: Settings, root: Path) -> SiteRebuilder:
    """The site rebuild over :func:`small_content` into ``root/out``."""
    s = replace(settings, content_dir=small_content(root), build_dir=root / "out")
    return SiteRebuilder(s, services.publishing_repo, services.clock)
