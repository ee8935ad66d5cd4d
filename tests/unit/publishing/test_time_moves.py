"""Time moves on the site: scheduled notices appear at their time, expired ones leave the lists,
the month's campaign follows the calendar in the estate's time zone, and the site-clock job
rebuilds exactly when one of those moments has come (a fake clock; nothing sleeps)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal.clock import zone
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.publishing import (
    NOW,
    campaign,
    file_notice,
    notice,
    quiet_publishing,
    rebuilder,
    supervisor,
    writer,
)

LIST = "estates/lanting/notices/index.html"
HOME = "estates/lanting/index.html"


def _read(out: Path, rel: str) -> str:
    path = out / rel
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _listed(out: Path) -> set[str]:
    page = _read(out, LIST)
    return {slug for slug in ("soon", "short", "always") if f"/notices/{slug}/" in page} | {
        s for s in page.split('"') if s.startswith("/notices/n2026")
    }


def test_a_notice_scheduled_for_later_has_no_page_and_no_listing_until_its_time(
    services: Services, settings: Settings, tmp_path: Path, clock: FakeClock
) -> None:
    r = rebuilder(services, settings, tmp_path)
    (r.settings.content_dir / "notices" / "soon.md").write_text(
        file_notice("周六停电", "2026-11-22T12:00:00+08:00"), encoding="utf-8")
    r.rebuild(datetime(2026, 11, 22, 3, 59, tzinfo=UTC))
    assert "/notices/soon/" not in _read(r.settings.build_dir, LIST)
    assert not (r.settings.build_dir / "notices/soon/index.html").exists()
    r.rebuild(datetime(2026, 11, 22, 4, 0, tzinfo=UTC))
    assert "/notices/soon/" in _read(r.settings.build_dir, LIST)
    assert (r.settings.build_dir / "notices/soon/index.html").exists()


def test_an_expired_notice_leaves_the_lists_and_its_page_stays_marked_expired(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    r = rebuilder(services, settings, tmp_path)
    (r.settings.content_dir / "notices" / "short.md").write_text(file_notice(
        "电梯检修", "2026-11-20T09:00:00+08:00", "expires: 2026-11-23T00:00:00+08:00\n"),
        encoding="utf-8")  # fmt: skip
    r.rebuild(datetime(2026, 11, 22, 15, 59, tzinfo=UTC))
    assert "/notices/short/" in _read(r.settings.build_dir, LIST)
    r.rebuild(datetime(2026, 11, 22, 16, 0, tzinfo=UTC))
    assert "/notices/short/" not in _read(r.settings.build_dir, LIST)
    assert (r.settings.build_dir / "notices/short/index.html").exists()


def test_the_estate_home_switches_to_the_next_campaign_at_midnight_on_the_first_in_its_time_zone(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    r = rebuilder(services, settings, tmp_path)
    r.rebuild(datetime(2026, 11, 30, 15, 59, tzinfo=UTC))  # 23:59 in Changsha
    assert "消防安全宣传月" in _read(r.settings.build_dir, HOME)
    r.rebuild(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 00:00 on 1 December
    home = _read(r.settings.build_dir, HOME)
    assert "法制宣传月" in home and "消防安全宣传月" not in home


def test_over_a_month_the_clock_job_rebuilds_only_at_each_moment_and_every_hour_the_list_is_right(
    services: Services, settings: Settings, tmp_path: Path, clock: FakeClock
) -> None:
    start = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # midnight, 21 November, in Changsha
    clock.now = start
    r = rebuilder(services, settings, tmp_path)
    notices = r.settings.content_dir / "notices"
    (notices / "always.md").write_text(file_notice("物业费标准公示", "2026-10-01T09:00:00+08:00"),
                                       encoding="utf-8")  # fmt: skip
    (notices / "soon.md").write_text(file_notice("周六停电", "2026-11-28T08:30:00+08:00"),
                                     encoding="utf-8")  # fmt: skip
    (notices / "short.md").write_text(file_notice(
        "电梯检修", "2026-11-25T09:00:00+08:00", "expires: 2026-12-02T18:00:00+08:00\n"),
        encoding="utf-8")  # fmt: skip
    staff = quiet_publishing(services)
    doc = staff.create(writer(), notice("12月停水", publish_at=datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
                                        expires_at=datetime(2026, 12, 12, 1, 0, tzinfo=UTC)))  # fmt: skip
    staff.publish(writer(), doc.doc_id, doc.version)
    windows: dict[str, tuple[datetime, datetime | None]] = {
        "always": (datetime(2026, 10, 1, 1, 0, tzinfo=UTC), None),
        "soon": (datetime(2026, 11, 28, 0, 30, tzinfo=UTC), None),
        "short": (datetime(2026, 11, 25, 1, 0, tzinfo=UTC), datetime(2026, 12, 2, 10, 0, tzinfo=UTC)),
        f"/notices/{doc.doc_id}/": (datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
                                    datetime(2026, 12, 12, 1, 0, tzinfo=UTC)),
    }  # fmt: skip
    runs = 0
    for hour in range(31 * 24):
        clock.now = start + timedelta(hours=hour, minutes=1)
        runs += r.tick().ran
        expected = {k for k, (a, b) in windows.items() if a <= clock.now and (b is None or clock.now < b)}
        assert _listed(r.settings.build_dir) == expected, clock.now
        local = clock.now.astimezone(zone())
        wanted = "法制宣传月" if local.month == 12 else "消防安全宣传月"
        assert wanted in _read(r.settings.build_dir, HOME), clock.now
    # The first run, one a local midnight (22 November to 21 December: 30), one a publish or
    # expiry time (25 Nov, 28 Nov, 2 Dec from the files; 10 and 12 Dec from the store: 5), and
    # one when the 1 October notice stops being "latest" on the estate home (60 days: 30 Nov).
    assert runs == 1 + 30 + 5 + 1


def test_the_clock_job_run_twice_or_late_does_the_work_once(
    services: Services, settings: Settings, tmp_path: Path, clock: FakeClock
) -> None:
    clock.now = NOW
    r = rebuilder(services, settings, tmp_path)
    (r.settings.content_dir / "notices" / "soon.md").write_text(
        file_notice("周六停电", "2026-11-22T12:00:00+08:00"), encoding="utf-8")
    assert r.tick().ran
    assert not r.tick().ran  # the same minute again: nothing due
    clock.now = NOW + timedelta(hours=9)  # late: the 12:00 moment passed hours ago
    late = r.tick()
    assert late.ran and "/notices/soon/" in _read(r.settings.build_dir, LIST)
    again = r.tick()
    assert not again.ran


def test_a_building_s_list_has_the_whole_estate_s_notices_and_its_own_but_not_another_building_s(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    r = rebuilder(services, settings, tmp_path)
    notices = r.settings.content_dir / "notices"
    (notices / "all.md").write_text(file_notice("全小区消防检查", "2026-11-20T09:00:00+08:00"),
                                    encoding="utf-8")  # fmt: skip
    (notices / "b2.md").write_text(file_notice("2栋停水", "2026-11-21T09:00:00+08:00",
                                               'buildings: ["2"]\n'), encoding="utf-8")  # fmt: skip
    r.rebuild(NOW)
    one = _read(r.settings.build_dir, "estates/lanting/buildings/1/index.html")
    two = _read(r.settings.build_dir, "estates/lanting/buildings/2/index.html")
    assert "/notices/all/" in one and "/notices/b2/" not in one
    assert "/notices/all/" in two and "/notices/b2/" in two


def test_a_staff_written_campaign_says_what_it_asks_of_owners_on_the_estate_home(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    r = rebuilder(services, settings, tmp_path)
    staff = quiet_publishing(services)
    ask = "有纠纷先找管家调解，也欢迎来听法律讲座。"
    doc = staff.create(supervisor(), replace(campaign(), ask=ask))  # a butler writes no campaign
    staff.publish(supervisor(), doc.doc_id, doc.version)
    r.rebuild(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 10:00 on 1 December
    home = _read(r.settings.build_dir, HOME)
    feature = home.split('id="cmp"', 1)[1].split("</section>", 1)[0]
    assert "法制宣传月" in feature and ask in feature
    assert "下次活动：" in feature and "12月5日 09:00" in feature  # its event, in Changsha time
