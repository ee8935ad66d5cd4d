"""Bytecode for the source that libraries generate and compile while a Lambda instance starts.

Importing the API compiles Python source that is not in any module, so no ``.pyc`` holds it:

- :mod:`dataclasses` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ... as text
  and ``exec``-s it (pydantic, annotated_types and the portal declare hundreds);
- :mod:`typing` compiles every string annotation of a ``TypedDict`` or a model into a
  ``ForwardRef`` (pydantic_core's ``core_schema`` alone has about a thousand);
- :mod:`collections` ``eval``-s each ``namedtuple``'s ``__new__``;

and :mod:`re` compiles each module-level regular expression (boto3's, Werkzeug's, Jinja's,
the portal's) into its matching program, in Python.

Counted with callgrind on ``bench/cold_start.py``'s package, that parsing and compiling was
about 350 million of the 1,700 million instructions of a first ``GET /api/orders``, more
than loading every module's bytecode, and the patterns well over another 65 million. The
same text compiles to the same code every time, so the package build records it
(:func:`recording`, run by ``tests/package/lambda_build.py`` when it drives a cold start of
the whole API) and ships it beside the modules' bytecode; :func:`install` then serves each
compile from it.

What makes it safe:

- a hit is the bytecode of exactly that text (the key is the whole text and the mode; for a
  pattern, the pattern and its flags), compiled by the same Python (the file carries
  :data:`importlib.util.MAGIC_NUMBER` and the regular-expression engine's ``_sre.MAGIC``;
  any other version, or an unreadable file, is ignored and everything compiles as before);
- anything not recorded compiles as before (counted in :data:`counts`), so a library
  upgrade costs time, never correctness;
- the file is part of the package, built and replaced whole like the ``.pyc`` beside it.

Only these call sites are served (each module's own ``exec``/``eval``/``compile`` name, not
the builtins; ``re._compiler.compile``), and only the plain calls they make: the
``<string>`` file name, no flags, no inherited ``__future__`` features; a pattern as text,
not asked to print its program (``re.DEBUG``).
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import dataclasses
import importlib
import marshal
import os
import re
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import MAGIC_NUMBER
from types import CodeType, ModuleType
from typing import Any

FORMAT = 2
"""The file's layout: ``marshal`` of ``(FORMAT, MAGIC_NUMBER, _sre.MAGIC, entries)``, the
entries ``{(mode, source): code}`` and ``{("re", pattern, flags): program}``."""

FILE_NAME = "codecache.marshal"
"""Its name in the Lambda package, beside the function's handler (``functions/lambda_entry.py``)."""

SITES: tuple[tuple[ModuleType, str], ...] = (
    (dataclasses, "exec"),
    (typing, "compile"),
    (collections, "eval"),
)
"""Where generated source is compiled: the module and the builtin it calls."""

counts = {"hits": 0, "misses": 0}
"""How many generated sources and patterns were served from the cache, how many compiled."""

missed: list[str] = []
"""The beginnings of the first few that were compiled (what a recording missed)."""
_MISSED_KEPT = 10

Entries = dict[tuple[Any, ...], Any]
"""What a recording holds and the file keeps."""

_compile = builtins.compile
_exec = builtins.exec
_eval = builtins.eval
_STRING = "<string>"
_sre: Any = importlib.import_module("_sre")
_re_compiler: Any = importlib.import_module("re._compiler")
_re_parser: Any = importlib.import_module("re._parser")
_compile_pattern = _re_compiler.compile
_RE = "re"

Lookup = Callable[[str, str], CodeType]
"""``(source, mode)`` -> the code it compiles to."""
Programs = Callable[[str | bytes, int], tuple[Any, ...] | None]
"""``(pattern, flags)`` -> the arguments of ``_sre.compile`` after the pattern, or None."""


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


def program(pattern: str | bytes, flags: int) -> tuple[Any, ...]:
    """What :mod:`re` compiles ``pattern`` into: the arguments ``re._compiler.compile`` gives
    ``_sre.compile`` after the pattern (flags, the program, groups and their names)."""
    parsed = _re_parser.parse(pattern, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), [int(op) for op in _re_compiler._code(parsed, flags)],
            parsed.state.groups - 1, groupindex, tuple(indexgroup))  # fmt: skip


def _pattern_served(program_of: Programs) -> Callable[..., Any]:
    """The replacement of ``re._compiler.compile`` that gets programs from ``program_of``."""

    def compile_pattern(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str | bytes) and not flags & re.DEBUG:
            found = program_of(pattern, int(flags))
            if found is not None:
                return _sre.compile(pattern, *found)
        return _compile_pattern(pattern, flags)

    return compile_pattern


