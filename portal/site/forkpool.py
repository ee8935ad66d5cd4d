"""One job's parts on every core: forked children, each handed its next part when done.

The site build rendered on ``multiprocessing.Pool``: importing it and starting its threads
cost a clean build about 0.02 s of one core before any page was rendered, and a worker
that died (killed, out of memory) left ``imap_unordered`` waiting for ever. Here each
child is forked with the job already in memory (``fn`` and what it reads), is sent part
bounds through a pipe, and sends back each part's result pickled; the parent hands out
the parts as results arrive, so the cores stay balanced when one is busier. A child that
dies has its unfinished part done by the parent (an error it raised is raised there).
Closing a child's part pipe tells it to exit; it leaves with ``os._exit`` (no exit
handlers, no buffers of the parent's flushed twice).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from portal.site.files import write_all

R = TypeVar("R")
Part = tuple[int, int]

_PART = struct.Struct("<qq")
_SIZE = struct.Struct("<Q")


@dataclass
class _Child:
    pid: int
    parts: int  # the pipe this process writes part bounds to
    results: int  # the pipe this process reads results from
    part: Part | None = None  # the part it is working on


def run(fn: Callable[[Part], R], parts: Sequence[Part], jobs: int) -> Iterator[R]:
    """``fn(part)`` for every part, in ``jobs`` forked children, in the order they finish."""
    pending = deque(parts)
    children: dict[int, _Child] = {}
    try:
        for _ in range(min(jobs, len(pending))):
            child = _fork(fn, children.values())
            children[child.results] = child
            _hand_out(child, pending)
        while children:
            ready, _, _ = select.select(list(children), [], [])
            for fd in ready:
                child = children[fd]
                data = _receive(child.results)
                if data is None:  # gone: its part is done here
                    del children[fd]
                    _close(child)
                    if child.part is not None:
                        yield fn(child.part)
                    continue
                child.part = None
                yield pickle.loads(data)
                _hand_out(child, pending)
    finally:
        for child in children.values():
            _close(child, kill=True)


def _fork(fn: Callable[[Part], R], others: Iterable[_Child]) -> _Child:
    parts_r, parts_w = os.pipe()
    results_r, results_w = os.pipe()
    theirs = [fd for c in others for fd in (c.parts, c.results) if fd >= 0]
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            for fd in (parts_w, results_r, *theirs):  # the other children's pipes are not ours
                os.close(fd)
            _serve(fn, parts_r, results_w)
            code = 0
        finally:
            os._exit(code)
    os.close(parts_r)
    os.close(results_w)
    return _Child(pid, parts_w, results_r)


def _serve(fn: Callable[[Part], R], parts: int, results: int) -> None:
    while (bounds := _read(parts, _PART.size)) is not None:
        data = pickle.dumps(fn(_PART.unpack(bounds)), protocol=pickle.HIGHEST_PROTOCOL)
        write_all(results, _SIZE.pack(len(data)) + data)


def _hand_out(child: _Child, pending: deque[Part]) -> None:
    """The child's next part, or, with none left, the end of its part pipe (it exits)."""
    if pending and child.parts >= 0:
        child.part = pending.popleft()
        try:
            write_all(child.parts, _PART.pack(*child.part))
            return
        except OSError:  # gone before it read it: its end of the results pipe says so
            return
    if child.parts >= 0:
        os.close(child.parts)
        child.parts = -1


def _receive(fd: int) -> bytes | None:
    head = _read(fd, _SIZE.size)
    return None if head is None else _read(fd, _SIZE.unpack(head)[0])


def _read(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes, or None at the end of the pipe (the writer closed or died)."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _close(child: _Child, kill: bool = False) -> None:
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
    for fd in (child.parts, child.results):
        if fd >= 0:
            os.close(fd)
    child.parts = child.results = -1
    os.waitpid(child.pid, 0)
