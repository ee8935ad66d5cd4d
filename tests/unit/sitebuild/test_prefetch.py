"""A clean build makes the account pages' labels in a forked helper while it reads the
content (portal.site.prefetch): the helper's value comes back, a failed or stuck helper
gives None and the build makes the labels itself, and nothing is left running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from portal.site import accountpages, pages
from portal.site.build import build_site
from portal.site.prefetch import Prefetch
from tests.unit.sitebuild.conftest import Site, gone


def test_the_helpers_value_is_computed_in_another_process_and_comes_back() -> None:
    helper = Prefetch(lambda: {"pid": os.getpid(), "labels": {"a": ["选项", 1]}})
    pid = helper.pid
    value = helper.result()
    assert value is not None and value["labels"] == {"a": ["选项", 1]}
    assert value["pid"] != os.getpid() and value["pid"] == pid
    assert pid is not None and gone(pid)


def test_a_helper_that_fails_gives_none_and_is_reaped() -> None:
    def boom() -> int:
        raise ValueError("no labels")

    helper = Prefetch(boom)
    pid = helper.pid
    assert helper.result() is None
    assert pid is not None and gone(pid)


def test_a_helper_still_at_work_after_the_timeout_is_stopped_and_gives_none() -> None:
    helper = Prefetch(lambda: time.sleep(60))
    pid = helper.pid
    started = time.monotonic()
    assert helper.result(timeout=0.2) is None
    assert time.monotonic() - started < 30
    assert pid is not None and gone(pid)


def test_closing_a_helper_whose_value_is_not_wanted_stops_and_reaps_it() -> None:
    helper = Prefetch(lambda: time.sleep(60))
    pid = helper.pid
    helper.close()
    assert pid is not None and gone(pid)
    assert helper.result() is None  # closed: nothing to wait for
    helper.close()  # twice is harmless


def test_a_process_that_cannot_fork_has_no_helper_and_no_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    helper = Prefetch(lambda: 1)
    assert helper.pid is None and helper.result() is None
    helper.close()


def _record_calls(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Log every account_labels and roster_template call, in whichever process makes it (forks
    inherit the patch)."""
    from portal.site import staffpages

    real = accountpages.account_labels
    real_roster = staffpages.roster_template

    def logging(lang: str, *args: object) -> dict[str, object]:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {lang}\n")
        return real(lang, *args)  # type: ignore[arg-type]

    def roster() -> str:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} roster\n")
        return real_roster()

    monkeypatch.setattr(accountpages, "account_labels", logging)
    monkeypatch.setattr(staffpages, "roster_template", roster)


def test_a_clean_parallel_build_makes_the_lazy_contexts_once_each_in_the_helper(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    _record_calls(monkeypatch, log)
    result = build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    assert result.errors == [] and result.pages > 120  # enough pages for the workers
    calls = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(what for _, what in calls) == ["en", "roster", "zh-CN"]
    assert len({pid for pid, _ in calls}) == 1 and calls[0][0] != str(os.getpid())
    assert "我的" in (site.out / "account" / "index.html").read_text(encoding="utf-8")
    assert pages.PREFETCHED == {}  # this build's contexts are not kept for the next
    roster = (site.out / "staff/roster-template.csv").read_bytes()
    assert roster.startswith("\ufeff".encode()) and roster.endswith(b"\r\n")


def test_a_build_whose_helper_fails_makes_the_same_account_pages_itself(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build_site(site.content, tmp_path / "ref", jobs=1, site_url="https://portal.example.cn")
    log = tmp_path / "calls.log"
    _record_calls(monkeypatch, log)

    def broken(*args: object) -> dict[str, dict[str, object]]:
        raise RuntimeError("helper failed")

    monkeypatch.setattr(pages, "prefetched_contexts", broken)
    monkeypatch.setattr("portal.site.build.prefetched_contexts", broken)
    result = build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    assert result.errors == []
    calls = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert {what for _, what in calls} == {"en", "roster", "zh-CN"}  # made by the workers
    assert str(os.getpid()) not in {pid for pid, _ in calls}
    for rel in ("account/index.html", "staff/index.html", "en/account/orders/new/index.html",
                "staff/roster-template.csv"):
        assert (site.out / rel).read_bytes() == (tmp_path / "ref" / rel).read_bytes()


def test_a_rebuild_starts_no_helper(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    started: list[object] = []
    monkeypatch.setattr("portal.site.build.Prefetch", lambda fn: started.append(fn))
    build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    assert started == []
