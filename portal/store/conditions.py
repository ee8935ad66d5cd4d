"""Conditions of conditional writes, each with a name.

A write that must only happen in a certain state says so with a
:class:`Condition`; the name travels with it, so when DynamoDB refuses the
write the caller learns *which* rule did not hold
(:class:`portal.store.errors.ConditionFailed` ``.condition``,
:class:`~portal.store.errors.TransactionCancelled` ``.failed``).

Conditions shared by many repositories are defined here; a repository defines
its own next to the write that uses it, with :func:`condition`. Placeholders
(``:x``, ``#x``) are the condition's own; the table helper's generated
placeholders start with ``:u``/``#u``, so the two never clash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    name: str
    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    """``ExpressionAttributeNames`` the expression uses."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """``ExpressionAttributeValues`` the expression uses, as Python values."""


def condition(name: str, expression: str, /, names: Mapping[str, str] | None = None,
              **values: Any) -> Condition:  # fmt: skip
    """A named condition; ``values`` are given without their colon (``limit=5`` → ``:limit``)."""
    return Condition(name, expression, dict(names or {}), {f":{k}": v for k, v in values.items()})


ITEM_IS_NEW = Condition("item_is_new", "attribute_not_exists(pk)")
"""Nothing is stored under this key yet (create, never overwrite)."""
