"""已知晓 end to end over HTTP: the demo content's flagged notices are registered, an owner
sees theirs unread on "我的" and acknowledges once for the household, staff see per building
households acknowledged / targeted and the units still unread with phones masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import ROOT
from portal.acknowledgements.sync import critical_notices, register_all
from portal.site import sources
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import AuthActions

CONTENT = ROOT / "site" / "content"
OUTAGE = "2026-11-18-lanting-water-outage-b2"
ACK = f"/api/acknowledgements/lanting/{OUTAGE}"


@pytest.fixture
def registered(services: Services, clock: FakeClock) -> int:
    return register_all(services.acknowledgement_repo, CONTENT, clock())


def test_only_outage_and_safety_notices_may_ask_and_the_demo_flags_are_found(
    registered: int, tmp_path: Path
) -> None:
    assert registered == 2  # 2栋停水 and 3栋爆管, both in lanting
    bad = b"---\ntitle: t\ncategory: tips\nestates: [lanting]\npublished: 2026-11-01T09:00:00+08:00\nacknowledge: true\n---\nx\n"
    _, value, errors = sources.parse_source("notices/2026-11-01-x.md", bad)
    assert value is None and [e.code for e in errors] == ["acknowledge_not_allowed"]
    good = bad.replace(b"category: tips", b"category: safety")
    _, value, errors = sources.parse_source("notices/2026-11-01-x.md", good)
    assert not errors and critical_notices([value.notice])[0].estate == "lanting"


def test_an_owner_acknowledges_once_for_the_household_and_staff_see_the_coverage(
    registered: int, auth: AuthActions, services: Services
) -> None:
    wang = auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    auth.make_owner("13900139000", "王小明", ("lanting", "2", "1-1503"))  # same household
    son = auth.as_user("owner", _owner_id(services, "13900139000"))
    auth.make_owner("13700137000", "李雷", ("lanting", "2", "1-1504"))
    mine = wang.get("/api/acknowledgements/mine")
    assert mine.status_code == 200, mine.json
    (item,) = mine.json["items"]  # building 2 only: the 3栋 burst pipe does not concern them
    assert (item["notice"]["notice"], item["acknowledged"]) == (OUTAGE, False)
    first = wang.post(ACK, {"building": "2", "room": "1-1503"})
    assert first.status_code == 200, first.json
    assert first.json["acknowledged"] is True
    again = son.post(ACK, {"building": "2", "room": "1-1503"})
    assert again.json["acknowledged_at"] == first.json["acknowledged_at"]
    assert son.get("/api/acknowledgements/mine").json["items"][0]["acknowledged"] is True

    estate = services.estates.estate("lanting")
    building_2 = len(next(b for b in estate.buildings if b.code == "2").units("lanting"))
    desk = auth.staff("qian.desk", "front_desk", estates=("lanting",))
    listed = desk.get("/api/acknowledgements", query_string={"estate": "lanting"})
    assert listed.status_code == 200, listed.json
    counts = {i["notice"]["notice"]: (i["acknowledged"], i["targeted"]) for i in listed.json["items"]}
    assert counts[OUTAGE] == (1, building_2)
    cover = desk.get(f"{ACK}/coverage")
    assert cover.status_code == 200, cover.json
    (b2,) = cover.json["buildings"]
    assert (b2["building"], b2["acknowledged"], b2["targeted"]) == ("2", 1, building_2)
    unread = {u["room"]: u["residents"] for u in b2["unread"]}
    assert "1-1503" not in unread and len(unread) == building_2 - 1
    assert unread["1-1504"] == [{"name": "李雷", "phone": "137****7000"}]
    assert "13700137000" not in cover.get_data(as_text=True)
    audit = [e for e in services.audit.day("2026-11-22") if e["action"] == "notice.acknowledged"]
    assert [e["actor"] for e in audit] == [f"owner:{_owner_id(services, '13800138000')}"]


def _owner_id(services: Services, phone: str) -> str:
    owner = services.owners.by_phone(phone)
    assert owner is not None
    return owner.owner_id


def test_a_notice_that_does_not_concern_the_unit_or_has_expired_is_a_404(
    registered: int, auth: AuthActions, clock: FakeClock
) -> None:
    owner = auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    pipe = owner.post("/api/acknowledgements/lanting/2026-11-21-lanting-burst-pipe-b3",
                      {"building": "2", "room": "1-1503"})  # fmt: skip
    assert pipe.status_code == 404 and pipe.json["error"]["code"] == "critical_notice_not_found"
    other = owner.post(ACK, {"building": "2", "room": "1-1504"})
    assert other.status_code == 403
    clock.now = clock.now.replace(day=27)  # the outage notice expired on the 26th
    assert owner.post(ACK, {"building": "2", "room": "1-1503"}).status_code == 404
    assert owner.get("/api/acknowledgements/mine").json["items"] == []


def test_a_butler_sees_only_their_buildings(registered: int, auth: AuthActions) -> None:
    butler = auth.staff("li.butler", "butler", estates=("lanting",),
                        buildings={"lanting": frozenset({"3"})})  # fmt: skip
    counts = butler.get("/api/acknowledgements", query_string={"estate": "lanting"}).json
    assert {i["notice"]["notice"]: i["targeted"] for i in counts["items"]}[OUTAGE] == 0
    cover = butler.get(f"{ACK}/coverage").json
    assert cover["buildings"] == []
