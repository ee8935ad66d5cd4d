"""The coverage phase's cases, made when an operation's test first runs, not at collection.

schemathesis makes every operation's coverage cases (boundary and invalid values of each
parameter and body field) while pytest collects, and attaches them to the test as
Hypothesis explicit examples. Under pytest-xdist every worker collects the whole suite, so
each worker made the cases of all hundred operations (about 14 CPU-seconds) although it
runs the thorough test of a third of them, and each operation's cases are run once, by
one identity (:mod:`tests.fuzz.depth`).

:func:`install` wraps schemathesis' ``add_coverage`` so that the cases are made on first
use: the test's explicit examples become a list that calls the original ``add_coverage``
(on a stand-in function) when Hypothesis first reads it, then holds the same cases in the
same order, and the stand-in's marks (an unserialisable media type) are copied onto the
test before the plugin reads them after the run. The cases and their order are
schemathesis' own; only when they are made changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, SupportsIndex

from schemathesis.generation.hypothesis import builder

_MARKS = (builder.UnserializablePayloadMark,)
_installed = False


class _LazyExamples(list[Any]):
    """Hypothesis' explicit examples of a test: those attached at collection, then the
    coverage cases, made on the first read."""

    def __init__(self, attached: list[Any], make: Callable[[], list[Any]]) -> None:
        super().__init__(attached)
        self._make: Callable[[], list[Any]] | None = make
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._make is None:
            return
        with self._lock:
            make, self._make = self._make, None
            if make is not None:
                super().extend(make())

    def __iter__(self) -> Iterator[Any]:
        self._load()
        return super().__iter__()

    def __reversed__(self) -> Iterator[Any]:
        self._load()
        return super().__reversed__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def __getitem__(self, index: SupportsIndex | slice) -> Any:  # type: ignore[override]
        self._load()
        return super().__getitem__(index)

    def append(self, item: Any) -> None:
        self._load()
        super().append(item)


def install() -> None:
    """Make schemathesis' coverage cases lazily (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    original = builder.add_coverage

    def add_coverage(test: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        def make() -> list[Any]:
            def stand_in() -> None:  # pragma: no cover - never called, only decorated
                pass

            made = original(stand_in, *args, **kwargs)
            for mark in _MARKS:
                value = mark.get(made)
                if value is not None:
                    mark.set(test, value)
            return list(getattr(made, "hypothesis_explicit_examples", ()))

        attached = list(getattr(test, "hypothesis_explicit_examples", ()))
        test.hypothesis_explicit_examples = _LazyExamples(attached, make)  # type: ignore[attr-defined]
        return test

    builder.add_coverage = add_coverage
