"""Running work on threads released at the same moment (the concurrency tests' one helper)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def together(n: int, task: Callable[[int], T]) -> list[T | Exception]:
    """``task(i)`` for i in range(n) on n threads released at once: each result or exception."""
    barrier = threading.Barrier(n)
    results: list[T | Exception] = [RuntimeError("did not finish")] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = task(i)
        except Exception as exc:  # collected for the caller
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def run_together(n: int, task: Callable[[int], T]) -> list[T]:
    """:func:`together`, raising the first exception a thread met."""
    out: list[T] = []
    for r in together(n, task):
        if isinstance(r, Exception):
            raise r
        out.append(r)
    return out
