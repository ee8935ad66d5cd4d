"""Reading content files and writing pages with the fewest system calls.

A build reads every content file once and writes every page once; Python's ``open()`` adds
a ``fstat``, an ``ioctl`` (is it a terminal?) and one or two ``lseek`` to each, and
``os.makedirs`` a ``stat`` of the parent to each folder. Where a system call costs tens of
microseconds (a sandboxed file system, as on these machines), those were about half of
the calls of a clean build: here a read is ``open``, ``fstat``, ``read``, ``close``; a
page ``mkdir`` (of its folder, once), ``open``, ``write``, ``close``.
"""

from __future__ import annotations

import os

_READ = os.O_RDONLY | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def read_bytes(path: str) -> bytes:
    """The whole file (read to its end, should it have grown since its size was taken)."""
    fd = os.open(path, _READ)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        parts = [data]
        while chunk := os.read(fd, 1 << 16):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def write_bytes(path: str, data: bytes) -> None:
    """Create or replace the file with ``data`` (in place: the caller knows nobody reads it)."""
    fd = os.open(path, _CREATE, 0o666)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to a file or pipe (``os.write`` may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def make_folder(path: str) -> None:
    """The folder and, only if it is missing too, its parents (one ``mkdir`` when the parent
    exists, as a page's usually does)."""
    try:
        os.mkdir(path)
    except FileExistsError:
        return
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
