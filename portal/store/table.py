"""The one table helper every repository uses.

It speaks Python values (through :mod:`portal.store.items`), takes keys from
:mod:`portal.store.keys`, named conditions from :mod:`portal.store.conditions`,
and raises the store's own errors (:mod:`portal.store.errors`). The whole
vocabulary:

==================  ===========================================================
``get``             one item by key (consistent by default)
``put``             put an item, optionally under a named condition
``put_new``         put an item that must not exist yet (``item_is_new``)
``update``          ``SET``/``ADD``/``REMOVE`` attributes under a named condition
``delete``          delete an item, optionally under a named condition
``query_all``       every item of a partition (or a sort-key prefix or range), paged
``batch_get``       many items by key, 100 per call, unprocessed keys retried
``batch_put``       many puts, 25 per call, unprocessed items retried
``transact``        up to 100 :class:`Put`/:class:`Update`/:class:`Delete`/:class:`Check`
==================  ===========================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, Unpack

from portal.store.conditions import ITEM_IS_NEW, Condition
from portal.store.errors import StoreUnavailable, translated
from portal.store.items import Item, decode_item, encode, encode_item
from portal.store.keys import Key
from portal.store.tables import Index

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit of items in one ``TransactWriteItems`` call."""
BATCH_GET_KEYS = 100
"""DynamoDB's limit of keys in one ``BatchGetItem`` call."""
BATCH_WRITE_ITEMS = 25
"""DynamoDB's limit of requests in one ``BatchWriteItem`` call."""
BATCH_ATTEMPTS = 8

Returns = Literal["NONE", "UPDATED_NEW", "ALL_NEW", "ALL_OLD", "UPDATED_OLD"]


class QueryOptions(TypedDict, total=False):
    """What narrows or orders a query (every one optional)."""

    prefix: str | None
    """Only items whose sort key starts with this."""
    until: str | None
    """Only items whose sort key is at most this (not with ``prefix``: one sort-key condition)."""
    between: tuple[str, str] | None
    """Only items whose sort key is between these two, both included (not with ``prefix``)."""
    index: Index | None
    """A global secondary index, queried by its own key attributes."""
    consistent: bool
    """Strongly consistent read (tables only; default ``False``)."""
    forward: bool
    """Ascending sort key (default ``True``)."""
    limit: int | None
    """Stop after this many items."""
    attributes: Sequence[str]
    """Only these attributes (default: all)."""


@dataclass(frozen=True)
class Put:
    item: Mapping[str, Any]
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    key: Key
    set: Mapping[str, Any] = field(default_factory=dict)
    add: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    condition: Condition | None = None
    set_if_missing: Mapping[str, Any] = field(default_factory=dict)
    """Attributes set only where the item has none yet (``if_not_exists``)."""


@dataclass(frozen=True)
class Delete:
    key: Key
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    key: Key
    condition: Condition


Operation = Put | Update | Delete | Check


def _with_condition(kwargs: dict[str, Any], condition: Condition | None) -> dict[str, Any]:
    if condition is None:
        return kwargs
    kwargs["ConditionExpression"] = condition.expression
    if condition.names:
        kwargs["ExpressionAttributeNames"] = {
            **kwargs.get("ExpressionAttributeNames", {}),
            **condition.names,
        }
    if condition.values:
        kwargs["ExpressionAttributeValues"] = {
            **kwargs.get("ExpressionAttributeValues", {}),
            **{k: encode(v) for k, v in condition.values.items()},
        }
    return kwargs


