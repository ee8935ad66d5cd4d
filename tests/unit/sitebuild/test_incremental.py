from __future__ import annotations

import builtins
import io
import os
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.sitebuild.conftest import NOW, Site, notice


def _touch_later(site: Site, rel: str) -> None:
    p = site.content / rel
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


def test_second_build_without_changes_rewrites_nothing(site: Site) -> None:
    site.build()
    again = site.build()
    assert again.written == [] and again.deleted == [] and again.parsed == 0


def test_editing_one_notice_rewrites_only_it_and_the_pages_that_list_it(site: Site) -> None:
    site.build()
    site.write("notices/water.md", notice("2栋停水通知（更新）", "2026-11-20T09:00:00+08:00",
                                          extra='buildings: ["2"]\n'))  # fmt: skip
    _touch_later(site, "notices/water.md")
    result = site.build()
    assert result.parsed == 1
    written = set(result.written)
    assert {"notices/water/index.html", "en/notices/water/index.html",
            "estates/lanting/index.html", "estates/lanting/notices/index.html",
            "estates/lanting/notices/outage/index.html", "estates/lanting/feed.xml",
            "en/estates/lanting/index.html"} <= written  # fmt: skip
    # Nothing that does not show this notice.
    for untouched in (
        "notices/old/index.html",
        "notices/pinned/index.html",
        "estates/meixi/index.html",
        "estates/lanting/notices/fees/index.html",
        "campaigns/index.html",
        "newsletter/3/index.html",
        "index.html",
    ):
        assert untouched not in written
    assert "2栋停水通知（更新）" in site.page("estates/lanting/notices/index.html")


def test_deleting_a_notice_removes_its_pages_and_unlists_it(site: Site) -> None:
    site.build()
    (site.content / "notices/water.md").unlink()
    (site.content / "notices/water.en.md").unlink()
    result = site.build()
    assert "notices/water/index.html" in result.deleted
    assert not (site.out / "notices/water").exists()
    assert not (site.out / "en/notices/water").exists()
    assert "2栋停水通知" not in site.page("estates/lanting/notices/index.html")


def test_time_passing_expires_a_notice_on_the_next_build(site: Site) -> None:
    site.write("notices/soon.md", notice("即将过期", "2026-11-21T09:00:00+08:00",
                                         extra="expires: 2026-11-23T00:00:00+08:00\n"))  # fmt: skip
    site.build()
    assert "即将过期" in site.page("estates/lanting/notices/index.html")
    later = site.build(now=NOW + timedelta(days=2))
    assert "estates/lanting/notices/index.html" in later.written
    assert "即将过期" not in site.page("estates/lanting/notices/index.html")
    assert "已过期" in site.page("notices/soon/index.html")


def test_the_month_changing_moves_the_featured_campaign(site: Site) -> None:
    site.build()
    result = site.build(now=NOW.replace(month=3, day=2))
    assert "campaigns/index.html" in result.written
    assert "文明养犬宣传月" in site.page("estates/lanting/index.html")


def test_template_change_rebuilds_every_page(site: Site, tmp_path: object) -> None:
    import shutil

    from portal import ROOT

    src = site.content.parent / "src"
    shutil.copytree(ROOT / "site" / "templates", src / "templates")
    shutil.copytree(ROOT / "site" / "static", src / "static")
    shutil.copytree(ROOT / "site" / "translations", src / "translations")
    first = site.build(site_src=src)
    (src / "templates" / "404.html").write_text(
        (src / "templates" / "404.html").read_text() + "\n", encoding="utf-8"
    )
    second = site.build(site_src=src)
    assert len([w for w in second.written if not w.startswith("assets/")]) == first.pages


def test_clean_build_removes_files_no_page_accounts_for(site: Site) -> None:
    site.build()
    stray = site.out / "notices" / "ghost" / "index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("old")
    site.build(clean=True)
    assert not stray.exists()


