"""The store kit: one codec, one table helper, named conditions, the store's own errors (moto)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from portal.store import keys
from portal.store.conditions import ITEM_IS_NEW, condition
from portal.store.errors import (
    ConditionFailed,
    StoreError,
    StoreUnavailable,
    Throttled,
    TransactionCancelled,
    translate,
)
from portal.store.items import decode, decode_item, encode, encode_item
from portal.store.table import Check, Delete, Put, Table, Update
from portal.store.tables import GSI1

# --------------------------------------------------------------------------- the codec


@pytest.mark.parametrize(
    "value",
    [
        "兰亭苑 3栋",
        "",
        0,
        -7,
        2**70,  # beyond a float's exact range: stays exact
        Decimal("89.5"),
        Decimal("0.01"),
        True,
        False,
        None,
        b"\x00\xff",
        frozenset({"front_desk", "butler"}),
        frozenset({1, 2, 3}),
        [1, "two", [Decimal("3.5")], {"four": None}],
        {"lanting": {"buildings": frozenset({"1", "2"})}, "fen": 12345},
    ],
)
def test_every_python_value_survives_the_round_trip_exactly(value: Any) -> None:
    assert decode(encode(value)) == value


def test_numbers_come_back_as_int_when_whole_and_decimal_otherwise() -> None:
    assert decode({"N": "12"}) == 12 and isinstance(decode({"N": "12"}), int)
    assert decode({"N": "12.50"}) == Decimal("12.5")
    assert encode(Decimal("100")) == {"N": "100"}
    assert encode(12345678901234567890) == {"N": "12345678901234567890"}


def test_floats_are_refused_so_no_binary_fraction_reaches_money() -> None:
    with pytest.raises(TypeError, match="floats are not stored"):
        encode(0.1)
    with pytest.raises(TypeError):
        encode_item({"amount": 12.3})


def test_an_empty_set_is_left_out_of_an_item_and_refused_inside_a_value() -> None:
    assert encode_item({"pk": "A", "roles": frozenset()}) == {"pk": {"S": "A"}}
    with pytest.raises(TypeError):
        encode([frozenset()])


def test_mixed_sets_and_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        encode({"a", 1})
    with pytest.raises(TypeError):
        encode(object())


def test_decode_item_reads_every_attribute() -> None:
    raw = {"pk": {"S": "P"}, "n": {"N": "3"}, "ss": {"SS": ["b", "a"]}, "m": {"M": {"x": {"BOOL": True}}}}
    assert decode_item(raw) == {"pk": "P", "n": 3, "ss": frozenset({"a", "b"}), "m": {"x": True}}


# --------------------------------------------------------------------------- the table helper


@pytest.fixture
def table(ddb: Any, settings: Any) -> Table:
    return Table(ddb, settings.table_name("main"))


def test_put_new_refuses_an_existing_key_naming_the_condition(table: Table) -> None:
    item = {**keys.staff("wang"), "name": "王"}
    table.put_new(item)
    with pytest.raises(ConditionFailed) as err:
        table.put_new({**item, "name": "李"})
    assert err.value.condition == ITEM_IS_NEW.name
    assert table.get(keys.staff("wang")) == item


def test_update_sets_adds_and_removes_and_returns_what_it_was_asked_for(table: Table) -> None:
    key = keys.staff("li")
    table.put({**key, "hits": 1, "note": "x"})
    new = table.update(key, set={"name": "李"}, add={"hits": 2}, remove=("note",),
                       set_if_missing={"first": "a"}, returns="ALL_NEW")  # fmt: skip
    assert new == {**key, "hits": 3, "name": "李", "first": "a"}
    again = table.update(key, set_if_missing={"first": "b"}, returns="ALL_NEW")
    assert again["first"] == "a"  # if_not_exists keeps the first value


def test_a_named_condition_with_values_guards_an_update(table: Table) -> None:
    key = keys.staff("zhao")
    table.put({**key, "version": 2})
    stale = condition("unchanged_since_read", "#v = :v", names={"#v": "version"}, v=1)
    with pytest.raises(ConditionFailed) as err:
        table.update(key, set={"name": "赵"}, condition=stale)
    assert err.value.condition == "unchanged_since_read"
    fresh = condition("unchanged_since_read", "#v = :v", names={"#v": "version"}, v=2)
    table.update(key, set={"name": "赵"}, condition=fresh)
    assert table.get(key) == {**key, "version": 2, "name": "赵"}


class PagedClient:
    """A stand-in client that answers a query in pages of two items."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items, self.calls = items, []  # type: list[dict[str, Any]]

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        start = int(kwargs.get("ExclusiveStartKey", {}).get("i", {}).get("N", "0"))
        page = self.items[start : start + 2]
        out: dict[str, Any] = {"Items": [encode_item(i) for i in page]}
        if start + 2 < len(self.items):
            out["LastEvaluatedKey"] = {"i": {"N": str(start + 2)}}
        return out


def test_query_all_follows_every_page() -> None:
    client = PagedClient([{**keys.unit("e", "1", f"1-{i:04d}")} for i in range(5)])
    units = Table(client, "t").query_all(keys.estate_partition("e"), prefix=keys.units_prefix("1"))
    assert [u["sk"] for u in units] == [f"UNIT#1#1-{i:04d}" for i in range(5)]
    assert len(client.calls) == 3
    assert client.calls[0]["KeyConditionExpression"] == "#qh = :qh AND begins_with(#qr, :qr)"
    assert client.calls[0]["ExpressionAttributeValues"][":qr"] == {"S": "UNIT#1#"}


