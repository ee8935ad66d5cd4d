"""The render's fork pool: every part done once, in the children, handed out as each finishes;
a child that dies has its part done by the parent (an error is raised there); no child is
left behind, even when the caller stops early."""

from __future__ import annotations

import os

import pytest

from portal.site import forkpool
from tests.unit.sitebuild.conftest import gone

PARENT = os.getpid()



def where(part: tuple[int, int]) -> tuple[tuple[int, int], int, int]:
    return part, os.getpid(), sum(range(*part))


@pytest.mark.parametrize("jobs, count", [(2, 25), (2, 1), (3, 2)])
def test_every_part_is_done_once_in_the_children(jobs: int, count: int) -> None:
    parts = [(i * 10, i * 10 + 10) for i in range(count)]
    results = list(forkpool.run(where, parts, jobs))
    assert sorted(p for p, _, _ in results) == parts
    assert all(total == sum(range(*p)) for p, _, total in results)
    pids = {pid for _, pid, _ in results}
    assert os.getpid() not in pids and len(pids) <= min(jobs, count)
    assert all(gone(pid) for pid in pids)  # each exited when the parts ran out


def test_a_child_that_dies_has_its_part_done_by_the_parent() -> None:
    parent = os.getpid()

    def dies_on_the_third(part: tuple[int, int]) -> tuple[tuple[int, int], int, int]:
        if os.getpid() != parent and part == (2, 3):
            os._exit(9)  # killed mid-part, as by the OOM killer
        return where(part)

    results = list(forkpool.run(dies_on_the_third, [(i, i + 1) for i in range(6)], 2))
    assert sorted(p for p, _, _ in results) == [(i, i + 1) for i in range(6)]
    assert [pid for p, pid, _ in results if p == (2, 3)] == [parent]


def test_an_error_in_a_child_is_raised_in_the_parent() -> None:
    def fails(part: tuple[int, int]) -> int:
        if part == (1, 2):
            raise ValueError("bad part")
        return part[0]

    with pytest.raises(ValueError, match="bad part"):
        list(forkpool.run(fails, [(i, i + 1) for i in range(4)], 2))


def test_a_caller_that_stops_early_leaves_no_child_behind() -> None:
    def slow(part: tuple[int, int]) -> int:
        if os.getpid() != PARENT and part[0] > 0:
            import time

            time.sleep(30)
        return os.getpid()

    run = forkpool.run(slow, [(i, i + 1) for i in range(4)], 2)
    first = next(run)
    run.close()  # the children still at work are stopped and reaped
    assert first != os.getpid() and gone(first)
