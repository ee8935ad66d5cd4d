"""The periodic callbacks (first month, monthly, not moved in, dissatisfied): planned per unit
and round, idempotent, due when the rules say; recorded like any callback."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from portal.accounts.identity import Identity, UnitRef
from portal.accounts.owners import Binding, Owner, OwnerRepository, owner_id_for
from portal.errors import Conflict
from portal.profiles.service import ProfileChanges
from portal.wiring import Services
from portal.workorders.callback_plan import CallbackPlanner
from portal.workorders.callbacks import Answer

TODAY = date(2026, 11, 22)


def bind(services: Services, phone: str, *units: tuple[str, str, str], relationship: str = "owner",
         handover: str = "2021-03-15", occupancy: str = "moved_in") -> Owner:  # fmt: skip
    owner = Owner(owner_id_for(phone, services.settings.phone_hash_key), "业主", phone, tuple(
        Binding(UnitRef(e, b, r, relationship), handover, occupancy)  # type: ignore[arg-type]
        for e, b, r in units))  # fmt: skip
    OwnerRepository(services.table, services.settings.phone_hash_key).save(owner)
    return owner


@pytest.fixture
def plan(services: Services) -> CallbackPlanner:
    return services.callback_plan


def kinds(services: Services, estate: str = "meixi") -> dict[str, str]:
    """Open callbacks of the estate: id → due_at."""
    return {c.callback_id: c.due_at for c in services.callback_repo.due_by(estate, "9999")}


def test_every_unit_with_residents_gets_one_monthly_callback_due_by_the_5th_of_next_month(
    plan: CallbackPlanner, services: Services, ddb: Any
) -> None:
    owner = bind(services, "13800138000", ("meixi", "1", "1-101"))
    bind(services, "13900139000", ("meixi", "1", "1-101"), relationship="family")
    bind(services, "13700137000", ("meixi", "2", "1-102"))
    report = plan.plan_periodic("meixi", TODAY)
    assert report.created == {"monthly": 2} and report.existing == 0
    assert kinds(services) == {
        "monthly.2026-11.1.1-101": "2026-12-05T16:00:00Z",  # the end of 5 December in Shanghai
        "monthly.2026-11.2.1-102": "2026-12-05T16:00:00Z",
    }
    callback = services.callback_repo.get("meixi", "monthly.2026-11.1.1-101")
    assert callback is not None and callback.owner_id == owner.owner_id  # the owner, not family


def test_planning_twice_creates_nothing_new_and_writes_nothing(
    plan: CallbackPlanner, services: Services, ddb: Any
) -> None:
    bind(services, "13800138000", ("meixi", "1", "1-101"), ("meixi", "1", "1-102"))
    assert plan.plan_periodic("meixi", TODAY).total == 2
    calls: list[str] = []
    ddb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    again = plan.plan_periodic("meixi", TODAY)
    assert (again.total, again.existing) == (0, 2)
    assert calls == ["Query", "Query", "BatchGetItem"]  # residents, profiles, which exist
    assert plan.plan_periodic("meixi", date(2026, 12, 1)).created == {"monthly": 2}


def test_units_not_moved_into_get_the_not_moved_in_callback_instead_of_the_monthly_one(
    plan: CallbackPlanner, services: Services
) -> None:
    bind(services, "13800138000", ("meixi", "1", "1-101"), occupancy="not_decorated")
    bind(services, "13700137000", ("meixi", "1", "1-102"), occupancy="decorated_not_moved_in")
    assert plan.plan_periodic("meixi", TODAY).created == {"not_moved_in": 2}
    assert set(kinds(services).values()) == {"2026-11-30T16:00:00Z"}  # by the month's end


def test_a_new_owner_is_called_back_once_when_their_first_month_is_full(
    plan: CallbackPlanner, services: Services, ddb: Any
) -> None:
    manager = Identity(kind="staff", user_id="zhou", roles=frozenset({"project_manager"}),
                       estates=frozenset({"meixi"}))  # fmt: skip
    bind(services, "13800138000", ("meixi", "1", "1-101"))
    services.profiles.update(manager, "meixi", "1", "1-101",
                             ProfileChanges(move_in_date="2026-10-20"))  # fmt: skip
    bind(services, "13700137000", ("meixi", "1", "1-102"), handover="2026-11-10")  # ten days ago
    assert plan.plan_periodic("meixi", TODAY).created == {"monthly": 2, "first_month": 1}
    assert kinds(services)["first_month.2026-10-20.1.1-101"] == "2026-11-26T16:00:00Z"
    assert plan.plan_periodic("meixi", date(2026, 11, 25)).total == 0
    assert plan.plan_periodic("meixi", date(2026, 12, 10)).created == {"monthly": 2,
                                                                      "first_month": 1}  # fmt: skip


def test_a_dissatisfied_owner_is_contacted_every_fortnight(
    plan: CallbackPlanner, services: Services
) -> None:
    manager = Identity(kind="staff", user_id="zhou", roles=frozenset({"project_manager"}),
                       estates=frozenset({"meixi"}))  # fmt: skip
    bind(services, "13800138000", ("meixi", "1", "1-101"))
    services.profiles.update(manager, "meixi", "1", "1-101", ProfileChanges(segment="dissatisfied"))
    assert plan.plan_periodic("meixi", TODAY).created == {"monthly": 1, "dissatisfied": 1}
    [fortnight] = [i for i in kinds(services) if i.startswith("dissatisfied.")]
    assert fortnight == "dissatisfied.2026-11-16.1.1-101"  # the fortnight from Monday 16 Nov
    assert kinds(services)[fortnight] == "2026-11-29T16:00:00Z"
    assert plan.plan_periodic("meixi", date(2026, 11, 29)).total == 0
    assert plan.plan_periodic("meixi", date(2026, 11, 30)).created == {"dissatisfied": 1}
    services.profiles.update(manager, "meixi", "1", "1-101", ProfileChanges(segment="general"))
    assert plan.plan_periodic("meixi", date(2026, 12, 14)).created == {"monthly": 1}


def test_a_periodic_callback_is_recorded_once_without_touching_any_order(
    plan: CallbackPlanner, services: Services
) -> None:
    bind(services, "13800138000", ("meixi", "1", "1-101"))
    plan.plan_periodic("meixi", TODAY)
    staff = Identity(kind="staff", user_id="qian", roles=frozenset({"front_desk"}),
                     estates=frozenset({"meixi"}))  # fmt: skip
    stale = services.callback_repo.get("meixi", "monthly.2026-11.1.1-101")
    assert stale is not None
    answer = Answer({"overall": "neutral", "attitude": "satisfied"}, "希望加强夜间巡逻")
    done = services.callbacks.record_result(staff, "meixi", stale.callback_id, answer)
    assert done.state == "done" and done.result is not None and done.result.score == 80
    fresh = services.callback_repo.get
    reads = iter([stale])
    services.callback_repo.get = lambda e, i: next(reads, None) or fresh(e, i)  # type: ignore[method-assign]
    with pytest.raises(Conflict) as twice:
        services.callbacks.record_result(staff, "meixi", stale.callback_id, answer)
    assert twice.value.code == "callback_already_recorded"
    assert services.plan_callbacks().total == 0  # the job over every estate: nothing new today
