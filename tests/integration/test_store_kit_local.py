"""The store kit where moto is looser than DynamoDB: tested on DynamoDB Local."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from portal.estates.directory import EstateDirectory
from portal.settings import Settings
from portal.store import keys
from portal.store.conditions import ITEM_IS_NEW, condition
from portal.store.errors import ConditionFailed, StoreError, StoreUnavailable, TransactionCancelled
from portal.store.table import Put, Table, Update
from tests.factories import FakeClock, wired


@pytest.fixture
def table(ddb: Any, settings: Settings) -> Table:
    return Table(ddb, settings.table_name("main"))


def test_a_refused_write_can_return_the_stored_item(table: Table) -> None:
    table.put({**keys.staff("wang"), "version": 3, "name": "王"})
    stale = condition("unchanged_since_read", "#v = :v", names={"#v": "version"}, v=2)
    with pytest.raises(ConditionFailed) as err:
        table.put({**keys.staff("wang"), "version": 3, "name": "李"}, stale, return_failed_item=True)
    assert err.value.condition == "unchanged_since_read"
    assert err.value.item == {**keys.staff("wang"), "version": 3, "name": "王"}


def test_a_retried_transaction_with_the_same_token_is_applied_once(table: Table) -> None:
    ops = [Update(keys.staff("count"), add={"n": 1})]
    token = "roster-import-0001"
    table.transact(ops, token=token)
    table.transact(ops, token=token)  # a retry after a lost answer: DynamoDB applies it once
    assert table.get(keys.staff("count")) == {**keys.staff("count"), "n": 1}


def test_a_cancelled_transaction_names_its_failed_condition(table: Table) -> None:
    table.put({**keys.staff("a")})
    with pytest.raises(TransactionCancelled) as err:
        table.transact([Put({**keys.staff("a")}, ITEM_IS_NEW), Put({**keys.staff("b")})])
    assert err.value.failed == {ITEM_IS_NEW.name}
    assert table.get(keys.staff("b")) is None


def test_numbers_are_exact_on_dynamodb_local(table: Table) -> None:
    item = {**keys.staff("n"), "fen": 12_345_678_901_234, "area": Decimal("89.55")}
    table.put(item)
    assert table.get(keys.staff("n")) == item


def test_a_missing_table_is_unavailable_and_a_bad_expression_is_a_store_error(
    ddb: Any, table: Table
) -> None:
    with pytest.raises(StoreUnavailable):
        Table(ddb, "portal-nowhere-main").get(keys.staff("x"))
    with pytest.raises(StoreError):
        table.update(keys.staff("x"), set={"n": 1}, condition=condition("bad", "n <<< :x", x=1))


def test_the_estate_directory_reads_what_portal_seed_wrote(ddb: Any, settings: Settings) -> None:
    from portal.localdev.demo import seed_demo
    from tests.integration.conftest import DATA

    services = wired(ddb, settings, with_estates=False)
    seed_demo(services, DATA)
    company = EstateDirectory(services.table, FakeClock()).company()
    assert {e.slug for e in company.estates} == {"alpha", "beta"}
    assert all(e.buildings and e.unit_count > 0 for e in company.estates)
