"""Flat front matter read without the YAML parser: what almost every notice's is.

A notice's front matter is a few ``key: value`` lines: a plain or double-quoted string, a
time (kept as text, as :mod:`portal.sourcefile` does), or a flow list of such strings
(``estates: [lanting]``, ``buildings: ["1", "2"]``). Reading 2,000 of them through
PyYAML's constructor cost a clean site build more than half of its parsing.

:func:`read` reads exactly that shape and gives exactly what
:func:`portal.sourcefile.load_yaml` gives for it (the same values, the same line numbers);
for anything else (a comment, a blank line, a block list, a folded string, an escape, a
value YAML would read as a number, a truth value or nothing, a duplicated key...) it
gives None and the caller parses the YAML, with its errors and their lines. A unit test
holds the two to the same result on the content in the repository and a corpus of edge
cases.
"""

from __future__ import annotations

import re
from typing import Any

_KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): (\S(?:.*\S)?)\Z")
_PLAIN = re.compile(r"""[^-?:,\[\]{}#&*!|>'"%@`\s](?:(?!: | #|:\Z)[^\t\r])*\Z""")
"""A plain scalar on one line: no indicator first, no ``": "`` or ``" #"`` in it, no ``:``
last."""
_IN_FLOW = re.compile(r"[^,\[\]{}]*\Z")
_QUOTED = re.compile(r'"([^"\\]*)"\Z')


class _Unsure(Exception):
    """The value is not of the shape read here."""


def read(lines: list[str], line_offset: int, resolvers: dict[Any, Any],
         mapping: type[dict[str, Any]]) -> dict[str, Any] | None:  # fmt: skip
    """The mapping of these ``key: value`` lines (``mapping`` with ``line`` and ``lines`` set
    as :func:`portal.sourcefile.load_yaml` sets them), or None if they are not all of the
    shape read here. ``resolvers``: the loader's implicit resolvers (which plain words YAML
    reads as other than text)."""
    out = mapping()
    lines_of: dict[str, int] = {}
    try:
        for i, line in enumerate(lines):
            found = _KEY_VALUE.match(line)
            if found is None:
                return None
            key, value = found.groups()
            if key in lines_of or not _is_text(key, resolvers):
                return None
            out[key] = _value(value, resolvers)
            lines_of[key] = i + 1 + line_offset
    except _Unsure:
        return None
    if not lines_of:
        return None
    out.line = 1 + line_offset  # type: ignore[attr-defined]
    out.lines = lines_of  # type: ignore[attr-defined]
    return out


def _value(text: str, resolvers: dict[Any, Any]) -> str | list[str]:
    if text.startswith("["):
        if not text.endswith("]"):
            raise _Unsure
        inner = text[1:-1].strip()
        if not inner:
            return []
        return [_scalar(item.strip(), resolvers, flow=True) for item in inner.split(",")]
    return _scalar(text, resolvers, flow=False)


def _scalar(text: str, resolvers: dict[Any, Any], flow: bool) -> str:
    quoted = _QUOTED.match(text)
    if quoted is not None:
        return quoted.group(1)
    if not text or _PLAIN.match(text) is None or (flow and _IN_FLOW.match(text) is None):
        raise _Unsure
    if not _is_text(text, resolvers):
        raise _Unsure
    return text


def _is_text(word: str, resolvers: dict[Any, Any]) -> bool:
    """Whether YAML reads this plain word as text (a time counts: it is kept as text)."""
    for tag, pattern in resolvers.get(word[0], ()):
        if pattern.match(word):
            return bool(tag == "tag:yaml.org,2002:timestamp")
    return True
