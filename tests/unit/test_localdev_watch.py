"""The dev server's source watcher (polling mtimes)."""

import os
from pathlib import Path

from portal.localdev.watch import Watcher, changed_paths, snapshot


def test_added_modified_and_removed_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    before = snapshot([tmp_path])
    (tmp_path / "a.md").write_text("changed", encoding="utf-8")
    (tmp_path / "b.md").unlink()
    (tmp_path / "c.md").write_text("c", encoding="utf-8")
    after = snapshot([tmp_path])
    assert changed_paths(before, after) == [str(tmp_path / n) for n in ("a.md", "b.md", "c.md")]


def test_touching_a_file_counts_as_a_change(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("a", encoding="utf-8")
    before = snapshot([tmp_path])
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert changed_paths(before, snapshot([tmp_path])) == [str(f)]


def test_hidden_and_editor_temporary_files_are_ignored(tmp_path: Path) -> None:
    before = snapshot([tmp_path])
    for name in (".a.md.swp", "a.md~", "#a.md#", ".hidden"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x").write_text("x", encoding="utf-8")
    assert changed_paths(before, snapshot([tmp_path])) == []


def test_missing_folders_are_watched_as_empty(tmp_path: Path) -> None:
    assert snapshot([tmp_path / "not-yet"]) == {}


def test_poll_reports_a_change_once(tmp_path: Path) -> None:
    watcher = Watcher([tmp_path], on_change=lambda paths: None, settle_s=0)
    (tmp_path / "new.md").write_text("x", encoding="utf-8")
    assert watcher.poll() == [str(tmp_path / "new.md")]
    assert watcher.poll() == []


def test_watcher_thread_calls_back_and_survives_a_failing_callback(tmp_path: Path) -> None:
    import threading

    seen: list[list[str]] = []
    errors: list[BaseException] = []
    called = threading.Event()

    def on_change(paths: list[str]) -> None:
        seen.append(paths)
        called.set()
        raise RuntimeError("build broke")

    watcher = Watcher([tmp_path], on_change, interval_s=0.05, settle_s=0, on_error=errors.append)
    watcher.start()
    try:
        (tmp_path / "x.md").write_text("x", encoding="utf-8")
        assert called.wait(5)
    finally:
        watcher.stop()
    assert seen == [[str(tmp_path / "x.md")]]
    assert [str(e) for e in errors] == ["build broke"]
    assert not watcher.is_alive()