def _update_expression(op: Update) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    clauses: list[str] = []
    sets: list[str] = []
    for i, (attr, value) in enumerate(op.set.items()):
        names[f"#us{i}"], values[f":us{i}"] = attr, encode(value)
        sets.append(f"#us{i} = :us{i}")
    for i, (attr, value) in enumerate(op.set_if_missing.items()):
        names[f"#un{i}"], values[f":un{i}"] = attr, encode(value)
        sets.append(f"#un{i} = if_not_exists(#un{i}, :un{i})")
    if sets:
        clauses.append("SET " + ", ".join(sets))
    adds: list[str] = []
    for i, (attr, value) in enumerate(op.add.items()):
        names[f"#ua{i}"], values[f":ua{i}"] = attr, encode(value)
        adds.append(f"#ua{i} :ua{i}")
    if adds:
        clauses.append("ADD " + ", ".join(adds))
    removes: list[str] = []
    for i, attr in enumerate(op.remove):
        names[f"#ur{i}"] = attr
        removes.append(f"#ur{i}")
    if removes:
        clauses.append("REMOVE " + ", ".join(removes))
    if not clauses:
        raise ValueError("an update needs something to set, add or remove")
    kwargs: dict[str, Any] = {
        "UpdateExpression": " ".join(clauses),
        "ExpressionAttributeNames": names,
    }
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return kwargs


