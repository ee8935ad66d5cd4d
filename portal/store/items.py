"""The one item codec: Python values ↔ DynamoDB attribute values.

Every repository reads and writes plain Python mappings; only this module
knows DynamoDB's typed wire format (``{"S": "..."}``, ``{"N": "12"}``...).

=====================================  ============  ======================================
Python                                 DynamoDB      back to Python
=====================================  ============  ======================================
``str``                                ``S``         ``str``
``bool``                               ``BOOL``      ``bool``
``int``                                ``N``         ``int`` (exact, any size)
``Decimal``                            ``N``         ``int`` if whole, else ``Decimal``
``bytes``                              ``B``         ``bytes``
``None``                               ``NULL``      ``None``
``set``/``frozenset`` of ``str``       ``SS``        ``frozenset[str]``
``set``/``frozenset`` of numbers       ``NS``        ``frozenset`` of ``int``/``Decimal``
``list``/``tuple``                     ``L``         ``list``
mapping with ``str`` keys              ``M``         ``dict``
=====================================  ============  ======================================

``float`` is refused (:class:`TypeError`): money is integer fen and areas are
``Decimal``, so a binary fraction never reaches the table. DynamoDB cannot
store an empty set: at the top level of an item such an attribute is left out
(and reads back as missing); inside a list or map it is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]
"""One value in DynamoDB's wire format (``{"S": "x"}``)."""
RawItem = dict[str, AttributeValue]
"""An item in DynamoDB's wire format."""
Item = dict[str, Any]
"""An item as the code sees it: attribute name → Python value."""


def encode(value: Any) -> AttributeValue:
    """The attribute value of one Python value (see the module's table)."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"DynamoDB numbers must be finite, not {value}")
        return {"N": format(value, "f") if value == value.to_integral_value() else str(value)}
    if isinstance(value, float):
        raise TypeError("floats are not stored: use int (fen) or Decimal")
    if value is None:
        return {"NULL": True}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, set | frozenset):
        if not value:
            raise TypeError("DynamoDB cannot store an empty set here")
        if all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
            return {"NS": sorted(encode(v)["N"] for v in value)}
        raise TypeError("a set must hold only strings or only numbers")
    if isinstance(value, list | tuple):
        return {"L": [encode(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {_name(k): encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def decode(attribute: AttributeValue) -> Any:
    """The Python value of one attribute value."""
    (kind, raw), *rest = attribute.items()
    if rest:
        raise ValueError(f"not one attribute value: {sorted(attribute)}")
    if kind == "S":
        return str(raw)
    if kind == "N":
        return _number(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(raw)
    if kind == "SS":
        return frozenset(str(v) for v in raw)
    if kind == "NS":
        return frozenset(_number(v) for v in raw)
    if kind == "BS":
        return frozenset(bytes(v) for v in raw)
    if kind == "L":
        return [decode(v) for v in raw]
    if kind == "M":
        return {k: decode(v) for k, v in raw.items()}
    raise ValueError(f"unknown attribute type {kind!r}")


def encode_item(item: Mapping[str, Any]) -> RawItem:
    """An item for DynamoDB; attributes holding an empty set are left out."""
    return {
        _name(k): encode(v)
        for k, v in item.items()
        if not (isinstance(v, set | frozenset) and not v)
    }


def decode_item(raw: Mapping[str, AttributeValue]) -> Item:
    return {k: decode(v) for k, v in raw.items()}


def _number(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


def _name(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"attribute names are strings, not {type(key).__name__}")
    return key


# -- typed readers of decoded items (missing or mistyped → the empty value) ---------------


def text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ""


def whole(item: Mapping[str, Any], name: str, default: int = 0) -> int:
    value = item.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def flag(item: Mapping[str, Any], name: str) -> bool:
    return item.get(name) is True


def strings(item: Mapping[str, Any], name: str) -> frozenset[str]:
    value = item.get(name)
    if isinstance(value, frozenset | set | list | tuple):
        return frozenset(str(v) for v in value)
    return frozenset()
