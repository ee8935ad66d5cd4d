"""moto's answers, serialised with the attribute-name lookups it repeats remembered (tests only).

moto 5.2 serialises every answer by walking the API's shapes, and for each member of each
item it asks six alias providers under which names to look the value up
(``XFormedAttributePicker.get_possible_keys``): about a seventh of the identity matrix's
time went there. For a plain ``dict``, which is what moto's DynamoDB hands its serialiser,
the names depend only on the member's name, its shape and the providers (a dict has no
``Meta``, and its class name is always ``dict``), so they are computed once per
(providers, name, shape) and the same names are tried in the same order. Any other object
goes through moto's own code unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.core import serialize

_Key = tuple[tuple[type, ...], str, int]
_CACHE: dict[_Key, tuple[object, tuple[str, ...]]] = {}
_LIMIT = 50_000
_installed = False


def install() -> None:
    """Patch moto's picker (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    picker = serialize.XFormedAttributePicker
    original = picker.get_possible_keys

    def get_possible_keys(self: Any, context: Any) -> Iterator[str]:
        if type(context.obj) is not dict:
            return original(self, context)
        shape = context.shape
        key = (tuple(self.alias_providers), context.key, id(shape))
        hit = _CACHE.get(key)
        if hit is None or hit[0] is not shape:  # the shape object itself is kept: no id reuse
            if len(_CACHE) >= _LIMIT:
                _CACHE.clear()
            hit = (shape, tuple(original(self, context)))
            _CACHE[key] = hit
        return iter(hit[1])

    picker.get_possible_keys = get_possible_keys  # type: ignore[method-assign,assignment]
