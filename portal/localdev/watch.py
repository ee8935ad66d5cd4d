"""Watch the site's source folders by polling modification times (no extra dependency)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Snapshot = dict[str, tuple[int, int]]


def _ignored(name: str) -> bool:
    """Hidden files and editors' temporary files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def snapshot(dirs: Iterable[Path]) -> Snapshot:
    """``{path: (mtime_ns, size)}`` of every file under ``dirs`` (missing folders are empty)."""
    out: Snapshot = {}
    for d in dirs:
        for folder, subdirs, files in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if not _ignored(s))
            for name in files:
                if _ignored(name):
                    continue
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:  # removed while walking
                    continue
                out[path] = (st.st_mtime_ns, st.st_size)
    return out


def changed_paths(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class Watcher(threading.Thread):
    """Calls ``on_change(paths)`` from a background thread when files under ``dirs`` change.

    Polls every ``interval_s``; after a change it waits ``settle_s`` so that an
    editor's burst of writes becomes one rebuild. An exception raised by
    ``on_change`` is passed to ``on_error`` and the watch goes on.
    """

    def __init__(
        self,
        dirs: Iterable[Path],
        on_change: Callable[[list[str]], None],
        *,
        interval_s: float = 1.0,
        settle_s: float = 0.2,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(name="portal-dev-watch", daemon=True)
        self.dirs = tuple(dirs)
        self.on_change = on_change
        self.on_error = on_error
        self.interval_s = interval_s
        self.settle_s = settle_s
        self._stop_event = threading.Event()
        self._state = snapshot(self.dirs)

    def poll(self) -> list[str]:
        """Take a new snapshot; return what changed since the last one (and remember it)."""
        new = snapshot(self.dirs)
        changes = changed_paths(self._state, new)
        if changes and self.settle_s > 0:
            self._stop_event.wait(self.settle_s)
            new = snapshot(self.dirs)
            changes = changed_paths(self._state, new)
        self._state = new
        return changes

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            changes = self.poll()
            if not changes:
                continue
            try:
                self.on_change(changes)
            except Exception as exc:
                if self.on_error is None:
                    raise
                self.on_error(exc)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout_s)
