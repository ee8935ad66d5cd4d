"""The owner profile (客户动态表) on moto: read from the roster, kept by staff with a history
line, scoped and masked, one timeline of contacts, and the archive completeness KPI."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.identity import Identity, UnitRef
from portal.accounts.owners import Binding, Owner, OwnerRepository, owner_id_for
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.profiles.model import REQUIRED, SEGMENT_NAMES, Member
from portal.profiles.service import ProfileChanges, ProfileService
from portal.wiring import Services
from portal.workorders.callbacks import Answer
from portal.workorders.service import WorkOrderService
from tests.support.workorders import owner_identity, repair, staff_identity

UNIT = ("lanting", "2", "1-1503")
COMPLETE = ProfileChanges(segment="general", move_in_date="2021-05-01")


def bind(services: Services, phone: str, name: str, *units: tuple[str, str, str],
         relationship: str = "owner", handover: str = "2021-03-15",
         occupancy: str = "moved_in") -> Owner:  # fmt: skip
    """A roster entry as the import writes it: an owner bound to units with 入伙 and 入住状态."""
    owner = Owner(owner_id_for(phone, services.settings.phone_hash_key), name, phone, tuple(
        Binding(UnitRef(e, b, r, relationship), handover, occupancy)  # type: ignore[arg-type]
        for e, b, r in units))  # fmt: skip
    OwnerRepository(services.table, services.settings.phone_hash_key).save(owner)
    return owner


@pytest.fixture
def profiles(services: Services) -> ProfileService:
    return services.profiles


def test_a_units_profile_reads_the_roster_and_keeps_nothing_until_staff_change_it(
    profiles: ProfileService, services: Services, butler: Identity
) -> None:
    bind(services, "13800138000", "王芳", UNIT)
    bind(services, "13900139000", "李雷", UNIT, relationship="tenant", handover="",
         occupancy="")  # fmt: skip
    f = profiles.read(butler, *UNIT)
    assert sorted((r.name, r.relationship) for r in f.residents) == [("李雷", "tenant"), ("王芳", "owner")]
    assert (f.occupancy, f.handover_date, f.segment, f.profile.version) == (
        "moved_in", "2021-03-15", "general", 0)  # fmt: skip
    assert f.missing == ("segment", "move_in_date")
    assert services.profile_repo.of_estate("lanting") == {}


def test_staff_keep_the_profile_and_every_change_is_a_history_line_with_who_and_when(
    profiles: ProfileService, services: Services, butler: Identity
) -> None:
    bind(services, "13800138000", "王芳", UNIT)
    changes = ProfileChanges(segment="key", move_in_date="2021-05-01", defects=["客厅墙面空鼓", " "],
                             members=[Member("王小明", "child", "139 0013 9001")])  # fmt: skip
    f = profiles.update(butler, *UNIT, changes, version=0)
    assert f.complete and f.profile.version == 1
    assert f.profile.defects == ("客厅墙面空鼓",) and f.profile.members[0].phone == "13900139001"
    profiles.update(butler, *UNIT, ProfileChanges(segment="dissatisfied"), version=1)
    unchanged = profiles.update(butler, *UNIT, ProfileChanges(segment="dissatisfied"))
    assert unchanged.profile.version == 2  # nothing changed, nothing written
    newest, first = profiles.history(butler, *UNIT)
    assert (newest["actor"], newest["changes"]) == ("staff:li.butler", {"segment": ["key", "dissatisfied"]})
    assert first["at"] == "2026-11-22T02:00:00Z"
    assert first["changes"]["members"] == [[], ["王小明（child，139****9001）"]]
    with pytest.raises(Conflict) as stale:
        profiles.update(butler, *UNIT, ProfileChanges(segment="general"), version=1)
    assert stale.value.code == "profile_changed"


def test_phones_show_on_one_units_page_for_those_who_call_owners_and_are_masked_in_lists(
    profiles: ProfileService, services: Services, butler: Identity
) -> None:
    bind(services, "13800138000", "王芳", UNIT)
    profiles.update(butler, *UNIT, ProfileChanges(members=[Member("王小明", "child", "13900139001")]))
    assert profiles.read(butler, *UNIT).residents[0].phone == "13800138000"
    cleaner = staff_identity("chen", "cleaning")
    seen = profiles.read(cleaner, *UNIT)
    assert seen.residents[0].phone == "138****8000" and seen.profile.members[0].phone == "139****9001"
    [listed] = [f for f in profiles.of_estate(butler, "lanting", "2") if f.residents]
    assert (listed.residents[0].name, listed.residents[0].phone) == ("王芳", "138****8000")


def test_staff_read_and_keep_profiles_only_in_their_scope(
    profiles: ProfileService, services: Services
) -> None:
    building_1 = staff_identity("li", "butler", buildings={"lanting": frozenset({"1"})})
    with pytest.raises(Forbidden):
        profiles.read(building_1, *UNIT)
    with pytest.raises(Forbidden):
        profiles.update(staff_identity("chen", "cleaning"), *UNIT, COMPLETE)
    with pytest.raises(Forbidden):
        profiles.read(staff_identity("wu", "butler", estates=("meixi",)), *UNIT)
    with pytest.raises(Forbidden):
        profiles.read(owner_identity(), *UNIT)
    with pytest.raises(NotFound) as missing:
        profiles.read(staff_identity("li", "butler"), "lanting", "2", "9-9999")
    assert missing.value.code == "unknown_unit"
    assert {f.profile.building for f in profiles.of_estate(building_1, "lanting")} == {"1"}


@pytest.mark.parametrize(("changes", "code"), [
    (ProfileChanges(segment="vip"), "profile_segment_invalid"),
    (ProfileChanges(occupancy="sold"), "profile_occupancy_invalid"),
    (ProfileChanges(move_in_date="2021/5/1"), "profile_date_invalid"),
    (ProfileChanges(move_in_date="2021-02-30"), "profile_date_invalid"),
    (ProfileChanges(members=[Member(" ", "child")]), "profile_member_invalid"),
    (ProfileChanges(members=[Member("王小明", "nephew")]), "profile_member_invalid"),
    (ProfileChanges(members=[Member("王小明", "child", "12345")]), "invalid_phone"),
    (ProfileChanges(defects=["漏水"] * 51), "profile_too_many_defects"),
    (ProfileChanges(defects=["x" * 201]), "profile_defect_invalid"),
])  # fmt: skip
def test_a_bad_change_is_refused_with_a_stable_code(
    profiles: ProfileService, butler: Identity, changes: ProfileChanges, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        profiles.update(butler, *UNIT, changes)
    assert refused.value.code == code


@pytest.mark.parametrize(("changes", "code"), [
    (ProfileChanges(move_in_date="2027-01-01"), "profile_date_in_future"),
    (ProfileChanges(handover_date="2021-06-01", move_in_date="2021-05-01"),
     "profile_move_in_before_handover"),
])  # fmt: skip
def test_a_well_formed_change_that_today_or_the_stored_dates_rule_out_is_a_conflict(
    profiles: ProfileService, butler: Identity, changes: ProfileChanges, code: str
) -> None:
    with pytest.raises(Conflict) as refused:
        profiles.update(butler, *UNIT, changes)
    assert refused.value.code == code


def test_control_characters_are_dropped_from_names_and_defects(
    profiles: ProfileService, butler: Identity
) -> None:
    changes = ProfileChanges(members=[Member("王\x00小明", "child")], defects=["墙面\x07空鼓", "\x01"])
    f = profiles.update(butler, *UNIT, changes)
    assert [m.name for m in f.profile.members] == ["王小明"]
    assert f.profile.defects == ("墙面空鼓",)
    with pytest.raises(InvalidInput) as refused:
        profiles.update(butler, *UNIT, ProfileChanges(members=[Member("\x00 ", "child")]))
    assert refused.value.code == "profile_member_invalid"


def test_archive_completeness_counts_complete_profiles_over_the_estates_units_traceably(
    profiles: ProfileService, services: Services, ddb: Any
) -> None:
    manager = staff_identity("zhou", "project_manager", estates=("meixi",))
    bind(services, "13800138000", "王芳", ("meixi", "1", "1-101"), ("meixi", "1", "1-102"))
    bind(services, "13900139000", "李雷", ("meixi", "2", "1-101"), occupancy="not_decorated")
    profiles.update(manager, "meixi", "1", "1-101", COMPLETE)
    profiles.update(manager, "meixi", "2", "1-101", ProfileChanges(segment="general"))
    kpi = profiles.completeness(manager, "meixi")
    assert (kpi.complete, kpi.units) == (2, 256)
    assert kpi.complete + len(kpi.incomplete) == kpi.units and str(kpi.percent) == "0.78"
    gaps = {i.unit_id: i.missing for i in kpi.incomplete}
    assert gaps["meixi/1/1-102"] == ("segment", "move_in_date")
    assert gaps["meixi/3/1-101"] == ("owner", "occupancy", "segment", "handover_date")
    assert [r.field for r in REQUIRED] == ["owner", "occupancy", "segment", "handover_date",
                                           "move_in_date"]  # fmt: skip
    assert services.profiles.complete_profiles("meixi") == kpi
    with pytest.raises(Forbidden):
        profiles.completeness(staff_identity("chen", "cleaning", estates=("lanting",)), "meixi")
    assert "dissatisfied" in SEGMENT_NAMES


def test_a_butler_scoped_to_buildings_sees_the_completeness_of_those_buildings_only(
    profiles: ProfileService, services: Services, ddb: Any
) -> None:
    butler = staff_identity("wu", "butler", estates=("meixi",),
                            buildings={"meixi": frozenset({"2"})})  # fmt: skip
    kpi = profiles.completeness(butler, "meixi")
    units = [i.unit_id for i in kpi.incomplete] + list(kpi.complete_ids)
    assert units and all(u.startswith("meixi/2/") for u in units)
    assert kpi.units == len(units) < services.profiles.complete_profiles("meixi").units


def test_the_timeline_holds_every_contact_the_owner_saw_newest_first(
    profiles: ProfileService, services: Services, orders: WorkOrderService, owner: Identity,
    desk: Identity, clock: Any,
) -> None:
    from datetime import timedelta

    order = orders.submit(owner, repair())
    for action, note, details in (("acknowledge", "", None), ("note", "业主脾气急", None),
                                  ("dispatch", "", {"assignee": "陈师傅"}), ("resolve", "", None)):
        clock.now += timedelta(minutes=10)
        orders.act(desk, "lanting", order.number, action, note, details)
    clock.now += timedelta(hours=2)
    services.callbacks.answer_online(owner, "lanting", order.number,
                                     Answer({"overall": "satisfied"}, "师傅很专业"))  # fmt: skip
    contacts = profiles.timeline(desk, *UNIT)
    assert [(c.source, c.action) for c in contacts] == [
        ("callback", "result"), ("order", "callback"), ("order", "resolve"),
        ("order", "dispatch"), ("order", "acknowledge"), ("order", "submit"),
    ]  # fmt: skip
    result = contacts[0]
    assert (result.kind, result.note, result.details["method"]) == ("order", "师傅很专业", "online")
    assert all(c.note != "业主脾气急" for c in contacts)