class Table:
    """One DynamoDB table, through an injected low-level client."""

    def __init__(
        self, client: Any, name: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client, self.name, self._sleep = client, name, sleep

    def __repr__(self) -> str:
        return f"Table({self.name!r})"

    # -- single items ---------------------------------------------------------------------

    def get(self, key: Key, *, consistent: bool = True) -> Item | None:
        with translated():
            got = self.client.get_item(
                TableName=self.name, Key=encode_item(key), ConsistentRead=consistent
            )
        raw = got.get("Item")
        return decode_item(raw) if raw else None

    def put(self, item: Mapping[str, Any], condition: Condition | None = None,
            *, return_failed_item: bool = False) -> None:  # fmt: skip
        kwargs = _with_condition({"TableName": self.name, "Item": encode_item(item)}, condition)
        if condition is not None and return_failed_item:
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with translated(condition.name if condition else ""):
            self.client.put_item(**kwargs)

    def put_new(self, item: Mapping[str, Any]) -> None:
        """Put an item whose key must be new (``ConditionFailed("item_is_new")`` otherwise)."""
        self.put(item, ITEM_IS_NEW)

    def update(
        self,
        key: Key,
        *,
        set: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        set_if_missing: Mapping[str, Any] | None = None,
        condition: Condition | None = None,
        returns: Returns = "NONE",
    ) -> Item:
        """Apply an update; the attributes asked for with ``returns`` (else ``{}``)."""
        op = Update(key, set or {}, add or {}, remove, condition, set_if_missing or {})
        kwargs = _with_condition(
            {"TableName": self.name, "Key": encode_item(key), **_update_expression(op)},
            condition,
        )
        if returns != "NONE":
            kwargs["ReturnValues"] = returns
        with translated(condition.name if condition else ""):
            got = self.client.update_item(**kwargs)
        return decode_item(got.get("Attributes") or {})

    def delete(self, key: Key, condition: Condition | None = None) -> None:
        kwargs = _with_condition({"TableName": self.name, "Key": encode_item(key)}, condition)
        with translated(condition.name if condition else ""):
            self.client.delete_item(**kwargs)

    # -- many items -----------------------------------------------------------------------

    def query_all(self, partition: str, **options: Unpack[QueryOptions]) -> list[Item]:
        """Every item of a partition (or those whose sort key starts with ``prefix``);
        see :class:`QueryOptions`."""
        return list(self.iter_query(partition, **options))

    def iter_query(self, partition: str, **options: Unpack[QueryOptions]) -> Iterator[Item]:
        """The items of :meth:`query_all`, one page at a time."""
        prefix, until, index = options.get("prefix"), options.get("until"), options.get("index")
        between = options.get("between")
        consistent, forward = options.get("consistent", False), options.get("forward", True)
        limit, attributes = options.get("limit"), options.get("attributes", ())
        hash_key, range_key = ("pk", "sk") if index is None else (index.hash_key, index.range_key)
        names = {"#qh": hash_key}
        values: dict[str, Any] = {":qh": encode(partition)}
        expression = "#qh = :qh"
        if prefix and until:
            raise ValueError("a query has one sort-key condition: prefix or until")
        if prefix or until:
            if range_key is None:
                raise ValueError(f"index {index} has no sort key to match a prefix or bound")
            names["#qr"], values[":qr"] = range_key, encode(prefix or until)
            expression += " AND begins_with(#qr, :qr)" if prefix else " AND #qr <= :qr"
        if between:
            if range_key is None or prefix or until:
                raise ValueError("between needs a sort key, and no prefix or upper bound")
            names["#qr"] = range_key
            values[":qa"], values[":qb"] = encode(between[0]), encode(between[1])
            expression += " AND #qr BETWEEN :qa AND :qb"
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": forward,
        }
        if index is not None:
            kwargs["IndexName"] = index.name
        elif consistent:
            kwargs["ConsistentRead"] = True
        if attributes:
            projected = {f"#qp{i}": a for i, a in enumerate(attributes)}
            kwargs["ExpressionAttributeNames"] = {**names, **projected}
            kwargs["ProjectionExpression"] = ", ".join(projected)
        if limit is not None:
            kwargs["Limit"] = limit
        left = limit
        while True:
            with translated():
                page = self.client.query(**kwargs)
            for raw in page.get("Items", []):
                yield decode_item(raw)
                if left is not None:
                    left -= 1
                    if left <= 0:
                        return
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_get(self, wanted: Sequence[Key], *, consistent: bool = True) -> list[Item]:
        """The items stored under ``wanted`` (missing ones are left out; order not kept)."""
        out: list[Item] = []
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self.name: {
                    "Keys": [encode_item(k) for k in wanted[start : start + BATCH_GET_KEYS]],
                    "ConsistentRead": consistent,
                }
            }
            for attempt in range(BATCH_ATTEMPTS):
                with translated():
                    page = self.client.batch_get_item(RequestItems=request)
                out += [decode_item(r) for r in page.get("Responses", {}).get(self.name, [])]
                request = page.get("UnprocessedKeys") or {}
                if not request:
                    break
                self._sleep(min(2.0, 0.05 * 2**attempt))  # throttled: back off
            else:
                raise StoreUnavailable("keys still unprocessed after retries")
        return out

    def batch_put(self, items: Sequence[Mapping[str, Any]]) -> int:
        """Put ``items`` unconditionally, 25 per call, retrying unprocessed ones; how many."""
        for start in range(0, len(items), BATCH_WRITE_ITEMS):
            chunk = items[start : start + BATCH_WRITE_ITEMS]
            request: dict[str, Any] = {
                self.name: [{"PutRequest": {"Item": encode_item(i)}} for i in chunk]
            }
            for attempt in range(BATCH_ATTEMPTS):
                with translated():
                    response = self.client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or {}
                if not request:
                    break
                self._sleep(min(2.0, 0.05 * 2**attempt))
            else:
                left = sum(len(v) for v in request.values())
                raise StoreUnavailable(f"{left} items still unprocessed after retries")
        return len(items)

    def transact(self, operations: Sequence[Operation], token: str | None = None) -> None:
        """Write all of ``operations`` or none (``TransactionCancelled`` names what failed).

        ``token`` is DynamoDB's ``ClientRequestToken``: the same token within
        10 minutes makes a retried transaction idempotent.
        """
        if not 1 <= len(operations) <= MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction has 1..{MAX_TRANSACTION_ITEMS} operations")
        items = [self._transact_item(op) for op in operations]
        names = [op.condition.name if op.condition else "" for op in operations]
        kwargs: dict[str, Any] = {"TransactItems": items}
        if token:
            kwargs["ClientRequestToken"] = token
        with translated(conditions=names):
            self.client.transact_write_items(**kwargs)

    def _transact_item(self, op: Operation) -> dict[str, Any]:
        base: dict[str, Any] = {"TableName": self.name}
        if isinstance(op, Put):
            return {"Put": _with_condition({**base, "Item": encode_item(op.item)}, op.condition)}
        if isinstance(op, Update):
            body = {**base, "Key": encode_item(op.key), **_update_expression(op)}
            return {"Update": _with_condition(body, op.condition)}
        if isinstance(op, Delete):
            return {"Delete": _with_condition({**base, "Key": encode_item(op.key)}, op.condition)}
        return {
            "ConditionCheck": _with_condition({**base, "Key": encode_item(op.key)}, op.condition)
        }
