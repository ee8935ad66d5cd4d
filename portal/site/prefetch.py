"""Work a clean build starts on its idle core while it reads the content.

A build is serial until its pages are planned (read the content files, assemble the
model, plan): one core works, the other waits for the render. What needs none of the
content can be made meanwhile in a forked helper: the contexts of the lazy pages
(:func:`portal.site.pages.prefetched_contexts`: the labels of the pages that act and the
roster template) import half the code base, about 0.1 s that a render worker would
otherwise spend. The helper sends its value back
pickled (plain data, a few kilobytes) through a pipe and exits.

Lifecycle: :class:`Prefetch` forks; :meth:`Prefetch.result` waits for the value (or
gives ``None`` if the helper failed or took longer than :data:`WAIT_S`, and the caller
makes it itself, as without a helper); :meth:`Prefetch.close` reaps a helper whose
value is no longer wanted. A helper never writes a file and never runs the parent's
exit handlers (it leaves with ``os._exit``).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from portal.site.files import write_all

T = TypeVar("T")

WAIT_S = 30.0
"""The longest :meth:`Prefetch.result` waits: a helper is a fraction of a second's work."""


class Prefetch(Generic[T]):
    """``fn()``, computed in a forked helper while this process goes on."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.pid: int | None = None
        try:
            read, write = os.pipe()
        except OSError:  # no descriptors left: no helper (the caller makes the value itself)
            return
        try:
            pid = os.fork()
        except OSError:  # no process left: no helper
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the helper
            code = 1
            try:
                os.close(read)
                write_all(write, pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid = pid
        self._fd = read

    def result(self, timeout: float = WAIT_S) -> T | None:
        """The helper's value, or ``None`` (it failed, or was still at work after ``timeout``
        seconds, and is stopped)."""
        if self.pid is None:
            return None
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                    os.kill(self.pid, signal.SIGKILL)
                    chunks = []
                    break
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            status = self._reap()
        if status != 0 or not chunks:
            return None
        value: T = pickle.loads(b"".join(chunks))
        return value

    def close(self) -> None:
        """Stop and reap a helper whose value is not wanted (nothing if already done)."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        os.close(self._fd)
        pid, self.pid = self.pid, None
        assert pid is not None
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
