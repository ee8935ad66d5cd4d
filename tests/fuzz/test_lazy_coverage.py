"""The coverage cases made on first use (:mod:`tests.fuzz.lazy_coverage`) are still run, all of
them, in schemathesis' order: a change in schemathesis or Hypothesis that stopped reading
them would otherwise drop the coverage phase without a failure."""

from __future__ import annotations

import inspect
from typing import Any

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis.generation.hypothesis import builder

from tests.fuzz import lazy_coverage, schema  # noqa: F401 - schema installs the wrapper


def _made(*values: int) -> list[Any]:
    """Hypothesis' explicit examples for ``values``, as ``example`` decorators attach them."""

    def stand_in(x: int) -> None:  # pragma: no cover - only decorated
        pass

    for value in values:
        stand_in = example(x=value)(stand_in)
    return list(stand_in.hypothesis_explicit_examples)  # type: ignore[attr-defined]


def test_hypothesis_runs_the_examples_attached_then_those_made_on_first_read_once() -> None:
    made: list[int] = []
    seen: list[int] = []

    @settings(phases=[Phase.explicit], database=None)
    @given(x=st.integers())
    def check(x: int) -> None:
        seen.append(x)

    def make() -> list[Any]:
        made.append(1)
        return _made(3, 4)

    check.hypothesis_explicit_examples = lazy_coverage._LazyExamples(_made(1, 2), make)  # type: ignore[attr-defined]
    assert made == []  # nothing is made before Hypothesis reads the examples
    check()
    check()
    assert made == [1]
    # Hypothesis runs explicit examples last attached first: the coverage cases (attached
    # after the document's examples) run first, as when schemathesis attaches them itself.
    assert seen == [4, 3, 2, 1, 4, 3, 2, 1]


def test_schemathesis_makes_its_tests_through_the_wrapped_add_coverage() -> None:
    assert builder.add_coverage.__module__ == lazy_coverage.__name__
    assert "add_coverage(" in inspect.getsource(builder.create_test)
