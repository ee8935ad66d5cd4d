"""The work-order service on moto: who may submit and see what, numbers, first-ask
responsibility, concurrent changes, and the DynamoDB round trips of each step."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts.identity import Identity
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.wiring import Services
from portal.workorders.model import Location
from portal.workorders.service import NewOrder, WorkOrderService
from tests.factories import FakeClock, make_staff
from tests.support.workorders import UNIT, owner_identity, repair, staff_identity


class RoundTrips:
    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def count(self) -> int:
        n, self.calls = len(self.calls), []
        return n


def test_an_owner_submits_a_repair_for_their_unit_and_gets_a_number_of_the_day(
    orders: WorkOrderService, owner: Identity, clock: FakeClock
) -> None:
    first = orders.submit(owner, repair())
    second = orders.submit(owner, repair("卫生间灯不亮"))
    assert re.fullmatch(r"BX-20261122-0001", first.number)  # 02:00 UTC is 10:00 in Shanghai
    assert second.number == "BX-20261122-0002"
    assert (first.state, first.channel, first.owner_id) == ("submitted", "online", owner.user_id)
    clock.now += timedelta(hours=14)  # past midnight in Shanghai: a new day, a new sequence
    assert orders.submit(owner, repair()).number == "BX-20261123-0001"


def test_an_owner_cannot_submit_for_a_unit_that_is_not_theirs(
    orders: WorkOrderService, owner: Identity
) -> None:
    with pytest.raises(Forbidden):
        orders.submit(owner, repair(unit=("lanting", "3", "1-0101")))
    with pytest.raises(Forbidden):
        orders.submit(owner, repair(unit=("meixi", "public", "")))
    public = NewOrder(kind="complaint", location=Location("lanting", "public", "", "3栋电梯厅"),
                      description="电梯厅晚上灯一直不亮")  # fmt: skip
    assert orders.submit(owner, public).location.place == "3栋电梯厅"


@pytest.mark.parametrize(("change", "code"), [
    ({"kind": "leak"}, "order_kind_invalid"),
    ({"description": "  "}, "order_description_missing"),
    ({"description": "x" * 1001}, "order_description_invalid"),
    ({"category": "roof"}, "order_category_invalid"),
    ({"urgency": "asap"}, "order_urgency_invalid"),
    ({"photos": tuple(f"p{i}" for i in range(7))}, "order_too_many_photos"),
])  # fmt: skip
def test_a_bad_order_is_refused_with_a_stable_code(
    orders: WorkOrderService, owner: Identity, change: dict[str, Any], code: str
) -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInput) as err:
        orders.submit(owner, replace(repair(), **change))
    assert err.value.code == code


def test_staff_record_an_order_taken_by_phone_with_its_channel(
    orders: WorkOrderService, desk: Identity
) -> None:
    from dataclasses import replace

    order = orders.submit(desk, replace(repair(), channel="walk_in"))
    assert (order.channel, order.created_by) == ("walk_in", "staff:zhao.desk")
    assert orders.submit(desk, replace(repair(), channel="online")).channel == "phone"


def test_control_characters_are_dropped_and_only_repairs_are_urgent_or_have_a_category(
    orders: WorkOrderService, owner: Identity
) -> None:
    from dataclasses import replace

    order = orders.submit(owner, replace(repair("漏水\x00\x1b 了\n楼下也有"), category=""))
    assert (order.description, order.category) == ("漏水 了\n楼下也有", "other")
    praise = orders.submit(owner, NewOrder(kind="praise", location=Location(*UNIT),
                                           description="保安小李很热心", urgency="emergency",
                                           category="plumbing"))  # fmt: skip
    assert (praise.urgency, praise.category) == ("normal", "")


def test_staff_cannot_file_an_order_for_a_unit_the_estate_does_not_have(
    orders: WorkOrderService, desk: Identity
) -> None:
    with pytest.raises(NotFound) as err:
        orders.submit(desk, repair(unit=("lanting", "2", "9-9999")))
    assert err.value.code == "unknown_unit"


def test_whoever_acknowledges_first_owns_the_order_until_they_hand_it_on(
    orders: WorkOrderService, owner: Identity, butler: Identity, desk: Identity,
    services: Services,
) -> None:
    order = orders.submit(owner, repair())
    orders.act(desk, "lanting", order.number, "acknowledge")
    after = orders.act(desk, "lanting", order.number, "hand_over", "交给楼栋管家跟进",
                       {"to": "li.butler"})  # fmt: skip
    assert after.responsible == "li.butler"
    assert [(h.to, h.by) for h in after.chain] == [("zhao.desk", "zhao.desk"),
                                                   ("li.butler", "zhao.desk")]  # fmt: skip
    assert services.work_order_repo.queue_of("li.butler") == [("lanting", order.number)]
    assert services.work_order_repo.queue_of("zhao.desk") == []


def test_an_order_cannot_be_handed_to_someone_outside_the_estate(
    orders: WorkOrderService, owner: Identity, desk: Identity, services: Services, ddb: Any
) -> None:
    make_staff(ddb, services.settings, "wu.meixi", "butler", estates=("meixi",))
    order = orders.submit(owner, repair())
    orders.act(desk, "lanting", order.number, "acknowledge")
    for to in ("wu.meixi", "nobody"):
        with pytest.raises(NotFound):
            orders.act(desk, "lanting", order.number, "hand_over", "", {"to": to})
    with pytest.raises(Conflict):
        orders.act(desk, "lanting", order.number, "hand_over", "", {"to": "zhao.desk"})


def test_two_staff_acknowledging_at_once_give_one_owner_and_one_clean_refusal(
    orders: WorkOrderService, owner: Identity, butler: Identity, desk: Identity,
    services: Services,
) -> None:
    order = orders.submit(owner, repair())
    stale = services.work_order_repo.get  # both read version 1 before either writes
    read = stale("lanting", order.number)
    services.work_order_repo.get = lambda e, n: read  # type: ignore[method-assign]
    orders.act(desk, "lanting", order.number, "acknowledge")
    with pytest.raises(Conflict) as refused:
        orders.act(butler, "lanting", order.number, "acknowledge")
    assert refused.value.code == "order_changed"
    services.work_order_repo.get = stale  # type: ignore[method-assign]
    assert stale("lanting", order.number).responsible == "zhao.desk"  # type: ignore[union-attr]


def test_owners_see_their_units_orders_only_and_never_internal_notes(
    orders: WorkOrderService, owner: Identity, desk: Identity
) -> None:
    order = orders.submit(owner, repair())
    orders.act(desk, "lanting", order.number, "acknowledge")
    orders.act(desk, "lanting", order.number, "note", "业主情绪较大，注意沟通")
    _, seen = orders.read(owner, "lanting", order.number)
    assert [e.action for e in seen] == ["submit", "acknowledge"]
    _, staff_seen = orders.read(desk, "lanting", order.number)
    assert staff_seen[-1].internal and staff_seen[-1].note == "业主情绪较大，注意沟通"
    family = owner_identity("f" * 32)  # another resident of the same unit
    assert orders.read(family, "lanting", order.number)[0].number == order.number
    stranger = owner_identity("s" * 32, ("lanting", "3", "1-0101"))
    with pytest.raises(NotFound):
        orders.read(stranger, "lanting", order.number)
    with pytest.raises(NotFound):
        orders.read(staff_identity("wu", "butler", estates=("meixi",)), "lanting", order.number)
    assert [o.number for o in orders.of_owner(owner)] == [order.number]


def test_a_butler_scoped_to_buildings_sees_only_those_buildings_orders(
    orders: WorkOrderService, owner: Identity
) -> None:
    order = orders.submit(owner, repair())
    building_1 = staff_identity("li", "butler", buildings={"lanting": frozenset({"1"})})
    with pytest.raises(NotFound):
        orders.read(building_1, "lanting", order.number)
    with pytest.raises(NotFound):
        orders.act(building_1, "lanting", order.number, "acknowledge")


def test_each_step_is_at_most_two_dynamodb_round_trips(
    orders: WorkOrderService, owner: Identity, desk: Identity, ddb: Any
) -> None:
    trips = RoundTrips(ddb)
    order = orders.submit(owner, repair())
    assert trips.count() <= 2
    for action, details in (("acknowledge", None), ("dispatch", {"assignee": "陈师傅"}),
                            ("arrive", None), ("resolve", None)):  # fmt: skip
        orders.act(desk, "lanting", order.number, action, "", details)
        assert trips.count() <= 2, action


def test_a_sign_off_needs_a_rating_from_one_to_five(
    orders: WorkOrderService, owner: Identity, desk: Identity
) -> None:
    order = orders.submit(owner, repair())
    for action, details in (("acknowledge", None), ("dispatch", {"assignee": "陈师傅"}),
                            ("resolve", None)):  # fmt: skip
        orders.act(desk, "lanting", order.number, action, "", details)
    for rating in (0, 6, "5"):
        with pytest.raises(InvalidInput):
            orders.act(owner, "lanting", order.number, "sign_off", "", {"rating": rating})
    done = orders.act(owner, "lanting", order.number, "sign_off", "师傅很专业", {"rating": 5})
    assert (done.state, done.rating) == ("signed_off", 5)


def test_a_sibling_services_operations_join_the_move_and_win_over_a_hooks_on_the_same_item(
    services: Services, owner: Identity, desk: Identity
) -> None:
    from portal.store import service_keys
    from portal.store.table import Put
    from portal.workorders.numbers import OrderNumbers

    def hook(before: Any, after: Any, event: Any) -> list[Any]:
        return [Put({**service_keys.staff_queue_entry("hooked", "lanting", after.number), "by": "hook"})]

    orders = WorkOrderService(services.work_order_repo, OrderNumbers(services.table), services.clock,
                              "Asia/Shanghai", lambda u, e: True, hooks=[hook])  # fmt: skip
    order = orders.submit(owner, repair())
    mine = Put({**service_keys.staff_queue_entry("hooked", "lanting", order.number), "by": "sibling"})
    orders.act(desk, "lanting", order.number, "acknowledge", joined=[mine],
               recorded={"callback": "order.x.0"})  # fmt: skip
    stored = services.table.get(service_keys.staff_queue_entry("hooked", "lanting", order.number))
    assert stored is not None and stored["by"] == "sibling"
    _, history = orders.read(desk, "lanting", order.number)
    assert history[-1].details == {"callback": "order.x.0"}
