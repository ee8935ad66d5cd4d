"""Bytecode for the source that libraries generate and compile while a Lambda instance starts.

Importing the API compiles Python source that is not in any module, so no ``.pyc`` holds it:

- :mod:`dataclasses` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ... as text
  and ``exec``-s it (pydantic, annotated_types and the portal declare hundreds);
- :mod:`typing` compiles every string annotation of a ``TypedDict`` or a model into a
  ``ForwardRef`` (pydantic_core's ``core_schema`` alone has about a thousand);
- :mod:`collections` ``eval``-s each ``namedtuple``'s ``__new__``.

Counted with callgrind on ``bench/cold_start.py``'s package, that parsing and compiling was
about 350 million of the 1,700 million instructions of a first ``GET /api/orders``, more
than loading every module's bytecode. The same text compiles to the same code every time,
so the package build records it (:func:`recording`, run by ``tests/package/lambda_build.py``
when it drives a cold start of the whole API) and ships it beside the modules' bytecode;
:func:`install` then serves each compile from it.

What makes it safe:

- a hit is the bytecode of exactly that text (the key is the whole text and the mode),
  compiled by the same Python (the file carries :data:`importlib.util.MAGIC_NUMBER`; any
  other version, or an unreadable file, is ignored and everything compiles as before);
- anything not recorded compiles as before (counted in :data:`counts`), so a library
  upgrade costs time, never correctness;
- the file is part of the package, built and replaced whole like the ``.pyc`` beside it.

Only the three call sites above are served (each module's own ``exec``/``eval``/``compile``
name, not the builtins), and only the plain calls they make: the ``<string>`` file name,
no flags, no inherited ``__future__`` features.
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import marshal
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import MAGIC_NUMBER
from types import CodeType, ModuleType
from typing import Any

FORMAT = 1
"""The file's layout: ``marshal`` of ``(FORMAT, MAGIC_NUMBER, {(mode, source): code})``."""

FILE_NAME = "codecache.marshal"
"""Its name in the package, beside this module."""

SITES: tuple[tuple[ModuleType, str], ...] = (
    (dataclasses, "exec"),
    (typing, "compile"),
    (collections, "eval"),
)
"""Where generated source is compiled: the module and the builtin it calls."""

counts = {"hits": 0, "misses": 0}
"""How many generated sources were served from the cache and how many were compiled."""

_compile = builtins.compile
_exec = builtins.exec
_eval = builtins.eval
_STRING = "<string>"


Lookup = Callable[[str, str], CodeType]
"""``(source, mode)`` -> the code it compiles to."""


def _compiled(source: str, mode: str) -> CodeType:
    # The call sites' modules have no ``__future__`` imports: nothing to inherit.
    return _compile(source, _STRING, mode, dont_inherit=True)


def _served(code_of: Lookup) -> dict[str, Any]:
    """The replacements of ``exec``, ``eval`` and ``compile`` that get code from ``code_of``."""

    def exec_(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
        if globals_ is None:  # the caller's namespace, as the builtin's would be
            frame = sys._getframe(1)
            globals_, locals_ = frame.f_globals, frame.f_locals if locals_ is None else locals_
        _exec(code_of(source, "exec") if type(source) is str else source, globals_, locals_)

    def eval_(source: Any, globals_: Any = None, locals_: Any = None, /) -> Any:
        if globals_ is None:
            frame = sys._getframe(1)
            globals_, locals_ = frame.f_globals, frame.f_locals if locals_ is None else locals_
        return _eval(code_of(source, "eval") if type(source) is str else source,
                     globals_, locals_)  # fmt: skip

    def compile_(source: Any, filename: Any, mode: str, flags: int = 0,
                 dont_inherit: bool = False, optimize: int = -1) -> Any:  # fmt: skip
        if type(source) is str and filename == _STRING and flags == 0 and optimize == -1:
            return code_of(source, mode)
        return _compile(source, filename, mode, flags, True, optimize)

    return {"exec": exec_, "eval": eval_, "compile": compile_}


def _patch(code_of: Lookup) -> None:
    served = _served(code_of)
    for module, name in SITES:
        setattr(module, name, served[name])


def _unpatch() -> None:
    for module, name in SITES:
        module.__dict__.pop(name, None)  # the builtin again


def load(data: bytes) -> dict[tuple[str, str], CodeType] | None:
    """The recorded code in ``data``; None unless it is this format and this Python's."""
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if (not isinstance(found, tuple) or len(found) != 3 or found[0] != FORMAT
            or found[1] != MAGIC_NUMBER or not isinstance(found[2], dict)):  # fmt: skip
        return None
    return found[2]


def install(path: str) -> bool:
    """Serve the generated source compiled at the call sites from the file at ``path``.
    False (and nothing changed) when there is no usable file there."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    cache = load(data)
    if cache is None:
        return False

    def code_of(source: str, mode: str) -> CodeType:
        hit = cache.get((mode, source))
        if hit is not None:
            counts["hits"] += 1
            return hit
        counts["misses"] += 1
        return _compiled(source, mode)

    _patch(code_of)
    return True


def uninstall() -> None:
    """Compile at the call sites as before (a test's cleanup)."""
    _unpatch()


@contextmanager
def recording() -> Iterator[dict[tuple[str, str], CodeType]]:
    """Record, while the block runs, every source compiled at the call sites, with its code."""
    recorded: dict[tuple[str, str], CodeType] = {}

    def code_of(source: str, mode: str) -> CodeType:
        code = recorded.get((mode, source))
        if code is None:
            code = recorded[(mode, source)] = _compiled(source, mode)
        return code

    _patch(code_of)
    try:
        yield recorded
    finally:
        _unpatch()


def dump(recorded: dict[tuple[str, str], CodeType]) -> bytes:
    """The file :func:`install` reads."""
    return marshal.dumps((FORMAT, MAGIC_NUMBER, dict(recorded)))