def test_query_all_matches_a_sort_key_prefix_on_moto(table: Table) -> None:
    table.batch_put([{**keys.unit("e", b, "1-0101")} for b in ("1", "2", "10")])
    table.put({**keys.building("e", "1")})
    units = table.query_all(keys.estate_partition("e"), prefix=keys.units_prefix("1"))
    assert [u["sk"] for u in units] == ["UNIT#1#1-0101"]


def test_query_all_bounds_the_sort_key_from_above_with_until(table: Table) -> None:
    for i in range(5):
        table.put({**keys.session(f"h{i}"), **keys.user_session_index("staff", "wang", f"2026-11-2{i}")})
    got = table.query_all(keys.user_sessions("staff", "wang"), index=GSI1, until="2026-11-22")
    assert [g["gsi1sk"] for g in got] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    with pytest.raises(ValueError):
        table.query_all(keys.user_sessions("staff", "wang"), index=GSI1, until="2", prefix="1")


def test_query_all_reads_the_index_newest_first_with_a_limit(table: Table) -> None:
    for i in range(5):
        table.put({**keys.session(f"h{i}"), **keys.user_session_index("staff", "wang", f"2026-11-2{i}")})
    got = table.query_all(keys.user_sessions("staff", "wang"), index=GSI1, forward=False, limit=2)
    assert [g["gsi1sk"] for g in got] == ["2026-11-24", "2026-11-23"]


def test_query_all_reads_a_sort_key_range_both_ends_included(table: Table) -> None:
    for day in ("2026-10-31", "2026-11-01", "2026-11-15", "2026-11-30", "2026-12-01"):
        table.put({**keys.session(day), **keys.user_session_index("staff", "wang", day)})
    got = table.query_all(keys.user_sessions("staff", "wang"), index=GSI1,
                          between=("2026-11-01", "2026-11-30"))  # fmt: skip
    assert [g["gsi1sk"] for g in got] == ["2026-11-01", "2026-11-15", "2026-11-30"]
    with pytest.raises(ValueError):
        table.query_all("p", prefix="a", between=("a", "b"))


def test_batch_get_returns_the_stored_items_among_the_keys_asked_for(table: Table) -> None:
    table.batch_put([{**keys.staff(f"u{i}"), "i": i} for i in range(150)])
    got = table.batch_get([keys.staff(f"u{i}") for i in range(0, 160, 2)])
    assert sorted(g["i"] for g in got) == list(range(0, 150, 2))


def test_a_transaction_writes_all_or_nothing_and_names_the_failed_condition(table: Table) -> None:
    table.put({**keys.staff("a"), "n": 1})
    only_if_two = condition("n_is_two", "n = :two", two=2)
    with pytest.raises(TransactionCancelled) as err:
        table.transact(
            [
                Put({**keys.staff("b"), "n": 1}, ITEM_IS_NEW),
                Update(keys.staff("a"), add={"n": 1}, condition=only_if_two),
                Check(keys.staff("c"), condition("c_exists", "attribute_exists(pk)")),
            ]
        )
    assert err.value.failed == {"n_is_two", "c_exists"}
    assert table.get(keys.staff("b")) is None and table.get(keys.staff("a")) == {**keys.staff("a"), "n": 1}
    table.transact([Put({**keys.staff("b"), "n": 1}, ITEM_IS_NEW), Delete(keys.staff("a"))])
    assert table.get(keys.staff("a")) is None and table.get(keys.staff("b")) is not None


def test_a_transaction_needs_one_to_a_hundred_operations(table: Table) -> None:
    with pytest.raises(ValueError):
        table.transact([])
    with pytest.raises(ValueError):
        table.transact([Delete(keys.staff(str(i))) for i in range(101)])


# --------------------------------------------------------------------------- the errors


def _client_error(code: str, status: int = 400, **extra: Any) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}, **extra},
        "Op",
    )


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (_client_error("ThrottlingException"), Throttled),
        (_client_error("ProvisionedThroughputExceededException"), Throttled),
        (_client_error("InternalServerError", 500), StoreUnavailable),
        (_client_error("ResourceNotFoundException"), StoreUnavailable),
        (_client_error("SomethingElse", 503), StoreUnavailable),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), StoreUnavailable),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), StoreUnavailable),
        (_client_error("ValidationException"), StoreError),
    ],
)
def test_aws_errors_become_the_store_s_own(raised: Exception, expected: type) -> None:
    translated = translate(raised)
    assert type(translated) is expected


def test_a_refused_condition_carries_the_stored_item_when_dynamodb_returns_it() -> None:
    exc = translate(
        _client_error("ConditionalCheckFailedException", Item={"pk": {"S": "P"}, "n": {"N": "2"}}),
        "still_two",
    )
    assert isinstance(exc, ConditionFailed)
    assert exc.condition == "still_two" and exc.item == {"pk": "P", "n": 2}


def test_a_cancelled_transaction_maps_each_reason_to_its_condition_name() -> None:
    exc = translate(
        _client_error(
            "TransactionCanceledException",
            CancellationReasons=[{"Code": "None"}, {"Code": "ConditionalCheckFailed"}, {"Code": "TransactionConflict"}],
        ),
        conditions=["", "sends_below_limit", "item_is_new"],
    )
    assert isinstance(exc, TransactionCancelled)
    assert exc.failed == {"sends_below_limit"} and exc.conflict
