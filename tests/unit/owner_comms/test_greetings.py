"""Greetings and reminders through the message sender: the lunar festivals on their dates
(2026–2030, from a table written here), once per owner per occasion however often the daily
job runs, never in the quiet hours, birthdays recorded on the profile, bills falling due,
events signed up for, and the owner's opt-out (theirs alone) honoured even after planning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.billing.model import UnitKey
from portal.estates.records import unit_item
from portal.greetings.calendar import festival_dates, festival_on
from portal.greetings.events import CommunityEvent
from portal.i18n import translate
from portal.profiles.model import Member, Profile
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import AuthActions

# Looked up independently (Hong Kong Observatory's Gregorian–lunar tables): 春节 is lunar 1/1,
# 元宵节 lunar 1/15, 中秋节 lunar 8/15.
FESTIVALS = {
    2026: {"spring_festival": date(2026, 2, 17), "lantern": date(2026, 3, 3),
           "mid_autumn": date(2026, 9, 25)},
    2027: {"spring_festival": date(2027, 2, 6), "lantern": date(2027, 2, 20),
           "mid_autumn": date(2027, 9, 15)},
    2028: {"spring_festival": date(2028, 1, 26), "lantern": date(2028, 2, 9),
           "mid_autumn": date(2028, 10, 3)},
    2029: {"spring_festival": date(2029, 2, 13), "lantern": date(2029, 2, 27),
           "mid_autumn": date(2029, 9, 22)},
    2030: {"spring_festival": date(2030, 2, 3), "lantern": date(2030, 2, 17),
           "mid_autumn": date(2030, 9, 12)},
}  # fmt: skip


def _sent(services: Services) -> list[tuple[str, str]]:
    return [(m.phone, m.text) for m in reversed(services.outbox.recent(limit=500))]


def _at(clock: FakeClock, local: str) -> None:
    """Move the clock to a Beijing wall-clock time (``2027-02-05T23:30``)."""
    clock.now = datetime.fromisoformat(local + "+08:00").astimezone(UTC)


@pytest.mark.parametrize("year", sorted(FESTIVALS))
def test_festivals_fall_on_the_lunar_dates_of_the_table(year: int) -> None:
    assert festival_dates(year) == FESTIVALS[year]
    for name, day in FESTIVALS[year].items():
        assert festival_on(day) == name
        assert festival_on(day - timedelta(days=1)) is None
        assert festival_on(day + timedelta(days=1)) is None


def test_no_other_day_of_2026_to_2030_is_a_festival() -> None:
    found = {d for y in FESTIVALS for d in (date(y, 1, 1) + timedelta(days=i) for i in range(365))
             if festival_on(d)}  # fmt: skip
    assert found == {d for days in FESTIVALS.values() for d in days.values()}


def test_spring_festival_is_greeted_once_per_owner_from_the_morning_never_at_night(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    auth.make_owner("13800138000", "王芳", ("lanting", "2", "1-1503"), ("meixi", "3", "2-0802"))
    auth.make_owner("13900139000", "李雷", ("lanting", "2", "1-1504"))
    _at(clock, "2027-02-05T23:30")  # the job runs on New Year's Eve, late at night
    report = services.send_greetings()
    assert report.planned == {"festival": 2}  # 王芳 lives in two estates: greeted once
    assert _sent(services) == []  # quiet hours: not at 23:30
    _at(clock, "2027-02-06T08:59")
    services.task_runner.run_due()
    assert _sent(services) == []
    _at(clock, "2027-02-06T09:00")
    services.task_runner.run_due()
    company = services.estates.company().name.zh  # named in the words, signed 【常青藤物业】
    signed = "【常青藤物业】"  # the signature registered in company.yaml
    assert sorted(_sent(services)) == [
        ("13800138000", signed + translate("greetings.festival.spring_festival", company=company,
                                           name="王芳")),
        ("13900139000", signed + translate("greetings.festival.spring_festival", company=company,
                                           name="李雷")),
    ]  # fmt: skip
    again = services.send_greetings()  # the next day's run, or a retry: nothing new
    assert again.planned == {} and again.already == 3  # 王芳 found in both estates again
    services.task_runner.run_due()
    assert len(_sent(services)) == 2


def test_an_owner_who_opts_out_gets_no_greeting_and_staff_cannot_opt_them_back_in(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    owner = auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    assert owner.get("/api/messages/preferences").json["greetings"] is True
    off = owner.put("/api/messages/preferences", {"greetings": False, "reminders": True})
    assert off.status_code == 200, off.json
    assert off.json["greetings"] is False
    admin = auth.staff("root", "admin")
    assert admin.put("/api/messages/preferences",
                     {"greetings": True, "reminders": True}).status_code == 403  # fmt: skip
    _at(clock, "2027-09-15T10:00")  # 中秋
    report = services.send_greetings()
    assert report.planned == {} and report.opted_out == 1
    assert _sent(services) == []
    audit = [e for e in services.audit.day("2026-11-22") if e["action"] == "messages.preferences"]
    assert len(audit) == 1


def test_an_opt_out_after_the_greeting_was_planned_still_wins(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    wang = auth.make_owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    _at(clock, "2027-02-19T22:00")  # the evening before 元宵节: planned for the morning
    assert services.send_greetings().planned == {"festival": 1}
    owner = auth.as_user("owner", wang.owner_id)
    assert owner.put("/api/messages/preferences",
                     {"greetings": False, "reminders": True}).status_code == 200  # fmt: skip
    _at(clock, "2027-02-20T09:30")
    services.task_runner.run_due()
    assert _sent(services) == []


def test_a_birthday_recorded_on_the_profile_is_greeted_on_the_day(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    butler = auth.staff("li.butler", "butler", estates=("lanting",))
    kept = butler.patch("/api/profiles/lanting/2/1-1503", {"members": [
        {"name": "王小明", "relationship": "child", "phone": "13700137000",
         "birthday": "2015-12-03"}]})  # fmt: skip
    assert kept.status_code == 200, kept.json
    assert kept.json["members"][0]["birthday"] == "2015-12-03"
    _at(clock, "2026-12-02T10:00")
    assert services.send_greetings().planned == {"birthday": 1}  # tomorrow's, for 09:00
    _at(clock, "2026-12-03T09:00")
    services.task_runner.run_due()
    company = services.estates.company().name.zh
    assert _sent(services) == [("13700137000", "【常青藤物业】" + translate(
        "greetings.birthday", company=company, name="王小明"))]  # fmt: skip
    assert services.profile_repo.get("lanting", "2", "1-1503").members == (
        Member("王小明", "child", "13700137000", "2015-12-03"),)  # fmt: skip
    assert isinstance(services.profile_repo.get("lanting", "2", "1-1503"), Profile)


def test_owners_are_reminded_three_days_before_their_bills_fall_due_once_unless_they_opted_out(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    auth.make_owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    quiet = auth.owner("13900139000", "李雷", ("lanting", "2", "1-1504"))
    quiet.put("/api/messages/preferences", {"greetings": True, "reminders": False})
    estate = services.estates.estate("lanting")
    services.table.batch_put([unit_item(u) for u in estate.units()
                              if (u.building, u.room) in {("2", "1-1503"), ("2", "1-1504")}])  # fmt: skip
    for room in ("1-1503", "1-1504"):
        services.billing_run.add_charge(UnitKey("lanting", "2", room), "2026-11", "key", 12345,
                                        "门禁卡补办", actor="cli:test")  # fmt: skip
    _at(clock, "2026-12-11T10:00")  # due 12-15: reminded on the 12th (planned the day before)
    report = services.send_greetings()
    assert report.planned == {"bill_due": 1} and report.opted_out == 1
    _at(clock, "2026-12-12T09:05")
    services.task_runner.run_due()
    ((phone, text),) = _sent(services)
    assert phone == "13800138000"
    assert "2栋1单元1503室" in text and "123.45" in text and "12月15日" in text
    _at(clock, "2026-12-12T20:00")
    assert services.send_greetings().planned == {}


def test_an_owner_signed_up_for_an_event_is_reminded_the_day_before(
    auth: AuthActions, services: Services, clock: FakeClock
) -> None:
    services.events.register(CommunityEvent("lanting", "2026-12-1", "宪法宣传日·律师免费咨询", "",
                                            "2026-12-05T01:30:00Z", "2026-12-05T03:30:00Z",
                                            "中心广场"))  # fmt: skip
    owner = auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    auth.make_owner("13900139000", "李雷", ("lanting", "2", "1-1504"))  # not signed up
    listed = owner.get("/api/events/mine").json["items"]
    assert [(e["event"], e["signed_up"]) for e in listed] == [("2026-12-1", False)]
    signed = owner.post("/api/events/lanting/2026-12-1/signups", {"building": "2", "room": "1-1503"})
    assert signed.status_code == 200, signed.json
    assert owner.post("/api/events/lanting/2026-12-1/signups",
                      {"building": "2", "room": "1-1503"}).status_code == 200  # fmt: skip
    assert owner.post("/api/events/lanting/2026-12-1/signups",
                      {"building": "2", "room": "1-1504"}).status_code == 403  # fmt: skip
    assert owner.post("/api/events/lanting/2026-12-9/signups",
                      {"building": "2", "room": "1-1503"}).status_code == 404  # fmt: skip
    assert owner.get("/api/events/mine").json["items"][0]["signed_up"] is True
    _at(clock, "2026-12-04T10:00")
    assert services.send_greetings().planned == {"event": 1}
    ((phone, text),) = _sent(services)  # due at once: the day before, after 09:00
    assert phone == "13800138000" and "宪法宣传日" in text and "12月5日 09:30" in text
