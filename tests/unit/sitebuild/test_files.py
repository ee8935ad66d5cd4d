"""Content files are read, and pages written, whole and with few system calls."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.site import files


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000, 300_000])
def test_a_file_is_read_whole_and_a_page_written_whole(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    target = tmp_path / "page.html"
    files.write_bytes(str(target), data)
    assert target.read_bytes() == data
    assert files.read_bytes(str(target)) == data
    files.write_bytes(str(target), b"short")  # replaced, not appended to
    assert target.read_bytes() == b"short"


def test_a_file_that_grew_after_its_size_was_taken_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notice.md"
    path.write_bytes(b"x" * 100_000)
    real = os.fstat

    class Smaller:
        def __init__(self, fd: int) -> None:
            self.st_size = real(fd).st_size - 60_000  # it grew by 60 kB since

    monkeypatch.setattr(files.os, "fstat", Smaller)
    assert files.read_bytes(str(path)) == b"x" * 100_000


def test_a_pages_folder_is_made_with_its_missing_parents_and_an_existing_one_is_kept(
    tmp_path: Path,
) -> None:
    deep = tmp_path / "en" / "notices" / "water"
    files.make_folder(str(deep))
    assert deep.is_dir()
    (deep / "index.html").write_bytes(b"kept")
    files.make_folder(str(deep))
    assert (deep / "index.html").read_bytes() == b"kept"
    with pytest.raises(NotADirectoryError):
        files.make_folder(str(deep / "index.html" / "x"))