def _patch(code_of: Lookup, program_of: Programs) -> None:
    served = _served(code_of)
    for module, name in SITES:
        setattr(module, name, served[name])
    _re_compiler.compile = _pattern_served(program_of)


def _unpatch() -> None:
    for module, name in SITES:
        module.__dict__.pop(name, None)  # the builtin again
    _re_compiler.compile = _compile_pattern


def load(data: bytes) -> Entries | None:
    """The recorded entries in ``data``; None unless it is this format and this Python's."""
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if (not isinstance(found, tuple) or len(found) != 4 or found[0] != FORMAT
            or found[1] != MAGIC_NUMBER or found[2] != _sre.MAGIC
            or not isinstance(found[3], dict)):  # fmt: skip
        return None
    return found[3]


def _miss(kind: str, text: str) -> None:
    counts["misses"] += 1
    if len(missed) < _MISSED_KEPT:
        missed.append(f"{kind}: {text[:120]}")


def install(path: str, keep_new: bool = False) -> bool:
    """Serve the generated source compiled at the call sites from the file at ``path``.
    False (and nothing changed) when there is no usable file there, unless ``keep_new``:
    then what is compiled is also kept in :data:`new` (from an empty cache if need be), for
    :func:`save` to add to the file: a command line's cache, kept in the checkout, which
    learns what the command compiles (``portal build``: ``functions/local/command.py``)."""
    try:
        with open(path, "rb") as handle:
            cache = load(handle.read())
    except OSError:
        cache = None
    if cache is None:
        if not keep_new:
            return False
        cache = {}

    def code_of(source: str, mode: str) -> CodeType:
        hit: CodeType | None = cache.get((mode, source))
        if hit is not None:
            counts["hits"] += 1
            return hit
        _miss(mode, source)
        code = _compiled(source, mode)
        if keep_new:
            cache[(mode, source)] = new[(mode, source)] = code
        return code

    def program_of(pattern: str | bytes, flags: int) -> tuple[Any, ...] | None:
        found: tuple[Any, ...] | None = cache.get((_RE, pattern, flags))
        if found is not None:
            counts["hits"] += 1
            return found
        _miss(_RE, repr(pattern))
        if not keep_new:
            return None
        found = cache[(_RE, pattern, flags)] = new[(_RE, pattern, flags)] = program(pattern, flags)
        return found

    _patch(code_of, program_of)
    return True


new: Entries = {}
"""What this process compiled that the installed file did not hold (``install(keep_new=True)``;
a forked worker's own since :func:`mark` are sent back to the parent by :func:`taken`)."""
MAX_ENTRIES = 20_000
"""A kept file past this size (sources that no longer exist pile up) starts again from what
the last process compiled: its next runs record the rest once more."""


def mark() -> int:
    """Where :data:`new` stands (a forked worker's start)."""
    return len(new)


def taken(since: int) -> bytes:
    """What was compiled since ``since`` (:func:`mark`), as bytes for :func:`add`; b"" if nothing."""
    if len(new) <= since:
        return b""
    return marshal.dumps(dict(list(new.items())[since:]))


def add(data: bytes) -> None:
    """Keep what a worker compiled (:func:`taken`) as compiled here."""
    if data:
        new.update(marshal.loads(data))


def save(path: str) -> bool:
    """Add :data:`new` to the file at ``path`` (written whole, then renamed); False if nothing
    was new or it cannot be written (the next run compiles those again, no worse)."""
    if not new:
        return False
    try:
        with open(path, "rb") as handle:
            kept = load(handle.read()) or {}
    except OSError:
        kept = {}
    merged = {**kept, **new} if len(kept) + len(new) <= MAX_ENTRIES else dict(new)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(dump(merged))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def uninstall() -> None:
    """Compile at the call sites as before (a test's cleanup)."""
    _unpatch()


@contextmanager
def recording() -> Iterator[Entries]:
    """Record, while the block runs, every source compiled at the call sites, with its code,
    and every pattern :mod:`re` compiles, with its program."""
    recorded: Entries = {}

    def code_of(source: str, mode: str) -> CodeType:
        code: CodeType | None = recorded.get((mode, source))
        if code is None:
            code = _compiled(source, mode)
            recorded[(mode, source)] = code
        return code

    def program_of(pattern: str | bytes, flags: int) -> tuple[Any, ...]:
        found: tuple[Any, ...] | None = recorded.get((_RE, pattern, flags))
        if found is None:
            found = program(pattern, flags)
            recorded[(_RE, pattern, flags)] = found
        return found

    _patch(code_of, program_of)
    try:
        yield recorded
    finally:
        _unpatch()


def dump(recorded: Entries) -> bytes:
    """The file :func:`install` reads."""
    return marshal.dumps((FORMAT, MAGIC_NUMBER, _sre.MAGIC, dict(recorded)))