def test_a_corrupt_manifest_means_a_full_rebuild_not_a_crash(site: Site) -> None:
    first = site.build()
    (site.out / ".portal-build.pickle").write_bytes(b"not a pickle")
    again = site.build()
    assert again.errors == [] and len(again.written) >= first.pages


def test_parallel_build_writes_the_same_pages_as_serial(site: Site, tmp_path: object) -> None:
    from portal.site.build import build_site

    for i in range(80):
        site.write(f"notices/bulk-{i}.md", notice(f"批量通知{i}", "2026-11-01T09:00:00+08:00"))
    serial = site.build()
    par_out = site.content.parent / "par"
    parallel = build_site(site.content, par_out, now=NOW, site_url="https://portal.example.cn",
                          jobs=2)  # fmt: skip
    assert parallel.errors == [] and sorted(parallel.written) == sorted(serial.written)
    for rel in serial.written:
        assert (par_out / rel).read_bytes() == (site.out / rel).read_bytes(), rel


def test_a_clean_rebuild_renders_every_page_but_rewrites_no_file_whose_bytes_are_the_same(
    site: Site,
) -> None:
    first = site.build()
    page = site.out / "notices" / "water" / "index.html"
    before = page.stat().st_mtime_ns
    again = site.build(clean=True)
    assert again.errors == [] and len(again.written) == first.pages
    assert sorted(again.unchanged) == sorted(again.written)
    assert page.stat().st_mtime_ns == before


def test_compiled_templates_and_catalogs_are_kept_outside_the_output_folder(site: Site) -> None:
    from portal.site.build import CACHE_DIR

    site.build(clean=True)
    assert (CACHE_DIR / "catalogs.pickle").is_file()
    assert list(CACHE_DIR.glob("__jinja2_*.cache"))
    assert not [p for p in site.out.rglob("*") if "jinja" in p.name or "catalog" in p.name]


def test_a_warm_rebuild_after_one_edit_reads_only_that_notice_and_the_output_it_compares(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dev watcher's and the publishing task's rebuild: templates, translations, the
    stylesheets and scripts, the catalogs' cache and the assets already written are known
    by their sizes and mtimes; only the edited file is read (parsed, then its body shown)."""
    from portal import ROOT

    site.build()
    site.write("notices/water.md", notice("2栋停水通知（再次更新）", "2026-11-20T09:00:00+08:00",
                                          extra='buildings: ["2"]\n'))  # fmt: skip
    _touch_later(site, "notices/water.md")
    read: list[str] = []
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "r")
        if "r" in mode and "+" not in mode:
            read.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def counting_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if not flags & (os.O_WRONLY | os.O_RDWR):
            read.append(os.fspath(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)  # portal.site.files: content files
    result = site.build()
    monkeypatch.undo()
    assert result.parsed == 1 and result.errors == []
    assert not [p for p in read if p.startswith(str(ROOT / "site"))], read
    sources = {p for p in read if p.startswith(str(site.content))}
    assert sources == {str(site.content / "notices/water.md")}, sources
    outputs = [p for p in read if p.startswith(str(site.out))]
    assert len(outputs) <= len(result.written), outputs  # each rendered page compared once


def test_a_build_reads_each_notice_file_once_for_its_front_matter_and_its_page(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.site import model

    read_again: list[str] = []
    monkeypatch.setattr(model, "_PARSED_BODIES", {})
    monkeypatch.setattr(model, "_read_body", lambda path, digest: read_again.append(path) or "")
    result = site.build()
    assert result.errors == [] and "notices/water/index.html" in result.written
    assert '<div class="body"><p>' in site.page("notices/water/index.html") and read_again == []
    # A new process reads the bodies its pages show (the lists' excerpts), but for the files
    # it parsed itself: the edited one.
    monkeypatch.setattr(model, "_PARSED_BODIES", {})
    site.write("notices/water.md", notice("2栋停水通知（更新）", "2026-11-20T09:00:00+08:00"))
    _touch_later(site, "notices/water.md")
    site.build()
    assert read_again and not [p for p in read_again if p.endswith("/notices/water.md")]
